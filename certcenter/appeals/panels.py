"""What appeals shows on the application's page and the candidate's dashboard: the period to appeal while it runs,
and every appeal with its state and answer."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from certcenter.appeals import policy, services
from certcenter.appeals.deadlines import last_day_to_appeal
from certcenter.appeals.models import APPEAL_OUTCOMES, APPEAL_STATES, APPEAL_SUBJECTS
from certcenter.applications.models import Application
from certcenter.assessments.reasons import snapshot_titles


def application_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    decision = getattr(application, "decision", None)
    appeals = list(getattr(application, "appeals", []))
    is_candidate = current_user.is_authenticated and application.candidate.user_id == current_user.id
    may_lodge = is_candidate and policy.lodging_refusal(application, current_user, services.now()) is None
    told_of_period = is_candidate and decision is not None and decision.outcome == "not_confirmed"
    if not appeals and not may_lodge and not told_of_period:
        return None
    titles = {}
    for appeal in appeals:
        if appeal.decision is not None:
            titles |= snapshot_titles(appeal.decision.snapshot)
    return {
        "appeals": appeals,
        "may_lodge": may_lodge,
        "is_candidate": is_candidate,
        "last_day": last_day_to_appeal(decision.decided_at) if decision is not None else None,
        "states": APPEAL_STATES,
        "outcomes": APPEAL_OUTCOMES,
        "subjects": APPEAL_SUBJECTS,
        "criteria_titles": {key: _title(title) for key, title in titles.items()},
        "staff": policy.can_manage(current_user) and not is_candidate,
    }


def _title(title: Any) -> str:
    from certcenter.core.i18n import localized

    return localized(title)
