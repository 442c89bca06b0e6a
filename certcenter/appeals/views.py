"""Appeals: the candidate's form, the administrators' list and panel forming, the panel's case page (declaration,
case file, outcome). Complaints: the public desk (file, follow by the secret link), the administrators' list and
handling, and the investigator's page."""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE, User
from certcenter.appeals import policy, services
from certcenter.appeals.deadlines import last_day_to_appeal
from certcenter.appeals.forms import (
    AcknowledgeForm,
    AppealForm,
    AppealOutcomeForm,
    AssignForm,
    ComplaintForm,
    OutcomeForm,
    PanelDeclarationForm,
    PanelMemberForm,
    SubjectForm,
)
from certcenter.appeals.models import (
    APPEAL_OUTCOMES,
    APPEAL_STATES,
    CATEGORIES,
    CLOSED,
    MEMBER_PENDING,
    OPEN_APPEAL_STATES,
    OPEN_STATES,
    OUTCOMES,
    STATES,
    SUBJECTS,
    Appeal,
    Complaint,
)
from certcenter.applications.models import Application
from certcenter.applications.workflow import STATE_LABELS
from certcenter.assessments.models import CONFLICT_KINDS, RATING_LABELS
from certcenter.assessments.reasons import snapshot_titles
from certcenter.assessments.services import evidence_for_assessor
from certcenter.core.errors import UserError
from certcenter.core.forms import choices
from certcenter.core.i18n import current_language, localized
from certcenter.core.models import utcnow
from certcenter.core.permissions import role_required
from certcenter.core.security_log import security_event
from certcenter.core.storage import send_stored
from certcenter.extensions import db, limiter

bp = Blueprint("appeals", __name__)


def _form_clock() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="complaint-form-shown")


def _looks_automated(form: ComplaintForm) -> str | None:
    """Why the submission looks like a robot's (a hidden field filled, the form sent too fast or never shown)."""
    if form.website.data:
        return "honeypot"
    try:
        shown_at = _form_clock().loads(form.shown.data or "", max_age=24 * 3600)
    except BadSignature:
        return "no-form"
    if time.time() - float(shown_at) < current_app.config["COMPLAINT_MIN_FILL_SECONDS"]:
        return "too-fast"
    return None


@bp.route("/complaints/new", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["COMPLAINT_RATE_LIMIT"], methods=["POST"])
def new_complaint():
    form = ComplaintForm()
    if form.validate_on_submit():
        robot = _looks_automated(form)
        if robot is not None:
            security_event("complaint_refused", reason=robot)
            form.form_errors.append(
                _("The form was sent too quickly or incompletely. Please read it through and send it again.")
            )
        else:
            upload = form.attachment.data
            try:
                complaint, secret = services.file_complaint(
                    category=form.category.data,
                    subject_kind=form.subject_kind.data,
                    subject_name=form.subject_name.data or "",
                    certificate_number=form.certificate_number.data or "",
                    text=form.text.data,
                    contact_name=form.contact_name.data,
                    contact_email=form.contact_email.data or "",
                    contact_phone=form.contact_phone.data or "",
                    language=current_language(),
                    user=current_user if current_user.is_authenticated else None,
                    attachment=upload.stream if upload else None,
                    attachment_name=upload.filename if upload else None,
                )
            except UserError as error:
                db.session.rollback()
                form.form_errors.append(str(error.message))
            else:
                db.session.commit()
                flash(_("Your complaint has been received. Keep the link of this page to follow it."), "success")
                return redirect(url_for(".follow", reference=complaint.reference, secret=secret))
    form.shown.data = _form_clock().dumps(time.time())
    status = 400 if request.method == "POST" else 200
    return render_template("appeals/new_complaint.html", form=form), status


@bp.get("/complaints/<reference>/<secret>")
def follow(reference: str, secret: str):
    complaint = services.find_by_link(reference, secret)
    if complaint is None:
        abort(404)
    return render_template("appeals/follow.html", complaint=complaint, states=STATES)


