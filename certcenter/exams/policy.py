"""Who may do what in examinations. Every route and service asks here.

- The bank is written and approved by administrators and assessors; the author of a question's current version
  never approves it (a second person does). Nobody with an open application for the qualification sees its bank.
- Specifications and sittings are the administrators'.
- A sitting is run by its proctor (an assessor) or an administrator.
- An attempt is its candidate's alone; short-text answers that need a decision go to the application's assessors
  or the sitting's proctor, never to the candidate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.exams.models import APPROVED, DRAFT, IN_PROGRESS, OPEN, RETIRED
from certcenter.extensions import db

if TYPE_CHECKING:
    from certcenter.accounts.models import User
    from certcenter.exams.models import Attempt, AttemptItem, Question, Sitting
    from certcenter.qualifications.models import Qualification

OPEN_APPLICATION_STATES = set(workflow.STATES) - set(workflow.FINAL_STATES) - {workflow.CONFIRMED}


def is_bank_staff(user: User) -> bool:
    return user.is_authenticated and (user.has_role(ADMINISTRATOR) or user.has_role(ASSESSOR))


def has_open_application(qualification: Qualification, user: User) -> bool:
    from certcenter.candidates.models import CandidateProfile

    return (
        db.session.scalar(
            select(Application.id)
            .join(CandidateProfile, Application.candidate_id == CandidateProfile.id)
            .where(
                CandidateProfile.user_id == user.id,
                Application.qualification_id == qualification.id,
                Application.state.in_(OPEN_APPLICATION_STATES),
            )
            .limit(1)
        )
        is not None
    )


def can_use_bank(qualification: Qualification, user: User) -> bool:
    return is_bank_staff(user) and not has_open_application(qualification, user)


def can_edit_question(question: Question, user: User) -> bool:
    return question.status != RETIRED and can_use_bank(question.qualification, user)


def can_approve(question: Question, user: User) -> bool:
    """A second person approves: not the author of the version to approve."""
    return (
        question.status == DRAFT
        and can_use_bank(question.qualification, user)
        and question.current.created_by_id != user.id
    )


def can_retire(question: Question, user: User) -> bool:
    return question.status in (DRAFT, APPROVED) and can_use_bank(question.qualification, user)


def can_manage(user: User) -> bool:
    """Specifications, sittings, item analysis."""
    return user.is_authenticated and user.has_role(ADMINISTRATOR)


def can_proctor(sitting: Sitting, user: User) -> bool:
    return user.is_authenticated and (sitting.proctor_id == user.id or user.has_role(ADMINISTRATOR))


def owns_attempt(attempt: Attempt, user: User) -> bool:
    return user.is_authenticated and attempt.user_id == user.id


def can_take(attempt: Attempt, user: User) -> bool:
    return owns_attempt(attempt, user) and attempt.status == IN_PROGRESS and attempt.sitting.status == OPEN


def can_review(item: AttemptItem, user: User) -> bool:
    """The application's assessors or the sitting's proctor decide on an answer; never someone assessed by it."""
    attempt = item.attempt
    if not user.is_authenticated or attempt.user_id == user.id or not user.has_role(ASSESSOR):
        return False
    if attempt.sitting.proctor_id == user.id:
        return True
    return bool(case.case_roles(attempt.application, user) & {case.ASSESSOR, case.LEAD_ASSESSOR})


def can_see_scores(application: Application, user: User) -> bool:
    """The marks per unit and descriptor: the administrators and the application's assessors."""
    if application.is_owner(user):
        return False
    return bool(case.case_roles(application, user) & {case.ADMINISTRATOR, case.ASSESSOR, case.LEAD_ASSESSOR})
