"""What assessment shows on the application page and the candidate's dashboard, and how its notices read."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import ADMINISTRATOR
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.assessments import policy, services
from certcenter.assessments.forms import AssignForm, DecisionForm, ModerationForm
from certcenter.assessments.models import RATING_LABELS
from certcenter.assessments.reasons import snapshot_titles
from certcenter.core.forms import choices
from certcenter.notifications.models import Notification
from certcenter.qualifications.criteria import assessment_criteria


def decision_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The recorded decision with its reasons, for the candidate and the administrators."""
    decision = getattr(application, "decision", None)
    if decision is None:
        return None
    return {"decision": decision, "criteria_titles": snapshot_titles(decision.snapshot)}


def assessment_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The administrators' part: assessors, agreement and moderation, recommendation, decision."""
    if not current_user.has_role(ADMINISTRATOR) or application.is_owner(current_user):
        return None
    available = services.available_assessors(application)
    assign_form = AssignForm()
    assign_form.assessor_id.choices = choices({user.id: user.full_name for user in available})
    awaiting = application.state == workflow.AWAITING_DECISION
    recommendation = services.recommend(application) if awaiting else None
    return {
        "assignments": application.assignments,
        "required": services.required_assessors(application),
        "can_assign": application.state in (workflow.SUBMITTED, workflow.IN_ASSESSMENT)
        and len(services.counting_assignments(application)) < services.required_assessors(application),
        "agreement": services.agreement(application) if services.marking_closed(application) else [],
        "can_moderate": policy.can_moderate(application, current_user),
        "recommendation": recommendation,
        "can_decide": awaiting and policy.can_decide(application, current_user),
        "criteria_titles": {c.key: c.title for c in assessment_criteria(application.qualification)},
        "assign_form": assign_form,
        "decision_form": DecisionForm(version=application.version),
        "moderation_form": ModerationForm(),
        "action_form": ConfirmForm(),
        "rating_labels": RATING_LABELS,
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
    return _("Application No. %(id)s awaits a decision.", id=notification.subject_id)