@bp.get("/admin/complaints")
@role_required(ADMINISTRATOR)
def complaints():
    state = request.args.get("state", "open")
    statement = select(Complaint).order_by(Complaint.created_at.desc())
    if state == "open":
        statement = statement.where(Complaint.state.in_(OPEN_STATES))
    elif state in STATES:
        statement = statement.where(Complaint.state == state)
    if request.args.get("overdue"):
        now = utcnow()
        statement = statement.where(
            Complaint.state.in_(OPEN_STATES),
            ((Complaint.state == "received") & (Complaint.acknowledge_by < now)) | (Complaint.resolve_by < now),
        )
    page = db.paginate(statement, per_page=50)
    return render_template(
        "appeals/complaints.html", page=page, state=state, states=STATES, categories=CATEGORIES, now=utcnow()
    )


def _handled(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or not policy.can_handle(complaint, current_user):
        abort(404)
    return complaint


def handling_page(complaint: Complaint, status: int = 200, **forms):
    staff = services.staff_choices()
    assign_form = forms.get("assign_form") or AssignForm()
    assign_form.investigator.choices = [(user.id, user.full_name) for user in staff]
    subject_form = forms.get("subject_form") or SubjectForm(subject=complaint.subject_user_id or 0)
    subject_form.subject.choices = [(0, "—")] + [(user.id, user.full_name) for user in staff]
    return render_template(
        "appeals/handling.html",
        complaint=complaint,
        states=STATES,
        categories=CATEGORIES,
        subjects=SUBJECTS,
        outcomes=OUTCOMES,
        now=utcnow(),
        manage=policy.can_manage(current_user),
        decide=policy.can_decide(complaint, current_user),
        acknowledge_form=AcknowledgeForm(),
        assign_form=assign_form,
        subject_form=subject_form,
        outcome_form=forms.get("outcome_form") or OutcomeForm(),
        closed=complaint.state == CLOSED,
    ), status


@bp.get("/complaints/handling/<int:complaint_id>")
@role_required(ADMINISTRATOR, ASSESSOR)
def handling(complaint_id: int):
    return handling_page(_handled(complaint_id))


@bp.get("/complaints/handling/<int:complaint_id>/attachment")
@role_required(ADMINISTRATOR, ASSESSOR)
def attachment(complaint_id: int):
    complaint = _handled(complaint_id)
    if not complaint.attachment_key:
        abort(404)
    return send_stored(
        complaint.attachment_key,
        size=complaint.attachment_size,
        mimetype=complaint.attachment_type,
        download_name=complaint.attachment_name,
        etag=complaint.attachment_sha256,
    )


def _managed(complaint_id: int) -> Complaint:
    complaint = _handled(complaint_id)
    if not policy.can_manage(current_user):
        abort(403)
    return complaint


def _done(complaint: Complaint, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".handling", complaint_id=complaint.id))


@bp.post("/admin/complaints/<int:complaint_id>/acknowledge")
@role_required(ADMINISTRATOR)
def acknowledge(complaint_id: int):
    complaint = _managed(complaint_id)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.acknowledge(complaint, actor=current_user, note=form.note.data or "")
    except UserError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return handling_page(complaint, 409)
    return _done(complaint, _("The complaint is acknowledged."))


@bp.post("/admin/complaints/<int:complaint_id>/assign")
@role_required(ADMINISTRATOR)
def assign(complaint_id: int):
    complaint = _managed(complaint_id)
    form = AssignForm()
    form.investigator.choices = [(user.id, user.full_name) for user in services.staff_choices()]
    investigator = db.session.get(User, request.form.get("investigator", type=int) or 0)
    if investigator is None or not form.validate_on_submit():
        abort(400)
    try:
        services.assign_investigator(complaint, investigator, actor=current_user)
    except UserError as error:
        db.session.commit()  # keeps the audit entry of the refusal
        flash(str(error.message), "error")
        return handling_page(complaint, 409, assign_form=form)
    return _done(complaint, _("The investigator is assigned."))


@bp.post("/admin/complaints/<int:complaint_id>/subject")
@role_required(ADMINISTRATOR)
def subject(complaint_id: int):
    complaint = _managed(complaint_id)
    person_id = request.form.get("subject", type=int) or 0
    person = db.session.get(User, person_id) if person_id else None
    if person_id and person is None:
        abort(400)
    try:
        services.identify_subject(complaint, person, actor=current_user)
    except UserError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return handling_page(complaint, 409)
    return _done(complaint, _("The person complained about is recorded."))


