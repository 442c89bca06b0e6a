"""Who may do what in an assessment: assess, lead, moderate, decide. Every route and service asks here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from certcenter.accounts.models import ADMINISTRATOR
from certcenter.accounts.models import ASSESSOR as ASSESSOR_ROLE
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.assessments.models import ACTIVE, SUBMITTED

if TYPE_CHECKING:
    from certcenter.accounts.models import User
    from certcenter.applications.models import Application
    from certcenter.assessments.models import Assignment


def assignment_for(application: Application, user: User) -> Assignment | None:
    """The user's assignment to this application, unless a declared conflict removed it."""
    if not user.is_authenticated:
        return None
    return next((a for a in application.assignments if a.assessor_id == user.id and a.counts), None)


def case_roles(application: Application, user: User) -> set[str]:
    """The assessors' roles in a case (registered with ``applications.policy``): an assessor sees the case file once
    he has declared no conflict; the lead assessor may moderate."""
    if not user.has_role(ASSESSOR_ROLE):
        return set()
    assignment = assignment_for(application, user)
    if assignment is None:
        return set()
    roles = set()
    if assignment.status in (ACTIVE, SUBMITTED):
        roles.add(case.ASSESSOR)
    if assignment.is_lead:
        roles.add(case.LEAD_ASSESSOR)
    return roles


def can_moderate(application: Application, user: User) -> bool:
    return application.state == workflow.MODERATION and bool(
        case.case_roles(application, user) & {case.ADMINISTRATOR, case.LEAD_ASSESSOR}
    )


def assessed_by(application: Application, user: User) -> bool:
    """Whether the user took part in assessing the application: assigned (without a conflict) or moderated."""
    if assignment_for(application, user) is not None:
        return True
    return any(final.moderated_by_id == user.id for final in application.final_ratings)


def can_decide(application: Application, user: User) -> bool:
    return user.has_role(ADMINISTRATOR) and not assessed_by(application, user)


def assessors_still_to_judge(application: Application) -> list[int]:
    """Whom an application in assessment waits on (deadline reminders): the assessors who have not submitted."""
    return [a.assessor_id for a in application.assignments if a.counts and a.status != SUBMITTED]


def lead_assessors(application: Application) -> list[int]:
    """Whom an application in moderation waits on: its lead assessor."""
    return [a.assessor_id for a in application.assignments if a.counts and a.is_lead]
