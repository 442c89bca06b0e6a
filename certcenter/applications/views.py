"""The case file's pages: the candidate's applications, the application page every role shares (composed of the
panels the domains above register), applying, submitting, withdrawing, and the administrators' list."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import ADMINISTRATOR, CANDIDATE
from certcenter.applications import policy, queue, search, services, workflow
from certcenter.applications.forms import (
    EligibilityResolutionForm,
    ExceptionDecisionForm,
    NameChangeDecisionForm,
    NameChangeForm,
    SubmitForm,
    WithdrawForm,
)
from certcenter.applications.models import NAME_CHANGE_LABELS, Application, NameChangeRequest
from certcenter.candidates.eligibility import evaluate_eligibility
from certcenter.candidates.iin import mask_iin
from certcenter.candidates.services import profile_of
from certcenter.core.errors import UserError
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
        resolution_form=objects.pop("resolution_form", None) or EligibilityResolutionForm(version=application.version),
        can_resolve=services.can_resolve_eligibility(application, current_user),
        can_decide_exception=application.state == workflow.EXCEPTION_REQUESTED
        and workflow.can_transition(application, workflow.SUBMITTED, current_user)
        and policy.may(application, current_user, policy.DECIDE_EXCEPTION),
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


@bp.route("/profile/name-change", methods=["GET", "POST"])
@role_required(CANDIDATE)
def name_change():
    """The person asks for a new name on his submitted applications, with a supporting document."""
    profile = profile_of(current_user)
    if profile is None:
        return redirect(url_for("candidates.profile"))
    form = NameChangeForm()
    status = 200
    if form.validate_on_submit():
        file = form.document.data
        try:
            if not file:
                raise services.ApplicationError(_l("Choose the document that shows the new name."), "document")
            services.request_name_change(
                profile,
                actor=current_user,
                full_name=form.full_name.data,
                full_name_latin=form.full_name_latin.data,
                explanation=form.explanation.data or "",
                stream=file.stream,
                filename=file.filename,
            )
        except UserError as exc:
            db.session.rollback()
            getattr(form, exc.field or "document", form.document).errors.append(exc.message)
            status = 400
        else:
            db.session.commit()
            flash(_("Your request has been sent. An administrator checks the document."), "success")
            return redirect(url_for(".name_change"))
    elif form.is_submitted():
        status = 400
    profile = profile_of(current_user)
    return render_template(
        "applications/name_change.html",
        form=form,
        profile=profile,
        applications=services.named_applications(profile),
        requests=profile.name_changes,
        name_change_labels=NAME_CHANGE_LABELS,
    ), status


# --- administration -----------------------------------------------------------------------------------------------


@bp.post("/admin/applications/<int:application_id>/eligibility")
@role_required(ADMINISTRATOR)
def resolve_eligibility(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = EligibilityResolutionForm()
    if not form.validate_on_submit():
        return application_page(application, 400, resolution_form=form)
    abort_if_stale(application, form.version.data)
    services.resolve_eligibility(
        application, actor=current_user, met=form.decision.data == "met", reason=form.reason.data
    )
    db.session.commit()
    flash(_("Your judgement on the eligibility has been recorded."), "success")
    return redirect(url_for(".application", application_id=application.id))


@bp.get("/admin/name-changes")
@role_required(ADMINISTRATOR)
def admin_name_changes():
    pending = db.session.scalars(
        select(NameChangeRequest).order_by(NameChangeRequest.status != "pending", NameChangeRequest.id.desc())
    ).all()
    return render_template(
        "applications/admin_name_changes.html",
        requests=pending,
        form=NameChangeDecisionForm(),
        name_change_labels=NAME_CHANGE_LABELS,
        may_decide=lambda change: services.may_decide_name_change(change, current_user),
    )


@bp.post("/admin/name-changes/<int:request_id>")
@role_required(ADMINISTRATOR)
def admin_name_change(request_id: int):
    change = db.get_or_404(NameChangeRequest, request_id)
    form = NameChangeDecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose approve or refuse."), "error")
        return redirect(url_for(".admin_name_changes"))
    services.decide_name_change(
        change, actor=current_user, approve=form.decision.data == "approve", reason=form.reason.data or ""
    )
    db.session.commit()
    flash(_("The decision on the change of name has been recorded."), "success")
    return redirect(url_for(".admin_name_changes"))


@bp.get("/admin/queue")
@role_required(ADMINISTRATOR)
def work_queue():
    """The administrator's home: what waits for him, how much of it is overdue, the oldest first."""
    return render_template(
        "applications/work_queue.html",
        lines=queue.queue_lines(),
        overdue=queue.overdue_applications(),
        notices=notices.unread(current_user.id),
        describe=notices.describe,
    )


@bp.get("/admin/applications")
@role_required(ADMINISTRATOR)
def admin_list():
    """Every application, searched by name, IIN or number and filtered; the filters stay on every page."""
    statement = search.search_applications(request.args).options(selectinload(Application.candidate))
    page = db.paginate(statement, per_page=current_app.config["ADMIN_LIST_PER_PAGE"])
    return render_template(
        "applications/admin_list.html",
        page=page,
        args=request.args,
        state_labels=workflow.STATE_LABELS,
        qualifications=search.qualification_options(),
        levels=search.level_options(),
        extra_filters=search.extra_filters(),
    )


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