@bp.post("/complaints/handling/<int:complaint_id>/outcome")
@role_required(ADMINISTRATOR, ASSESSOR)
def outcome(complaint_id: int):
    complaint = _handled(complaint_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return handling_page(complaint, 400, outcome_form=form)
    try:
        services.record_outcome(
            complaint,
            actor=current_user,
            findings=form.findings.data,
            outcome=form.outcome.data,
            response=form.response.data,
        )
    except UserError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return handling_page(complaint, 409, outcome_form=form)
    return _done(complaint, _("The outcome is recorded and the complainant can read the answer."))


# --- appeals --------------------------------------------------------------------------------------------------------


def _own_application(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.candidate.user_id != current_user.id:
        abort(404)
    return application


def _appeal_form_page(application: Application, form: AppealForm, status: int = 200):
    form.contested.choices = choices(
        {
            criterion["key"]: criterion.get("code") or localized(criterion.get("title"))
            for criterion in services.contestable_criteria(application)
        }
    )
    decision = application.decision
    return render_template(
        "appeals/lodge.html",
        application=application,
        form=form,
        decision=decision,
        last_day=last_day_to_appeal(decision.decided_at) if decision else None,
        cannot_lodge=policy.lodging_refusal(application, current_user, services.now()),
    ), status


@bp.route("/applications/<int:application_id>/appeal", methods=["GET", "POST"])
@role_required(CANDIDATE)
def lodge(application_id: int):
    application = _own_application(application_id)
    form = AppealForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _appeal_form_page(application, form, 400)
        upload = form.attachment.data
        try:
            services.lodge_appeal(
                application,
                actor=current_user,
                grounds=form.grounds.data,
                contested=request.form.getlist("contested"),
                attachment=upload.stream if upload else None,
                attachment_name=upload.filename if upload else None,
                now=services.now(),
            )
        except UserError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
            return _appeal_form_page(application, form, 409)
        db.session.commit()
        flash(_("Your appeal has been lodged. The centre forms an independent panel to hear it."), "success")
        return redirect(url_for("applications.application", application_id=application.id) + "#appeals")
    return _appeal_form_page(application, form)


@bp.get("/admin/appeals")
@role_required(ADMINISTRATOR)
def appeals():
    state = request.args.get("state", "open")
    statement = select(Appeal).order_by(Appeal.decide_by)
    if state == "open":
        statement = statement.where(Appeal.state.in_(OPEN_APPEAL_STATES))
    elif state in APPEAL_STATES:
        statement = statement.where(Appeal.state == state)
    if request.args.get("overdue"):
        statement = statement.where(Appeal.state.in_(OPEN_APPEAL_STATES), Appeal.decide_by < utcnow())
    page = db.paginate(statement, per_page=50)
    return render_template("appeals/appeals.html", page=page, state=state, states=APPEAL_STATES, now=utcnow())


def _seen_appeal(appeal_id: int) -> Appeal:
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or not policy.can_see_appeal(appeal, current_user):
        abort(404)
    return appeal


def appeal_page(appeal: Appeal, status: int = 200, **forms):
    member = policy.panel_member(appeal, current_user)
    if member is not None and member.status == MEMBER_PENDING and not policy.can_manage(current_user):
        return render_template(
            "appeals/declaration.html", appeal=appeal, form=forms.get("declaration_form") or PanelDeclarationForm()
        ), status
    manage = policy.can_manage(current_user)
    member_form = forms.get("member_form") or PanelMemberForm()
    offered = services.panel_candidates(appeal) if manage and appeal.is_open else []
    member_form.member.choices = choices(
        {
            person.id: person.full_name if refusal is None else f"{person.full_name} — {refusal}"
            for person, refusal in offered
        }
    )
    application = appeal.application
    decision = appeal.decision
    sits = policy.can_sit(appeal, current_user)
    return render_template(
        "appeals/appeal.html",
        appeal=appeal,
        application=application,
        decision=decision,
        criteria_titles=snapshot_titles(decision.snapshot) if decision else {},
        states=APPEAL_STATES,
        outcomes=APPEAL_OUTCOMES,
        state_labels=STATE_LABELS,
        rating_labels=RATING_LABELS,
        conflict_kinds=CONFLICT_KINDS,
        now=utcnow(),
        manage=manage,
        member=member,
        case_file=manage or sits,
        evidence=evidence_for_assessor(application) if (manage or sits) else [],
        member_form=member_form,
        declaration_form=forms.get("declaration_form") or PanelDeclarationForm(),
        outcome_form=forms.get("outcome_form") or AppealOutcomeForm(),
        may_decide=policy.outcome_refusal(appeal, current_user) is None,
        declare=member is not None and member.status == MEMBER_PENDING,
    ), status


@bp.get("/appeals/<int:appeal_id>")
@role_required(ADMINISTRATOR, ASSESSOR)
def appeal(appeal_id: int):
    return appeal_page(_seen_appeal(appeal_id))


@bp.get("/appeals/<int:appeal_id>/attachment")
@login_required
def appeal_attachment(appeal_id: int):
    """The new evidence of an appeal: its candidate, the administrators and the panel."""
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or not appeal.attachment_key:
        abort(404)
    if appeal.application.candidate.user_id != current_user.id and not policy.can_see_appeal(appeal, current_user):
        abort(404)
    return send_stored(
        appeal.attachment_key,
        size=appeal.attachment_size,
        mimetype=appeal.attachment_type,
        download_name=appeal.attachment_name,
        etag=appeal.attachment_sha256,
    )


def _appeal_done(appeal: Appeal, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".appeal", appeal_id=appeal.id))


@bp.post("/admin/appeals/<int:appeal_id>/panel")
@role_required(ADMINISTRATOR)
def seat_member(appeal_id: int):
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        abort(404)
    form = PanelMemberForm()
    person = db.session.get(User, request.form.get("member", type=int) or 0)
    if person is None or not form.validate_on_submit():
        abort(400)
    try:
        services.seat_member(appeal, person, actor=current_user)
    except UserError as error:
        db.session.commit()  # keeps the audit entry of the refusal
        if not policy.can_see_appeal(appeal, current_user):
            abort(error.status, description=str(error.message))
        flash(str(error.message), "error")
        return appeal_page(appeal, error.status, member_form=form)
    return _appeal_done(appeal, _("%(name)s is on the panel.", name=person.full_name))


@bp.post("/appeals/<int:appeal_id>/declaration")
@role_required(ADMINISTRATOR, ASSESSOR)
def declare_on_appeal(appeal_id: int):
    appeal = db.session.get(Appeal, appeal_id)
    member = policy.panel_member(appeal, current_user) if appeal is not None else None
    if member is None:
        abort(404)
    form = PanelDeclarationForm()
    if not form.validate_on_submit():
        return appeal_page(appeal, 400, declaration_form=form)
    conflict = form.conflict.data == "yes"
    try:
        services.declare_member_conflict(
            member, actor=current_user, conflict=conflict, kind=form.kind.data or None, note=form.note.data or ""
        )
    except UserError as error:
        db.session.rollback()
        form.form_errors.append(str(error.message))
        return appeal_page(appeal, error.status, declaration_form=form)
    db.session.commit()
    if conflict:
        flash(_("Thank you. You will not sit on this appeal's panel; the centre will seat another member."), "info")
        return redirect(url_for("notifications.notification_list"))
    return redirect(url_for(".appeal", appeal_id=appeal.id))


@bp.post("/appeals/<int:appeal_id>/outcome")
@role_required(ADMINISTRATOR, ASSESSOR)
def appeal_outcome(appeal_id: int):
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        abort(404)
    form = AppealOutcomeForm()
    if not form.validate_on_submit():
        if not policy.can_see_appeal(appeal, current_user):
            abort(400)
        return appeal_page(appeal, 400, outcome_form=form)
    try:
        services.record_appeal_outcome(
            appeal,
            actor=current_user,
            outcome=form.outcome.data,
            reasoning=form.reasoning.data,
            answer=form.answer.data,
        )
    except UserError as error:
        db.session.rollback()
        if not policy.can_see_appeal(appeal, current_user):
            abort(error.status, description=str(error.message))
        flash(str(error.message), "error")
        return appeal_page(appeal, error.status, outcome_form=form)
    return _appeal_done(appeal, _("The outcome is recorded and the candidate can read the answer."))
