"""Surveillance: the holder's answer, the administrators' list (overdue and awaiting) and decision."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from certcenter.accounts.models import ADMINISTRATOR
from certcenter.certificates import surveillance
from certcenter.certificates.forms import SurveillanceDecisionForm, SurveillanceForm
from certcenter.certificates.models import Certificate, SurveillanceCheck
from certcenter.certificates.views import bp
from certcenter.core.i18n import centre_today
from certcenter.core.permissions import role_required
from certcenter.extensions import db


def _holders_check(certificate_id: int) -> SurveillanceCheck:
    certificate = db.get_or_404(Certificate, certificate_id)
    if not certificate.can_share(current_user):  # the holder's alone
        abort(403)
    if certificate.surveillance is None:
        abort(404)
    return certificate.surveillance


@bp.get("/certificates/<int:certificate_id>/surveillance")
@login_required
def surveillance_form(certificate_id: int):
    check = _holders_check(certificate_id)
    return render_template(
        "certificates/surveillance.html",
        check=check,
        form=SurveillanceForm(),
        open_=surveillance.open_for_holder(check),
    )


@bp.post("/certificates/<int:certificate_id>/surveillance")
@login_required
def surveillance_submit(certificate_id: int):
    check = _holders_check(certificate_id)
    form = SurveillanceForm()
    if not form.validate_on_submit():
        abort(400)
    document = form.document.data
    surveillance.submit_check(
        check,
        actor=current_user,
        employer=form.employer.data or "",
        position=form.position.data or "",
        statement=form.statement.data or "",
        document=document.stream if document else None,
        filename=document.filename if document else None,
    )
    db.session.commit()
    flash(_("Thank you: an administrator will look at your answer."), "success")
    return redirect(url_for(".surveillance_form", certificate_id=certificate_id))


@bp.get("/admin/surveillance")
@role_required(ADMINISTRATOR)
def surveillance_list():
    today = centre_today()
    return render_template(
        "certificates/surveillance_list.html",
        overdue=surveillance.overdue_checks(today),
        awaiting=surveillance.awaiting_decision(),
        today=today,
        form=SurveillanceDecisionForm(),
    )


@bp.post("/admin/surveillance/<int:check_id>")
@role_required(ADMINISTRATOR)
def surveillance_decide(check_id: int):
    check = db.get_or_404(SurveillanceCheck, check_id)
    form = SurveillanceDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    accept = request.form.get("decision") == "accept"
    surveillance.decide_check(check, actor=current_user, accept=accept, note=form.note.data or "")
    db.session.commit()
    if not accept:
        flash(_("A case is open: suspend the certificate from its page if the holder no longer practises."), "info")
        return redirect(url_for(".detail", certificate_id=check.certificate_id))
    flash(_("The check is accepted."), "success")
    return redirect(url_for(".surveillance_list"))


@bp.get("/admin/surveillance/<int:check_id>/document")
@role_required(ADMINISTRATOR)
def surveillance_document(check_id: int):
    from certcenter.core.storage import StorageError, send_stored

    check = db.get_or_404(SurveillanceCheck, check_id)
    if not check.document_key:
        abort(404)
    try:
        return send_stored(
            check.document_key,
            size=check.document_size,
            mimetype="application/octet-stream",
            download_name=check.document_name or "document",
            etag=check.document_sha256,
        )
    except StorageError:
        abort(404)
