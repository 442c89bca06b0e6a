"""The assessors' workspace (declarations, judging, moderation) and the administrators' assignment and decision
forms (shown on the application page by ``panels``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, User
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.assessments import policy, services
from certcenter.assessments.forms import (
    AssignForm,
    DecisionForm,
    DeclarationForm,
    JudgementForm,
    ModerationForm,
    ModeratorDeclarationForm,
    PickModeratorForm,
    ResultModerationForm,
    parse_judgement,
)
from certcenter.assessments.models import (
    CONFLICT,
    CONFLICT_KINDS,
    EVIDENCE_RULES,
    PENDING,
    RATING_LABELS,
    RESULT_KINDS,
    RESULT_SOURCES,
    Assignment,
    Moderator,
)
from certcenter.core.forms import abort_if_stale, choices
from certcenter.core.permissions import role_required
from certcenter.evidence.models import EVIDENCE_KINDS
from certcenter.extensions import db
from certcenter.framework.vocabulary import EDUCATION_LEVELS
from certcenter.qualifications.criteria import criteria_for

bp = Blueprint("assessments", __name__)


def _own_assignment(assignment_id: int) -> Assignment:
    """The signed-in assessor's assignment; anyone else's is 404."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not assignment.can_open(current_user):
        abort(404)
    return assignment


@bp.get("/assess")
@role_required(ASSESSOR)
def workspace():
    """What is due now, then everything finished, a page at a time (an assessor's history grows for years). An
    assignment of a round since followed by another is no longer his to open."""
    mine = (
        select(Assignment)
        .join(
            Application,
            and_(Assignment.application_id == Application.id, Assignment.round == Application.current_round),
        )
        .where(Assignment.assessor_id == current_user.id, Assignment.status != CONFLICT)
        .options(joinedload(Assignment.application))
        .order_by(Assignment.assigned_at.desc(), Assignment.id.desc())
    )
    under_way = or_(Assignment.status == PENDING, Application.state.in_(workflow.MARKING_STATES))
    moderations = db.session.scalars(
        select(Moderator)
        .join(
            Application,
            and_(Moderator.application_id == Application.id, Moderator.round == Application.current_round),
        )
        .where(
            Moderator.user_id == current_user.id,
            Moderator.status != CONFLICT,
            Application.state == workflow.MODERATION,
        )
        .options(joinedload(Moderator.application))
        .order_by(Moderator.picked_at)
    ).all()
    return render_template(
        "assessments/workspace.html",
        moderations=moderations,
        assignments=db.session.scalars(mine.where(under_way)).all(),
        finished=db.paginate(mine.where(~under_way), per_page=50),
        state_labels=workflow.STATE_LABELS,
    )


def _judge_page(assignment: Assignment, status: int = 200, problems=None):
    application = assignment.application
    marking_closed = services.marking_closed(application)
    return render_template(
        "assessments/judge.html",
        assignment=assignment,
        application=application,
        rounds=services.rounds_of(application) if (application.current_round or 1) > 1 else [],
        criteria=criteria_for(application),
        evidence=services.evidence_for_assessor(application),
        education_documents=services.education_documents(application),
        results={result.kind: result for result in assignment.results},
        exam_results={kind: services.exam_result(application, kind) for kind in RESULT_KINDS},
        editable=assignment.can_score(current_user),
        marking_closed=marking_closed,
        agreement=services.agreement(application) if marking_closed else [],
        result_agreement=services.result_agreement(application) if marking_closed else [],
        result_sources=RESULT_SOURCES,
        can_moderate=False,  # an assigned assessor never moderates his own application
        moderation_form=ModerationForm(),
        form=JudgementForm(version=application.version),
        problems=problems if problems is not None else services.judgement_problems(assignment),
        rating_labels=RATING_LABELS,
        evidence_rules=EVIDENCE_RULES,
        evidence_kinds=EVIDENCE_KINDS,
        result_kinds=RESULT_KINDS,
        education_levels=EDUCATION_LEVELS,
        state_labels=workflow.STATE_LABELS,
        lower_levels=range(1, application.qualification.level.number),
    ), status


