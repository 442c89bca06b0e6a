"""What appeals needs of assessment rounds, in one place: the round an application is in, who took part in a round,
sending the application to a new round, and the panel's own decision in a round of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from certcenter.applications import workflow
from certcenter.assessments import policy as assessment_policy
from certcenter.assessments import services as assessment
from certcenter.assessments import signals
from certcenter.assessments.models import APPEAL, AssessmentRound, Decision
from certcenter.core import audit
from certcenter.extensions import db

if TYPE_CHECKING:
    from certcenter.accounts.models import User
    from certcenter.applications.models import Application


def current_round(application: Application) -> int:
    return application.current_round or 1


def round_participants(application: Application, round_number: int) -> set[int]:
    """The user ids of the round's assessors, moderators and deciders."""
    return assessment_policy.round_participants(application, round_number)


def open_round(application: Application, by: User, *, reason: str, reference: int) -> AssessmentRound:
    """A new round of kind "appeal": the application goes back to the assignment of assessors who took no part."""
    return assessment.open_round(application, by, kind=APPEAL, reason=reason, reference=reference)


def panel_decision(application: Application, by: User, *, reason: str, reference: int) -> int:
    """The panel's own decision where the facts are not in dispute: a new round of kind "appeal" holding one decision,
    which confirms the qualification on the facts of the round appealed against (copied: that round's decision and
    snapshot stay as they are); the application becomes "confirmed", and the certificate is issued as for any other.
    Returns the new round's number."""
    appealed = application.decision
    number = current_round(application) + 1
    application.current_round = number
    db.session.add(
        AssessmentRound(
            application=application, number=number, kind=APPEAL, opened_by=by, reason=reason, reference=reference
        )
    )
    edition, edition_note = assessment.decision_edition(application)
    decision = Decision(
        application=application,
        round=number,
        edition_id=edition.id,
        outcome="confirmed",
        recommended_outcome=appealed.recommended_outcome,
        # the confirming decision rests on the panel's reasoning, not on the reasons the appealed one gave
        reasons=[{"code": "appeal_panel", "appeal_id": reference, "reasoning": reason}],
        advice_level=None,
        deviation_reason=reason,
        comment="",
        decided_by=by,
        snapshot=appealed.snapshot
        | edition_note
        | {"panel_decision": {"appeal_id": reference, "round_appealed": appealed.round, "reasoning": reason}},
    )
    db.session.add(decision)
    db.session.flush()
    audit.record(
        "assessment.decide",
        decision,
        actor=by,
        application_id=application.id,
        outcome="confirmed",
        recommended=appealed.recommended_outcome,
        appeal_id=reference,
    )
    workflow.transition(application, workflow.CONFIRMED, by, reason=reason)
    signals.decision_recorded.send(decision, actor=by)
    return number
