"""What appeals needs of assessment rounds, in one place: the round an application is in, who took part in a
round, and opening a new one. Assessment rounds (``assessments.services.open_round`` and ``round_participants``)
are asked when they exist; until then an application has one round, and everyone who assessed, moderated or decided
it took part in it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from certcenter.assessments import services as assessment
from certcenter.core.errors import UserError

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
    own = getattr(assessment, "round_participants", None)
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
    """The panel's own decision where the facts are not in dispute: a new round of kind "appeal" holding a decision
    that confirms the qualification (the round appealed against keeps its own); returns the new round's number."""
    if not rounds_available():
        raise RoundsUnavailable(_l("A new assessment round cannot be opened yet in this installation."))
    raise NotImplementedError  # filled in once assessment rounds are merged