@bp.route("/assess/<int:assignment_id>", methods=["GET", "POST"])
@role_required(ASSESSOR)
def assignment(assignment_id: int):
    assignment = _own_assignment(assignment_id)
    if assignment.status != PENDING:
        return _judge_page(assignment)
    form = DeclarationForm()
    if form.validate_on_submit():
        conflict = form.conflict.data == "yes"
        try:
            services.declare_conflict(
                assignment,
                actor=current_user,
                conflict=conflict,
                kind=form.kind.data or None,
                note=form.note.data or "",
            )
        except services.AssessmentError as exc:
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            if conflict:
                flash(
                    _("Thank you. The assignment has been removed and the centre will assign another assessor."), "info"
                )
                return redirect(url_for(".workspace"))
            return redirect(url_for(".assignment", assignment_id=assignment.id))
    return render_template(
        "assessments/declaration.html", assignment=assignment, form=form, conflict_kinds=CONFLICT_KINDS
    ), 400 if form.is_submitted() else 200


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/assess/<int:assignment_id>/draft")
@role_required(ASSESSOR)
def save_draft(assignment_id: int):
    assignment = _own_assignment(assignment_id)
    form = JudgementForm()
    if not form.validate_on_submit():
        abort(400)
    if not assignment.can_score(current_user):
        abort(409, description=_("This judgement can no longer be changed."))
    try:
        services.save_draft(assignment, parse_judgement(request.form), actor=current_user)
    except services.AssessmentError as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify({"saved": False, "message": str(exc.message)}), 400
        return _judge_page(assignment, 400, problems=[exc.message])
    db.session.commit()
    if _wants_json():
        return jsonify(
            {
                "saved": True,
                "saved_at": assignment.draft_saved_at.isoformat(),
                "message": _("Draft saved at %(time)s.", time=format_datetime(assignment.draft_saved_at, "HH:mm:ss")),
            }
        )
    flash(_("Draft saved."), "success")
    return redirect(url_for(".assignment", assignment_id=assignment.id))


@bp.post("/assess/<int:assignment_id>/submit")
@role_required(ASSESSOR)
def submit(assignment_id: int):
    assignment = _own_assignment(assignment_id)
    form = JudgementForm()
    if not form.validate_on_submit():
        abort(400)
    if assignment.status == "submitted":
        flash(_("Your judgement has been submitted."), "success")
        return redirect(url_for(".assignment", assignment_id=assignment.id))
    if not assignment.can_score(current_user):
        abort(409, description=_("This judgement can no longer be changed."))
    data = parse_judgement(request.form)
    try:
        services.submit_judgement(assignment, data, actor=current_user)
    except services.AssessmentError as exc:
        db.session.rollback()
        # keep what was typed: save it as a draft, then show what is missing
        assignment = _own_assignment(assignment_id)
        try:
            services.save_draft(assignment, data, actor=current_user)
            db.session.commit()
        except services.AssessmentError:
            db.session.rollback()
        return _judge_page(_own_assignment(assignment_id), 400, problems=[exc.message])
    db.session.commit()
    flash(_("Your judgement has been submitted and locked."), "success")
    return redirect(url_for(".assignment", assignment_id=assignment.id))


def _moderation_application(application_id: int) -> Application:
    """An application someone may try to moderate: its administrators, assessors and picked moderator get an
    answer (the refusal says why); anyone else is 404."""
    application = db.session.get(Application, application_id)
    if application is None or not (
        current_user.has_role(ADMINISTRATOR)
        or policy.assignment_for(application, current_user)
        or policy.is_picked_moderator(application, current_user)
    ):
        abort(404)
    return application


def _moderation_page(application: Application, status: int = 200, form=None):
    moderator = policy.current_moderator(application)
    if moderator.status == "pending":
        return render_template(
            "assessments/moderator_declaration.html",
            application=application,
            form=form or ModeratorDeclarationForm(),
            conflict_kinds=CONFLICT_KINDS,
        ), status
    return render_template(
        "assessments/moderation.html",
        application=application,
        moderator=moderator,
        agreement=services.agreement(application),
        result_agreement=services.result_agreement(application),
        can_moderate=policy.can_moderate(application, current_user),
        moderation_form=ModerationForm(),
        result_form=ResultModerationForm(),
        rating_labels=RATING_LABELS,
        result_kinds=RESULT_KINDS,
        result_sources=RESULT_SOURCES,
        evidence=services.evidence_for_assessor(application),
        state_labels=workflow.STATE_LABELS,
        lower_levels=range(1, application.qualification.level.number),
    ), status


@bp.get("/moderation/<int:application_id>")
@role_required(ASSESSOR, ADMINISTRATOR)
def moderation(application_id: int):
    """The picked moderator's page: his declaration first, then the disagreements with what each assessor said."""
    application = db.session.get(Application, application_id)
    if application is None or not policy.is_picked_moderator(application, current_user):
        abort(404)
    return _moderation_page(application)


@bp.post("/moderation/<int:application_id>/declaration")
@role_required(ASSESSOR, ADMINISTRATOR)
def declare_as_moderator(application_id: int):
    application = db.session.get(Application, application_id)
    if application is None or not policy.is_picked_moderator(application, current_user):
        abort(404)
    form = ModeratorDeclarationForm()
    if not form.validate_on_submit():
        return _moderation_page(application, 400, form)
    conflict = form.conflict.data == "yes"
    try:
        services.declare_moderator_conflict(
            policy.current_moderator(application),
            actor=current_user,
            conflict=conflict,
            kind=form.kind.data or None,
            note=form.note.data or "",
        )
    except services.AssessmentError as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        return _moderation_page(application, 409, form)
    db.session.commit()
    if conflict:
        flash(_("Thank you. You will not moderate this application; the centre will pick another moderator."), "info")
        if current_user.has_role(ASSESSOR):
            return redirect(url_for(".workspace"))
        return redirect(url_for("notifications.notification_list"))
    return redirect(url_for(".moderation", application_id=application.id))


