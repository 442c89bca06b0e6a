"""What the applications domain shows on the pages of the domains below it, and how its notice reads."""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import CANDIDATE
from certcenter.applications.workflow import STATE_LABELS
from certcenter.candidates.eligibility import evaluate_eligibility
from certcenter.candidates.models import CandidateProfile
from certcenter.candidates.services import profile_of
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


def describe_state_changed(notification: Notification) -> str:
    state = notification.params.get("state")
    return _(
        "Application No. %(id)s is now: %(state)s.", id=notification.subject_id, state=STATE_LABELS.get(state, state)
    )
