"""Complaints: the public desk (file, follow by the secret link), the administrators' list and handling, and the
investigator's page (on the appeals' blueprint)."""

from __future__ import annotations

import time

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, User
from certcenter.appeals import policy, services
from certcenter.appeals.forms import AcknowledgeForm, AssignForm, ComplaintForm, OutcomeForm, SubjectForm
from certcenter.appeals.models import CATEGORIES, CLOSED, OPEN_STATES, OUTCOMES, STATES, SUBJECTS, Complaint
from certcenter.appeals.views import bp
from certcenter.core.errors import UserError
from certcenter.core.i18n import current_language
from certcenter.core.models import utcnow
from certcenter.core.permissions import role_required
from certcenter.core.security_log import security_event
from certcenter.core.storage import send_stored
from certcenter.extensions import db, limiter


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