def _refuse_unless_moderator(application: Application) -> None:
    """The refusal first, whatever the form says: the separation of duties (audited), then who may moderate."""
    case.refuse(application, current_user, case.MODERATE)
    reason = policy.moderation_refusal(application, current_user)
    if reason is not None:
        abort(409, description=str(reason))


def _after_moderation(application: Application):
    if policy.is_picked_moderator(application, current_user):
        return redirect(url_for(".moderation", application_id=application.id))
    return redirect(url_for("applications.application", application_id=application.id) + "#assessment")


@bp.post("/moderation/<int:application_id>")
@role_required(ASSESSOR, ADMINISTRATOR)
def moderate(application_id: int):
    application = _moderation_application(application_id)
    form = ModerationForm()
    _refuse_unless_moderator(application)
    if not form.validate_on_submit():
        flash(_("Write the reason for the rating."), "error")
        return _after_moderation(application)
    try:
        services.moderate(
            application,
            form.criterion_key.data,
            actor=current_user,
            rating=form.rating.data,
            reason=form.reason.data,
            met_at_level=form.met_at_level.data,
        )
    except services.AssessmentError as exc:
        db.session.rollback()
        abort(409, description=str(exc.message))
    db.session.commit()
    flash(_("The moderated rating has been recorded."), "success")
    return _after_moderation(application)


@bp.post("/moderation/<int:application_id>/results")
@role_required(ASSESSOR, ADMINISTRATOR)
def moderate_result(application_id: int):
    application = _moderation_application(application_id)
    form = ResultModerationForm()
    _refuse_unless_moderator(application)
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return _after_moderation(application)
    try:
        services.moderate_result(
            application, form.kind.data, actor=current_user, percent=form.percent.data, reason=form.reason.data
        )
    except services.AssessmentError as exc:
        db.session.rollback()
        abort(409, description=str(exc.message))
    db.session.commit()
    flash(_("The moderated result has been recorded."), "success")
    return _after_moderation(application)


@bp.post("/admin/applications/<int:application_id>/moderator")
@role_required(ADMINISTRATOR)
def pick_moderator(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = PickModeratorForm()
    form.moderator_id.choices = choices(
        {user.id: user.full_name for user in services.moderator_candidates(application)}
    )
    form.moderator_id.validate_choice = False  # whoever is named, the policy gives the reason for a refusal
    if not form.validate_on_submit():
        flash(_("Choose a moderator."), "error")
        return redirect(url_for("applications.application", application_id=application.id) + "#assessment")
    moderator = db.session.get(User, form.moderator_id.data)
    if moderator is None:
        abort(400)
    try:
        services.pick_moderator(application, moderator, actor=current_user)
    except services.AssessmentError as exc:
        db.session.rollback()
        abort(409, description=str(exc.message))
    db.session.commit()
    flash(_("The moderator has been picked."), "success")
    return redirect(url_for("applications.application", application_id=application.id) + "#assessment")


@bp.post("/admin/applications/<int:application_id>/assign")
@role_required(ADMINISTRATOR)
def assign(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = AssignForm()
    form.assessor_id.choices = choices({user.id: user.full_name for user in services.available_assessors(application)})
    form.assessor_id.validate_choice = False  # whoever is named, the service gives the reason for a refusal
    if not form.validate_on_submit():
        flash(_("Choose an assessor."), "error")
    else:
        assessor = db.session.get(User, form.assessor_id.data)
        if assessor is None:
            abort(400)
        try:
            services.assign_assessor(application, assessor, actor=current_user, lead=form.lead.data)
        except services.AssessmentError as exc:
            db.session.rollback()
            abort(409, description=str(exc.message))
        db.session.commit()
        flash(_("The assessor has been assigned."), "success")
    return redirect(url_for("applications.application", application_id=application.id) + "#assessment")


@bp.post("/admin/applications/<int:application_id>/decision")
@role_required(ADMINISTRATOR)
def decide(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    abort_if_stale(application, form.version.data)
    try:
        services.decide(
            application,
            actor=current_user,
            outcome=form.outcome.data,
            deviation_reason=form.deviation_reason.data or "",
            comment=form.comment.data or "",
        )
    except services.AssessmentError as exc:
        db.session.rollback()
        abort(409, description=str(exc.message))
    db.session.commit()
    flash(_("The decision has been recorded."), "success")
    return redirect(url_for("applications.application", application_id=application.id))
