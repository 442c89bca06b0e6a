"""The candidate's pages: dashboard, profile, education, experience, application with its evidence."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import ADMINISTRATOR, CANDIDATE
from certcenter.assessments import notifications, workflow
from certcenter.assessments import services as assessment_services
from certcenter.assessments.forms import AssignForm, DecisionForm, ModerationForm
from certcenter.assessments.models import RATING_LABELS
from certcenter.assessments.reasons import describe_reason
from certcenter.candidates import services
from certcenter.candidates.eligibility import evaluate_eligibility, format_duration
from certcenter.candidates.forms import (
    EducationForm,
    EvidenceUploadForm,
    ExceptionDecisionForm,
    ExperienceForm,
    ProfileForm,
    SubmitForm,
    WithdrawForm,
)
from certcenter.candidates.iin import mask_iin
from certcenter.candidates.models import Application, CandidateProfile, EducationRecord, ExperienceRecord
from certcenter.core.forms import abort_if_stale, choices
from certcenter.core.permissions import role_required
from certcenter.core.views import safe_next
from certcenter.evidence import services as evidence_services
from certcenter.evidence.models import EVIDENCE_KINDS, EvidenceItem
from certcenter.evidence.uploads import UploadError
from certcenter.extensions import db
from certcenter.framework.vocabulary import EDUCATION_LEVELS
from certcenter.qualifications.criteria import assessment_criteria

bp = Blueprint("candidates", __name__)


def _profile_or_redirect():
    profile = services.profile_of(current_user)
    if profile is None:
        flash(_("Fill in your profile first."), "info")
    return profile


def _own(model, object_id: int):
    """An object of the signed-in candidate; anybody else's is 404, so its existence is not revealed."""
    obj = db.session.get(model, object_id)
    profile = services.profile_of(current_user)
    if obj is None or profile is None or obj.candidate_id != profile.id:
        abort(404)
    return obj


@bp.get("/dashboard")
@role_required(CANDIDATE)
def dashboard():
    profile = services.profile_of(current_user)
    applications = profile.applications if profile else []
    panels = {
        application.id: assessment_services.application_panel(application, current_user)
        for application in applications
        if application.decision
    }
    return render_template(
        "candidates/dashboard.html",
        profile=profile,
        applications=applications,
        panels=panels,
        notices=notifications.unread(current_user),
        describe=notifications.describe,
        describe_reason=describe_reason,
        next_steps=workflow.NEXT_STEPS,
        state_labels=workflow.STATE_LABELS,
    )


@bp.route("/profile", methods=["GET", "POST"])
@role_required(CANDIDATE)
def profile():
    existing = services.profile_of(current_user)
    form = ProfileForm(obj=existing, next=request.args.get("next", ""))
    if existing is None and request.method == "GET":
        form.full_name.data = current_user.full_name
    if form.validate_on_submit():
        try:
            services.save_profile(
                current_user,
                full_name=form.full_name.data,
                full_name_latin=form.full_name_latin.data,
                iin=form.iin.data,
                birth_date=form.birth_date.data,
                phone=form.phone.data,
                employer=form.employer.data,
                position=form.position.data,
            )
        except services.CandidateError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            if form.next.data:
                return redirect(safe_next(form.next.data))
            return redirect(url_for(".education"))
    return render_template("candidates/profile.html", form=form, profile=existing)


@bp.route("/profile/education", methods=["GET", "POST"])
@role_required(CANDIDATE)
def education():
    profile = _profile_or_redirect()
    if profile is None:
        return redirect(url_for(".profile"))
    form = EducationForm()
    if form.validate_on_submit():
        try:
            document = None
            if form.document.data and form.document.data.filename:
                upload = form.document.data
                document = evidence_services.add_evidence(
                    profile,
                    upload.stream,
                    upload.filename,
                    kind="diploma",
                    actor=current_user,
                    description=f"{EDUCATION_LEVELS[form.level.data].label}: {form.institution.data}",
                )
            services.add_education(
                profile,
                actor=current_user,
                level=form.level.data,
                institution=form.institution.data,
                speciality=form.speciality.data,
                year_completed=form.year_completed.data,
                document=document,
            )
        except UploadError as exc:
            db.session.rollback()
            form.document.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The education record has been added."), "success")
            return redirect(url_for(".education"))
    return render_template(
        "candidates/education.html",
        form=form,
        profile=profile,
        education_levels=EDUCATION_LEVELS,
        delete_form=ConfirmForm(),
    )


