"""The case file's pages: the candidate's applications, the application page every role shares (composed of the
panels the domains above register), applying, submitting, withdrawing, and the administrators' list."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import ADMINISTRATOR, CANDIDATE
from certcenter.applications import policy, services, workflow
from certcenter.applications.forms import ExceptionDecisionForm, SubmitForm, WithdrawForm
from certcenter.applications.models import Application
from certcenter.candidates.eligibility import evaluate_eligibility
from certcenter.candidates.iin import mask_iin
from certcenter.candidates.services import profile_of
from certcenter.core.forms import abort_if_stale
from certcenter.core.permissions import role_required
from certcenter.extensions import db
from certcenter.notifications import services as notices
from certcenter.qualifications.criteria import criteria_for
from certcenter.qualifications.models import Qualification

bp = Blueprint("applications", __name__)


def application_page(application: Application, status: int = 200, **objects):
    """The application page; ``objects`` carry a form that failed, shown again with its errors, to its panel."""
    criteria = criteria_for(application)
    owner = application.is_owner(current_user)
    editable = owner and application.is_editable
    return render_template(
        "applications/application.html",
        application=application,
        owner=owner,
        editable=editable,
        criteria=criteria,
        eligibility=evaluate_eligibility(application.candidate, application.qualification.level) if editable else None,
        problems=services.submission_problems(application) if editable else [],
        submit_form=objects.pop("submit_form", None) or SubmitForm(version=application.version),
        withdraw_form=WithdrawForm(version=application.version),
        exception_form=objects.pop("exception_form", None) or ExceptionDecisionForm(version=application.version),
        can_withdraw=workflow.can_transition(application, workflow.WITHDRAWN, current_user),
        masked_iin=mask_iin(application.candidate.iin),
        page_objects=objects,
    ), status


def viewable_application(application_id: int) -> Application:
    """The application, if the signed-in person may see its page; 404 otherwise (its existence is not revealed)."""
    application = db.session.get(Application, application_id)
    if application is None or not policy.can_view(application, current_user):
        abort(404)
    return application


@bp.get("/dashboard")
@role_required(CANDIDATE)
def dashboard():
    profile = profile_of(current_user)
    return render_template(
        "applications/dashboard.html",
        profile=profile,
        applications=profile.applications if profile else [],
        notices=notices.unread(current_user.id),
        describe=notices.describe,
    )


@bp.get("/applications/<int:application_id>")
@role_required(CANDIDATE, ADMINISTRATOR)
def application(application_id: int):
    return application_page(viewable_application(application_id))


@bp.post("/qualifications/<int:qualification_id>/apply")
@role_required(CANDIDATE)
def apply(qualification_id: int):
    qualification = db.get_or_404(Qualification, qualification_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    profile = profile_of(current_user)
    if profile is None:
        flash(_("Fill in your profile before applying."), "info")
        return redirect(
            url_for("candidates.profile", next=url_for("qualifications.detail", qualification_id=qualification.id))
        )
    token = request.form.get("form_token", "")[:64] or secrets.token_urlsafe(24)
    try:
        application = services.start_application(profile, qualification, actor=current_user, form_token=token)
    except services.ApplicationError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("qualifications.detail", qualification_id=qualification.id))
    db.session.commit()
    return redirect(url_for(".application", application_id=application.id))


@bp.post("/applications/<int:application_id>/submit")
@role_required(CANDIDATE)
def submit(application_id: int):
    application = viewable_application(application_id)
    if not application.is_owner(current_user):
        abort(403)
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    if application.state != workflow.DRAFT and application.submitted_at is not None:
        # A second click of the same button: the first one did the work.
        flash(_("Your application has been submitted."), "success")
        return redirect(url_for(".dashboard"))
    abort_if_stale(application, form.version.data)
    try:
        services.submit_application(application, actor=current_user, exception_request=form.exception_request.data)
    except services.ApplicationError as exc:
        db.session.rollback()
        (form.exception_request.errors if exc.field else form.form_errors).append(exc.message)
        return application_page(viewable_application(application_id), 400, submit_form=form)
    db.session.commit()
    flash(_("Your application has been submitted."), "success")
    return redirect(url_for(".dashboard"))


@bp.post("/applications/<int:application_id>/withdraw")
@role_required(CANDIDATE)
def withdraw(application_id: int):
    application = viewable_application(application_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    abort_if_stale(application, form.version.data)
    services.withdraw_application(application, actor=current_user, reason=form.reason.data)
    db.session.commit()
    flash(_("The application has been withdrawn."), "success")
    return redirect(url_for(".dashboard"))


# --- administration -----------------------------------------------------------------------------------------------


@bp.get("/admin/applications")
@role_required(ADMINISTRATOR)
def admin_list():
    state = request.args.get("state", "")
    statement = (
        select(Application).options(selectinload(Application.candidate)).order_by(Application.state_changed_at.desc())
    )
    if state in workflow.STATES:
        statement = statement.where(Application.state == state)
    page = db.paginate(statement, per_page=50)
    return render_template("applications/admin_list.html", page=page, state=state, state_labels=workflow.STATE_LABELS)


@bp.post("/admin/applications/<int:application_id>/exception")
@role_required(ADMINISTRATOR)
def admin_exception(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = ExceptionDecisionForm()
    if not form.validate_on_submit():
        return application_page(application, 400, exception_form=form)
    abort_if_stale(application, form.version.data)
    services.decide_exception(
        application, actor=current_user, grant=form.decision.data == "grant", reason=form.reason.data
    )
    db.session.commit()
    flash(_("The decision on the exception has been recorded."), "success")
    return redirect(url_for(".application", application_id=application.id))
