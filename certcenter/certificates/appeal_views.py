"""The holder's appeal against a suspension or revocation of his certificate: the form, from his certificate's card."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from certcenter.appeals import services as appeal_services
from certcenter.certificates import appeals
from certcenter.certificates.forms import CertificateAppealForm
from certcenter.certificates.models import STATUS_LABELS, Certificate
from certcenter.certificates.views import bp
from certcenter.core.errors import UserError
from certcenter.extensions import db


def _holders(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not certificate.can_appeal(current_user):  # others learn nothing of it
        abort(404)
    return certificate


def _page(certificate: Certificate, form: CertificateAppealForm, status: int = 200):
    return render_template(
        "certificates/appeal.html",
        certificate=certificate,
        form=form,
        status_labels=STATUS_LABELS,
        last_day=appeals.last_day(certificate),
        change=appeals.appealable_change(certificate),
        cannot_lodge=appeals.appeal_refusal(certificate, current_user, appeal_services.now()),
    ), status


@bp.route("/certificates/<int:certificate_id>/appeal", methods=["GET", "POST"])
@login_required
def certificate_appeal(certificate_id: int):
    certificate = _holders(certificate_id)
    form = CertificateAppealForm()
    if request.method == "GET":
        return _page(certificate, form)
    if not form.validate_on_submit():
        return _page(certificate, form, 400)
    upload = form.attachment.data
    try:
        appeals.lodge(
            certificate,
            actor=current_user,
            grounds=form.grounds.data,
            attachment=upload.stream if upload else None,
            attachment_name=upload.filename if upload else None,
            now=appeal_services.now(),
        )
    except UserError as error:
        db.session.rollback()
        form.form_errors.append(str(error.message))
        return _page(certificate, form, error.status)
    db.session.commit()
    flash(_("Your appeal has been lodged. The centre forms an independent panel to hear it."), "success")
    return redirect(url_for("applications.dashboard") + f"#certificate-{certificate.id}")
