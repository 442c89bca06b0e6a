"""What appeals needs of assessment rounds, in one place: the round an application is in, who took part in a
round, opening a new one, and the panel's own decision in a round of its own. Assessment rounds
(``assessments.services.open_round``, ``assessments.policy.round_participants``, ``AssessmentRound``, a ``round`` on
each decision) are asked when they exist; until then an application has one round, everyone who assessed, moderated
or decided it took part in it, and an upheld appeal cannot be carried out (``RoundsUnavailable``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from certcenter.applications import workflow
from certcenter.assessments import models as assessment_models
from certcenter.assessments import policy as assessment_policy
from certcenter.assessments import services as assessment
from certcenter.assessments import signals
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.extensions import db

if TYPE_CHECKING:
    from certcenter.accounts.models import User
    from certcenter.applications.models import Application

APPEAL_ROUND = "appeal"


class RoundsUnavailable(UserError):
    status = 409


def current_round(application: Application) -> int:
    return int(getattr(application, "current_round", None) or 1)


def round_participants(application: Application, round_number: int) -> set[int]:
    """The user ids of the round's assessors, moderators and deciders."""
    own = getattr(assessment_policy, "round_participants", None) or getattr(assessment, "round_participants", None)
    if own is not None:
        return set(own(application, round_number))
    people = {assignment.assessor_id for assignment in application.assignments}
    people |= {moderator.user_id for moderator in application.moderators}
    people |= {final.moderated_by_id for final in application.final_ratings if final.moderated_by_id}
    people |= {result.recorded_by_id for result in application.results if result.recorded_by_id}
    decision = getattr(application, "decision", None)
    if decision is not None:
        people.add(decision.decided_by_id)
    return people


def rounds_available() -> bool:
    return hasattr(assessment, "open_round")


def open_round(application: Application, by: User, *, reason: str, reference: int) -> Any:
    """A new round of kind "appeal": the application goes back to the assignment of assessors who took no part."""
    if not rounds_available():
        raise RoundsUnavailable(_l("A new assessment round cannot be opened yet in this installation."))
    return assessment.open_round(application, by, kind=APPEAL_ROUND, reason=reason, reference=reference)


def panel_decision(application: Application, by: User, *, reason: str, reference: int) -> int:
    """The panel's own decision where the facts are not in dispute: a new round of kind "appeal" holding one decision,
    which confirms the qualification on the facts of the round appealed against (copied: that round's decision and
    snapshot stay as they are); the application becomes "confirmed", and the certificate is issued as for any other.
    Returns the new round's number."""
    round_model = getattr(assessment_models, "AssessmentRound", None)
    if round_model is None or not rounds_available():
        raise RoundsUnavailable(_l("A new assessment round cannot be opened yet in this installation."))
    appealed = application.decision
    number = current_round(application) + 1
    application.current_round = number
    db.session.add(
        round_model(
            application=application, number=number, kind=APPEAL_ROUND, opened_by=by, reason=reason, reference=reference
        )
    )
    edition, edition_note = assessment.decision_edition(application)
    decision = assessment_models.Decision(
        application=application,
        round=number,
        edition_id=edition.id,
        outcome="confirmed",
        recommended_outcome=appealed.recommended_outcome,
        reasons=appealed.reasons,
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