@bp.post("/profile/education/<int:record_id>/delete")
@role_required(CANDIDATE)
def education_delete(record_id: int):
    record = _own(EducationRecord, record_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_education(record, actor=current_user)
    db.session.commit()
    flash(_("The education record has been removed."), "success")
    return redirect(url_for(".education"))


@bp.route("/profile/experience", methods=["GET", "POST"])
@role_required(CANDIDATE)
def experience():
    profile = _profile_or_redirect()
    if profile is None:
        return redirect(url_for(".profile"))
    form = ExperienceForm()
    if form.validate_on_submit():
        try:
            services.add_experience(
                profile,
                actor=current_user,
                employer=form.employer.data,
                position=form.position.data,
                started_on=form.started_on.data,
                ended_on=form.ended_on.data,
                description=form.description.data,
            )
        except services.CandidateError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The work experience has been added."), "success")
            return redirect(url_for(".experience"))
    total = services.experience_total(profile)
    return render_template(
        "candidates/experience.html",
        form=form,
        profile=profile,
        total=format_duration(total),
        delete_form=ConfirmForm(),
    )


@bp.post("/profile/experience/<int:record_id>/delete")
@role_required(CANDIDATE)
def experience_delete(record_id: int):
    record = _own(ExperienceRecord, record_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_experience(record, actor=current_user)
    db.session.commit()
    flash(_("The work experience has been removed."), "success")
    return redirect(url_for(".experience"))


def _application_page(application: Application, **forms):
    criteria = assessment_criteria(application.qualification)
    eligibility = None
    if application.is_editable:
        eligibility = evaluate_eligibility(application.candidate, application.qualification.level)
    forms.setdefault("upload_form", EvidenceUploadForm())
    forms.setdefault("submit_form", SubmitForm(version=application.version))
    forms.setdefault("withdraw_form", WithdrawForm(version=application.version))
    forms.setdefault("exception_form", ExceptionDecisionForm(version=application.version))
    panel = assessment_services.application_panel(application, current_user)
    if "available" in panel:
        assign_form = AssignForm()
        assign_form.assessor_id.choices = choices({user.id: user.full_name for user in panel["available"]})
        forms.setdefault("assign_form", assign_form)
        forms.setdefault("decision_form", DecisionForm(version=application.version))
        forms.setdefault("moderation_form", ModerationForm())
    return render_template(
        "candidates/application.html",
        application=application,
        criteria=criteria,
        criteria_by_key={criterion.key: criterion for criterion in criteria},
        eligibility=eligibility,
        problems=services.submission_problems(application) if application.is_editable else [],
        evidence_kinds=EVIDENCE_KINDS,
        education_levels=EDUCATION_LEVELS,
        state_labels=workflow.STATE_LABELS,
        next_steps=workflow.NEXT_STEPS,
        action_form=ConfirmForm(),
        can_withdraw=workflow.can_transition(application, workflow.WITHDRAWN, current_user),
        masked_iin=mask_iin(application.candidate.iin),
        panel=panel,
        rating_labels=RATING_LABELS,
        describe_reason=describe_reason,
        lower_levels=range(1, application.qualification.level.number),
        **forms,
    )


def _viewable_application(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or not application.can_view(current_user):
        abort(404)
    return application


@bp.get("/applications/<int:application_id>")
@role_required(CANDIDATE, ADMINISTRATOR)
def application(application_id: int):
    return _application_page(_viewable_application(application_id))


def _editable_application(application_id: int) -> Application:
    application = _viewable_application(application_id)
    if not application.is_owner(current_user):
        abort(403)
    if not application.is_editable:
        abort(409, description=_("The application has been submitted; it can no longer be changed."))
    return application


@bp.post("/applications/<int:application_id>/evidence")
@role_required(CANDIDATE)
def evidence_upload(application_id: int):
    application = _editable_application(application_id)
    form = EvidenceUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if not upload:
                raise UploadError(_l("Choose a file to upload."))
            evidence_services.add_evidence(
                application.candidate,
                upload.stream,
                upload.filename,
                kind=form.kind.data,
                actor=current_user,
                application=application,
                description=form.description.data,
                document_date=form.document_date.data,
            )
        except UploadError as exc:
            db.session.rollback()
            form.file.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The file has been added. Now map it to the criteria it supports."), "success")
            return redirect(url_for(".application", application_id=application.id) + "#evidence")
    return _application_page(application, upload_form=form), 400


@bp.post("/applications/<int:application_id>/evidence/<int:item_id>/delete")
@role_required(CANDIDATE)
def evidence_delete(application_id: int, item_id: int):
    application = _editable_application(application_id)
    item = db.session.get(EvidenceItem, item_id)
    if item is None or item.application_id != application.id or not ConfirmForm().validate_on_submit():
        abort(404)
    try:
        evidence_services.remove_evidence(item, actor=current_user)
    except UploadError as exc:
        abort(409, description=str(exc.message))
    db.session.commit()
    flash(_("The file has been removed."), "success")
    return redirect(url_for(".application", application_id=application.id) + "#evidence")


@bp.post("/applications/<int:application_id>/evidence/<int:item_id>/criteria")
@role_required(CANDIDATE)
def evidence_criteria(application_id: int, item_id: int):
    application = _editable_application(application_id)
    item = db.session.get(EvidenceItem, item_id)
    if item is None or item.application_id != application.id or not ConfirmForm().validate_on_submit():
        abort(404)
    try:
        evidence_services.set_criteria(item, set(request.form.getlist("criteria")), actor=current_user)
    except UploadError as exc:
        abort(409, description=str(exc.message))
    db.session.commit()
    flash(_("The criteria for “%(name)s” have been saved.", name=item.original_filename), "success")
    return redirect(url_for(".application", application_id=application.id) + f"#item-{item.id}")


@bp.post("/applications/<int:application_id>/submit")
@role_required(CANDIDATE)
def submit(application_id: int):
    application = _viewable_application(application_id)
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
    except services.CandidateError as exc:
        db.session.rollback()
        application = _viewable_application(application_id)
        if exc.field:
            form.exception_request.errors.append(exc.message)
        else:
            form.form_errors.append(exc.message)
        return _application_page(application, submit_form=form), 400
    db.session.commit()
    flash(_("Your application has been submitted."), "success")
    return redirect(url_for(".dashboard"))


@bp.post("/applications/<int:application_id>/withdraw")
@role_required(CANDIDATE)
def withdraw(application_id: int):
    application = _viewable_application(application_id)
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
def admin_applications():
    state = request.args.get("state", "")
    statement = (
        select(Application).options(selectinload(Application.candidate)).order_by(Application.state_changed_at.desc())
    )
    if state in workflow.STATES:
        statement = statement.where(Application.state == state)
    page = db.paginate(statement, per_page=50)
    return render_template(
        "candidates/admin_applications.html", page=page, state=state, state_labels=workflow.STATE_LABELS
    )


@bp.post("/admin/applications/<int:application_id>/exception")
@role_required(ADMINISTRATOR)
def admin_exception(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = ExceptionDecisionForm()
    if not form.validate_on_submit():
        return _application_page(application, exception_form=form), 400
    abort_if_stale(application, form.version.data)
    services.decide_exception(
        application, actor=current_user, grant=form.decision.data == "grant", reason=form.reason.data
    )
    db.session.commit()
    flash(_("The decision on the exception has been recorded."), "success")
    return redirect(url_for(".application", application_id=application.id))


@bp.get("/admin/candidates/<int:candidate_id>")
@role_required(ADMINISTRATOR)
def admin_candidate(candidate_id: int):
    candidate = db.get_or_404(CandidateProfile, candidate_id)
    return render_template(
        "candidates/admin_candidate.html",
        candidate=candidate,
        education_levels=EDUCATION_LEVELS,
        state_labels=workflow.STATE_LABELS,
        total=format_duration(services.experience_total(candidate)),
    )
