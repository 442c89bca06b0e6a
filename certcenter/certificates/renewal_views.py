"""The holder's renewal: started from the reminder on his dashboard, the rule's requirements filled in, submitted."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from certcenter.applications.models import Application
from certcenter.certificates import renewal as renewals
from certcenter.certificates.forms import CPDForm, RenewalStatementForm, RenewForm
from certcenter.certificates.models import Certificate
from certcenter.certificates.views import bp
from certcenter.core.i18n import centre_today
from certcenter.extensions import db


@bp.post("/certificates/<int:certificate_id>/renew")
@login_required
def renew(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    if not certificate.can_share(current_user):  # the holder's alone
        abort(403)
    form = RenewForm()
    if not form.validate_on_submit():
        abort(400)
    token = (form.form_token.data or "")[:64] or secrets.token_urlsafe(24)
    application = renewals.start_renewal(certificate, actor=current_user, route=form.route.data, form_token=token)
    db.session.commit()
    return redirect(url_for(".renewal", application_id=application.id))


def _holders_renewal(application_id: int):
    application = db.get_or_404(Application, application_id)
    if not application.is_owner(current_user):
        abort(403)
    if application.renewal is None:
        abort(404)
    return application.renewal


@bp.get("/renewals/<int:application_id>")
@login_required
def renewal(application_id: int):
    renewal = _holders_renewal(application_id)
    return render_template(
        "certificates/renewal.html",
        renewal=renewal,
        application=renewal.application,
        qualification=renewal.application.qualification,
        problems=renewals.rule_problems(renewal) if renewal.application.state == "draft" else [],
        practice_years=renewals.practice_years(renewal),
        cpd_form=CPDForm(),
        statement_form=RenewalStatementForm(statement=renewal.practice_statement),
    )


@bp.post("/renewals/<int:application_id>")
@login_required
def renewal_update(application_id: int):
    renewal = _holders_renewal(application_id)
    if request.form.get("action") == "cpd":
        form = CPDForm()
        if not form.validate_on_submit():
            flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
            return redirect(url_for(".renewal", application_id=application_id))
        renewals.add_cpd(
            renewal,
            actor=current_user,
            title=form.title.data or "",
            provider=form.provider.data or "",
            hours=form.hours.data,
            completed_on=form.completed_on.data or centre_today(),
        )
    else:
        form = RenewalStatementForm()
        if not form.validate_on_submit():
            abort(400)
        renewals.save_statement(renewal, actor=current_user, statement=form.statement.data or "")
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".renewal", application_id=application_id))


@bp.post("/renewals/<int:application_id>/submit")
@login_required
def renewal_submit(application_id: int):
    renewal = _holders_renewal(application_id)
    if not RenewalStatementForm().validate_on_submit():
        abort(400)
    renewals.submit_renewal(renewal, actor=current_user)
    db.session.commit()
    flash(_("Your renewal is submitted."), "success")
    return redirect(url_for("applications.application", application_id=application_id))
