"""What assessment shows on the application page and the candidate's dashboard, and how its notices read."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import ADMINISTRATOR
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.assessments import policy, services
from certcenter.assessments.forms import (
    AssignForm,
    DecisionForm,
    ModerationForm,
    PickModeratorForm,
    ResultModerationForm,
)
from certcenter.assessments.models import CONFLICT_KINDS, RATING_LABELS, RESULT_KINDS, RESULT_SOURCES, Decision
from certcenter.assessments.reasons import describe_reason, snapshot_titles
from certcenter.core.forms import choices
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.qualifications.criteria import criteria_for


def decision_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The recorded decision with its reasons, for the candidate and the administrators."""
    decision = getattr(application, "decision", None)
    if decision is None:
        return None
    return {"decision": decision, "criteria_titles": snapshot_titles(decision.snapshot)}


def rounds_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """Every assessment round in order, once an application has more than one: the earlier rounds read-only, each
    with its decision; the administrators (not on their own case) also see its assessors, results and moderation."""
    if (application.current_round or 1) < 2:
        return None
    rounds = services.rounds_of(application)
    return {
        "rounds": rounds,
        "round_detail": current_user.has_role(ADMINISTRATOR) and not application.is_owner(current_user),
        "round_titles": {r.number: snapshot_titles(r.decision.snapshot) for r in rounds if r.decision is not None},
        "rating_labels": RATING_LABELS,
        "result_kinds": RESULT_KINDS,
        "result_sources": RESULT_SOURCES,
    }


def assessment_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The administrators' part: assessors, agreement and moderation, recommendation, decision."""
    if not current_user.has_role(ADMINISTRATOR) or application.is_owner(current_user):
        return None
    offered = services.assessors_on_offer(application)
    assign_form = AssignForm()
    assign_form.assessor_id.choices = choices(
        {
            candidacy.user.id: _(
                "%(name)s (open assignments: %(count)s)", name=candidacy.user.full_name, count=candidacy.workload
            )
            for candidacy in offered
            if candidacy.standing.in_scope
        }
    )
    awaiting = application.state == workflow.AWAITING_DECISION
    recommendation = services.recommend(application) if awaiting else None
    moderator = policy.current_moderator(application)
    can_pick = moderator is None and policy.can_pick_moderator(application, current_user)
    pick_form = PickModeratorForm()
    if can_pick:
        pick_form.moderator_id.choices = choices(
            {user.id: user.full_name for user in services.moderator_candidates(application)}
        )
    closed = services.marking_closed(application)
    return {
        "moderator": moderator,
        "past_moderators": [m for m in application.moderators if m is not moderator],
        "can_pick_moderator": can_pick,
        "pick_form": pick_form,
        "is_moderator": policy.is_picked_moderator(application, current_user),
        "result_agreement": services.result_agreement(application) if closed else [],
        "result_form": ResultModerationForm(),
        "result_kinds": RESULT_KINDS,
        "result_sources": RESULT_SOURCES,
        "assignments": application.assignments,
        "offered": offered,
        "required": services.required_assessors(application),
        "can_assign": application.state in (workflow.SUBMITTED, workflow.IN_ASSESSMENT)
        and len(services.counting_assignments(application)) < services.required_assessors(application),
        "agreement": services.agreement(application) if closed else [],
        "can_moderate": False,  # the moderator works on his own page (``views.moderation``)
        "recommendation": recommendation,
        "can_decide": awaiting and policy.can_decide(application, current_user),
        "criteria_titles": {c.key: c.title for c in criteria_for(application)},
        "assign_form": assign_form,
        "decision_form": DecisionForm(version=application.version),
        "moderation_form": ModerationForm(),
        "action_form": ConfirmForm(),
        "rating_labels": RATING_LABELS,
        "conflict_kinds": CONFLICT_KINDS,
        "lower_levels": range(1, application.qualification.level.number),
    }


def describe_notice(notification: Notification) -> str:
    if notification.kind == services.ASSIGNED:
        return _("You have been assigned to assess application No. %(id)s.", id=notification.subject_id)
    if notification.kind == services.CONFLICT_DECLARED:
        return _(
            "An assessor declared a conflict of interest on application No. %(id)s; assign another assessor.",
            id=notification.subject_id,
        )
    if notification.kind == services.MODERATOR_PICKED:
        return _(
            "You have been picked to moderate the disagreements on application No. %(id)s; declare any conflict of "
            "interest first.",
            id=notification.subject_id,
        )
    if notification.kind == services.MODERATOR_CONFLICT:
        return _(
            "The moderator declared a conflict of interest on application No. %(id)s; pick another moderator.",
            id=notification.subject_id,
        )
    if notification.kind == services.MODERATION_ASKED:
        return _(
            "The assessors' judgements on application No. %(id)s differ; pick an independent moderator.",
            id=notification.subject_id,
        )
    return _("Application No. %(id)s awaits a decision.", id=notification.subject_id)


def notice_link(notification: Notification) -> tuple[str, dict]:
    if notification.kind == services.ASSIGNED:
        return "assessments.workspace", {}
    if notification.kind == services.MODERATOR_PICKED:
        return "assessments.moderation", {"application_id": int(notification.subject_id)}
    return "applications.application", {"application_id": int(notification.subject_id)}


NOTICE_LABELS = {
    services.ASSIGNED: _l("I am assigned to assess an application"),
    services.MODERATOR_PICKED: _l("I am picked to moderate an application"),
    services.MODERATION_ASKED: _l("An application needs a moderator (administrators)"),
    services.MODERATOR_CONFLICT: _l("A moderator declared a conflict of interest (administrators)"),
    services.CONFLICT_DECLARED: _l("An assessor declared a conflict of interest (administrators)"),
    services.READY_FOR_DECISION: _l("An application is ready for a decision (administrators)"),
}


def decision_notice_details(application_id: int) -> str | None:
    """The decision's outcome and reasons, for the candidate's mailed notice of it."""
    decision = db.session.scalar(
        select(Decision).where(Decision.application_id == application_id).order_by(Decision.round.desc()).limit(1)
    )
    if decision is None:
        return None
    titles = snapshot_titles(decision.snapshot)
    reasons = [describe_reason(reason, titles) for reason in decision.reasons or []]
    if decision.deviation_reason:
        reasons.append(decision.deviation_reason)
    if not reasons:
        return None
    return _("The reasons for the decision:") + "\n" + "\n".join(f"— {reason}" for reason in reasons)
