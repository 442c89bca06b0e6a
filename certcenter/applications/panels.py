"""What the applications domain shows on the pages of the domains below it, and how its notice reads."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import CANDIDATE
from certcenter.applications.deadlines import DEADLINE_OVERDUE, DEADLINE_REMINDER
from certcenter.applications.workflow import (
    EXCEPTION_NOTICE,
    NEXT_STEPS,
    STATE_CHANGED,
    STATE_LABELS,
    SUBMITTED_NOTICE,
)
from certcenter.candidates.eligibility import evaluate_eligibility
from certcenter.candidates.models import CandidateProfile
from certcenter.candidates.services import profile_of
from certcenter.core.registry import Registry
from certcenter.notifications.models import Notification
from certcenter.qualifications.models import Qualification


def apply_panel(qualification: Qualification, **_objects: Any) -> dict[str, Any] | None:
    """On a qualification's page, for a candidate: whether he meets a pathway to its level, and the apply button."""
    if not (current_user.is_authenticated and current_user.has_role(CANDIDATE)):
        return None
    profile = profile_of(current_user)
    return {
        "profile": profile,
        "eligibility": evaluate_eligibility(profile, qualification.level) if profile else None,
        "apply_form": ConfirmForm(),
        "form_token": secrets.token_urlsafe(24),
    }


def candidate_applications_panel(candidate: CandidateProfile, **_objects: Any) -> dict[str, Any]:
    """On the administrators' page of a candidate: his applications."""
    return {"applications": candidate.applications}


# state -> a function (application id -> words or None) telling more about a move to that state in a mailed notice:
# the assessments domain tells a decision's reasons
_state_notice_details = Registry("applications.state_notice_details")


def register_state_notice_details(app: Flask, state: str, details: Callable[[int], str | None]) -> None:
    _state_notice_details.add(app, state, details)


def state_changed_details(notification: Notification) -> str | None:
    state = notification.params.get("state")
    parts = []
    told = _state_notice_details.get(state)
    if told:
        parts.append(told(int(notification.subject_id)))
    if notification.params.get("reason"):
        parts.append(_("Reason: %(reason)s", reason=notification.params["reason"]))
    if state in NEXT_STEPS:
        parts.append(str(NEXT_STEPS[state]))
    return "\n".join(part for part in parts if part) or None


def state_changed_link(notification: Notification) -> tuple[str, dict[str, Any]]:
    return "applications.application", {"application_id": int(notification.subject_id)}


def describe_administrators_notice(notification: Notification) -> str:
    if notification.kind == SUBMITTED_NOTICE:
        return _("Application No. %(id)s has been submitted; assign its assessors.", id=notification.subject_id)
    return _("Application No. %(id)s asks for an exception; decide on it.", id=notification.subject_id)


def describe_deadline(notification: Notification) -> str:
    params = notification.params
    due = format_datetime(datetime.fromisoformat(params["due"]), "short") if params.get("due") else ""
    step = STATE_LABELS.get(params.get("state"), params.get("state"))
    if notification.kind == DEADLINE_OVERDUE:
        return _(
            "Application No. %(id)s is overdue at the step “%(step)s” (due %(due)s).",
            id=notification.subject_id,
            step=step,
            due=due,
        )
    return _(
        "Reminder: application No. %(id)s waits for you at the step “%(step)s”, due %(due)s.",
        id=notification.subject_id,
        step=step,
        due=due,
    )


NOTICE_LABELS = {
    DEADLINE_REMINDER: _l("A step that waits on me is nearly due"),
    DEADLINE_OVERDUE: _l("An application is overdue at a step (administrators)"),
    STATE_CHANGED: _l("My application changes state (with the decision and its reasons)"),
    SUBMITTED_NOTICE: _l("A new application is submitted (administrators)"),
    EXCEPTION_NOTICE: _l("An application asks for an exception (administrators)"),
}


def describe_state_changed(notification: Notification) -> str:
    state = notification.params.get("state")
    return _(
        "Application No. %(id)s is now: %(state)s.", id=notification.subject_id, state=STATE_LABELS.get(state, state)
    )
