"""Appeals: the candidate's form, the administrators' list and panel forming, the panel's case page (declaration,
case file, the members' votes). The complaints' routes are in ``complaint_views`` (on this blueprint)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE, User
from certcenter.appeals import policy, services
from certcenter.appeals.deadlines import last_day_to_appeal
from certcenter.appeals.forms import (
    AppealForm,
    AppealVoteForm,
    PanelDeclarationForm,
    PanelMemberForm,
    ReleaseMemberForm,
)
from certcenter.appeals.models import (
    APPEAL_OUTCOMES,
    APPEAL_STATES,
    APPEAL_SUBJECTS,
    MEMBER_PENDING,
    NOT_CONFIRMED_DECISION,
    OPEN_APPEAL_STATES,
    Appeal,
    AppealPanelMember,
)
from certcenter.applications.models import Application
from certcenter.applications.workflow import STATE_LABELS
from certcenter.assessments.models import CONFLICT_KINDS, RATING_LABELS
from certcenter.assessments.reasons import snapshot_titles
from certcenter.assessments.services import evidence_for_assessor
from certcenter.core.errors import UserError
from certcenter.core.forms import choices
from certcenter.core.i18n import localized
from certcenter.core.models import utcnow
from certcenter.core.permissions import role_required
from certcenter.core.storage import send_stored
from certcenter.extensions import db

bp = Blueprint("appeals", __name__)


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
        # the choice to contest the lower level the decision advises, only where the centre hears it
        offer_level=policy.level_refusal(application) is None,
        subject=request.form.get("subject", NOT_CONFIRMED_DECISION),
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
                subject=request.form.get("subject") or NOT_CONFIRMED_DECISION,
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
    vote_form = forms.get("vote_form") or AppealVoteForm()
    vote_form.outcome.choices = choices({outcome: APPEAL_OUTCOMES[outcome] for outcome in appeal.outcomes})
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
        vote_form=vote_form,
        release_form=ReleaseMemberForm(),
        subjects=APPEAL_SUBJECTS,
        may_vote=policy.can_vote(appeal, current_user),
        my_vote=appeal.vote_of(current_user.id),
        room=max(0, int(current_app.config["APPEAL_PANEL_MAX_MEMBERS"]) - len(appeal.sitting_members)),
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


@bp.post("/admin/appeals/<int:appeal_id>/panel/<int:member_id>/release")
@role_required(ADMINISTRATOR)
def release_member(appeal_id: int, member_id: int):
    member = db.session.get(AppealPanelMember, member_id)
    if member is None or member.appeal_id != appeal_id:
        abort(404)
    appeal = member.appeal
    form = ReleaseMemberForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.release_member(member, actor=current_user, reason=form.reason.data or "")
    except UserError as error:
        db.session.commit()  # keeps the audit entry of the refusal
        if not policy.can_see_appeal(appeal, current_user):
            abort(error.status, description=str(error.message))
        flash(str(error.message), "error")
        return appeal_page(appeal, error.status)
    return _appeal_done(appeal, _("%(name)s is released from the panel.", name=member.user.full_name))


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


@bp.post("/appeals/<int:appeal_id>/vote")
@role_required(ADMINISTRATOR, ASSESSOR)
def vote(appeal_id: int):
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        abort(404)
    form = AppealVoteForm()  # any outcome: one the appeal does not allow is refused (and audited) by the service
    # a form in error is shown again to whoever may vote; anyone else's vote is refused (and audited) by the service
    if not form.validate_on_submit() and policy.can_vote(appeal, current_user):
        return appeal_page(appeal, 400, vote_form=form)
    try:
        services.cast_vote(
            appeal,
            actor=current_user,
            outcome=form.outcome.data or "",
            reasoning=form.reasoning.data or "",
            answer=form.answer.data or "",
        )
    except UserError as error:
        db.session.rollback()
        if not policy.can_see_appeal(appeal, current_user):
            abort(error.status, description=str(error.message))
        flash(str(error.message), "error")
        return appeal_page(appeal, error.status, vote_form=form)
    if not appeal.is_open:
        return _appeal_done(
            appeal, _("Your vote makes the majority: the outcome is carried out and the candidate can read the answer.")
        )
    return _appeal_done(
        appeal, _("Your vote is recorded. The outcome is carried out once more than half of the panel vote for it.")
    )
