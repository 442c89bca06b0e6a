"""Who may do what in an assessment: assess, lead, moderate, decide. Every route and service asks here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from certcenter.accounts.models import ADMINISTRATOR
from certcenter.accounts.models import ASSESSOR as ASSESSOR_ROLE
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.assessments.models import ACTIVE, CONFLICT, PENDING, SUBMITTED, Moderator

if TYPE_CHECKING:
    from flask_babel import LazyString

    from certcenter.accounts.models import User
    from certcenter.applications.models import Application
    from certcenter.assessments.models import Assignment


# --- rounds ---------------------------------------------------------------------------------------------------------


def round_participants(application: Application, round_number: int) -> set[int]:
    """The people (user ids) who had a part in one assessment round of the application: every assessor assigned in
    it and every moderator picked in it (a conflict they declared does not take them out: it is a tie to the case),
    whoever moderated a rating or a result, and whoever decided it."""
    people = {a.assessor_id for a in application.all_assignments if a.round == round_number}
    people |= {m.user_id for m in application.all_moderators if m.round == round_number}
    people |= {
        final.moderated_by_id
        for final in application.all_final_ratings
        if final.round == round_number and final.moderated_by_id
    }
    people |= {
        result.recorded_by_id
        for result in application.all_results
        if result.round == round_number and not result.agreed and result.recorded_by_id
    }
    people |= {d.decided_by_id for d in application.decisions if d.round == round_number}
    return people


def earlier_participants(application: Application) -> set[int]:
    """Everyone who had a part in a round before the current one: none of them assesses, moderates or decides it."""
    people: set[int] = set()
    for number in range(1, (application.current_round or 1)):
        people |= round_participants(application, number)
    return people


EARLIER_ROUND_REFUSAL = _l(
    "This person took part in an earlier assessment round of this application (as assessor, moderator or decider, "
    "or declared a conflict with it): a new round is assessed by people who took no part before."
)


def assignment_for(application: Application, user: User) -> Assignment | None:
    """The user's assignment to this application, unless a declared conflict removed it."""
    if not user.is_authenticated:
        return None
    return next((a for a in application.assignments if a.assessor_id == user.id and a.counts), None)


def current_moderator(application: Application) -> Moderator | None:
    """The moderator picked for the application, unless a declared conflict removed him."""
    return next((m for m in application.moderators if m.status != CONFLICT), None)


def case_roles(application: Application, user: User) -> set[str]:
    """The assessors' roles in a case (registered with ``applications.policy``): an assessor sees the case file once
    he has declared no conflict, so does the moderator; the lead assessor leads."""
    if not user.is_authenticated:
        return set()
    roles = set()
    moderator = current_moderator(application)
    if moderator is not None and moderator.user_id == user.id and moderator.status == ACTIVE:
        roles.add(case.MODERATOR)
    if not user.has_role(ASSESSOR_ROLE):
        return roles
    assignment = assignment_for(application, user)
    if assignment is None:
        return roles
    if assignment.status in (ACTIVE, SUBMITTED):
        roles.add(case.ASSESSOR)
    if assignment.is_lead:
        roles.add(case.LEAD_ASSESSOR)
    return roles


# --- moderation -----------------------------------------------------------------------------------------------------


def disagreeing_assessor_ids(application: Application) -> set[int]:
    """The assessors whose judgements are part of a disagreement still to moderate, or already moderated."""
    keys = {final.criterion_key for final in application.final_ratings if not final.agreed}
    kinds = {result.kind for result in application.results if not result.agreed}
    parties = set()
    for assignment in application.assignments:
        if assignment.status != SUBMITTED:
            continue
        if any(r.criterion_key in keys for r in assignment.ratings) or any(r.kind in kinds for r in assignment.results):
            parties.add(assignment.assessor_id)
    return parties


def may_be_moderator(application: Application, user: User) -> LazyString | None:
    """Why this person may not moderate the application, whoever picks him; None if he may. A moderator is an
    assessor or administrator who is not the candidate, not assigned to the application (a lead assessor only where
    he is not a party to the disagreement), and has not declared a conflict with it."""
    if not (user.active and (user.has_role(ASSESSOR_ROLE) or user.has_role(ADMINISTRATOR))):
        return _l("A moderator is an active assessor or administrator.")
    if application.candidate.user_id == user.id:
        return _l("Nobody moderates his own application.")
    if user.id in earlier_participants(application):
        return EARLIER_ROUND_REFUSAL
    if user.id in disagreeing_assessor_ids(application):
        return _l("You judged this application: a party to the disagreement does not moderate it.")
    for assignment in application.assignments:
        if assignment.assessor_id == user.id and not (assignment.is_lead and assignment.counts):
            return _l("An assessor assigned to this application does not moderate it.")
    if any(m.user_id == user.id and m.status == CONFLICT for m in application.moderators):
        return _l("This person declared a conflict of interest with this application.")
    return None


def can_pick_moderator(application: Application, user: User) -> bool:
    return (
        application.state == workflow.MODERATION
        and user.has_role(ADMINISTRATOR)
        and application.candidate.user_id != user.id
    )


def moderation_refusal(application: Application, user: User) -> LazyString | None:
    """Why the user may not moderate the application now; None if he may."""
    if not user.is_authenticated:
        return _l("Sign in to moderate.")
    if application.state != workflow.MODERATION:
        return _l("The application is not in moderation.")
    reason = may_be_moderator(application, user)
    if reason is not None:
        return reason
    moderator = current_moderator(application)
    if moderator is None or moderator.user_id != user.id:
        return _l("Only the moderator an administrator picked for this application moderates it.")
    if moderator.status == PENDING:
        return _l("Declare your conflicts of interest before you moderate.")
    return None


def can_moderate(application: Application, user: User) -> bool:
    return moderation_refusal(application, user) is None


def is_picked_moderator(application: Application, user: User) -> bool:
    """The user is the application's moderator (declared or not): he may open the moderation page."""
    moderator = current_moderator(application)
    return user.is_authenticated and moderator is not None and moderator.user_id == user.id


# --- decision -------------------------------------------------------------------------------------------------------


def assessed_by(application: Application, user: User) -> bool:
    """Whether the user took part in assessing the application: assigned (without a conflict), picked to moderate
    (without a conflict), or moderated a rating or a result in the current round, or took any part in an earlier
    round (deciding it included)."""
    if user.is_authenticated and user.id in earlier_participants(application):
        return True
    if assignment_for(application, user) is not None:
        return True
    if any(m.user_id == user.id and m.status != CONFLICT for m in application.moderators):
        return True
    if any(final.moderated_by_id == user.id for final in application.final_ratings):
        return True
    return any(not result.agreed and result.recorded_by_id == user.id for result in application.results)


def can_decide(application: Application, user: User) -> bool:
    return user.has_role(ADMINISTRATOR) and not assessed_by(application, user)


def part_roles(application: Application, user: User) -> set[str]:
    """Whether the user took part in the case (``case.TOOK_PART``), for the separation-of-duty table."""
    return {case.TOOK_PART} if user.is_authenticated and assessed_by(application, user) else set()


def assessors_still_to_judge(application: Application) -> list[int]:
    """Whom an application in assessment waits on (deadline reminders): the assessors who have not submitted."""
    return [a.assessor_id for a in application.assignments if a.counts and a.status != SUBMITTED]


def moderation_waits_on(application: Application) -> list[int]:
    """Whom an application in moderation waits on: the picked moderator; before one is picked, nobody named (the
    administrators are reminded)."""
    moderator = current_moderator(application)
    return [moderator.user_id] if moderator is not None and moderator.status != CONFLICT else []
