"""Assignments: whom an administrator may assign to an application, assigning him (the lead among them), and the
assessor's declaration of conflicts of interest on first opening."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certcenter.accounts.models import ASSESSOR, User
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.assessments.common import (
    ASSIGNED,
    CONFLICT_DECLARED,
    AssessmentError,
    counting_assignments,
    required_assessors,
)
from certcenter.assessments.competence import Candidacy, assessor_candidacies, refuse_out_of_scope
from certcenter.assessments.models import ACTIVE, CONFLICT, CONFLICT_KINDS, PENDING, Assignment
from certcenter.assessments.policy import EARLIER_ROUND_REFUSAL, earlier_participants
from certcenter.core import audit
from certcenter.core.models import utcnow
from certcenter.extensions import db
from certcenter.notifications.services import notify


def available_assessors(application: Application) -> list[User]:
    """Active assessors not yet assigned to (nor conflicted out of) this application in its current round, who took
    no part in an earlier round, and not its candidate."""
    taken = {assignment.assessor_id for assignment in application.assignments} | earlier_participants(application)
    from certcenter.accounts.models import UserRole

    users = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == ASSESSOR, User.active.is_(True)).order_by(User.full_name)
    )
    return [user for user in users if user.id not in taken and user.id != application.candidate.user_id]


def assessors_on_offer(application: Application) -> list[Candidacy]:
    """The assessors who could be assigned, each with his standing for the qualification (in scope, expired, no
    scope) and his workload: the form offers those in scope."""
    return assessor_candidacies(available_assessors(application), application.qualification)


def assign_assessor(application: Application, assessor: User, *, actor: User, lead: bool = False) -> Assignment:
    case.refuse(application, actor, case.ASSIGN)
    if application.state not in (workflow.SUBMITTED, workflow.IN_ASSESSMENT):
        raise AssessmentError(_l("Assessors are assigned to submitted applications only."))
    if assessor.id in earlier_participants(application):
        audit.record_refusal(
            "assessment.assign_refused",
            application,
            actor=actor,
            assessor_id=assessor.id,
            round=application.current_round,
        )
        raise AssessmentError(EARLIER_ROUND_REFUSAL)
    if assessor not in available_assessors(application):
        raise AssessmentError(
            _l(
                "This person cannot be assigned: not an active assessor, already assigned, "
                "conflicted out, or the candidate."
            )
        )
    refuse_out_of_scope(assessor, application.qualification)
    current = counting_assignments(application)
    if len(current) >= required_assessors(application):
        raise AssessmentError(
            _l("The application already has its %(count)s assessors.", count=required_assessors(application))
        )
    if lead or not any(assignment.is_lead for assignment in current):
        for assignment in current:
            assignment.is_lead = False
        lead = True
    assignment = Assignment(application=application, assessor=assessor, assigned_by=actor, is_lead=lead)
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "assessment.assign", assignment, actor=actor, application_id=application.id, assessor_id=assessor.id, lead=lead
    )
    notify(assessor.id, ASSIGNED, application)
    if application.state == workflow.SUBMITTED and len(counting_assignments(application)) >= required_assessors(
        application
    ):
        workflow.transition(application, workflow.IN_ASSESSMENT, actor)
    return assignment


def declare_conflict(
    assignment: Assignment, *, actor: User, conflict: bool, kind: str | None = None, note: str = ""
) -> None:
    """The assessor's declaration on first opening. A conflict removes the assignment and tells the admin."""
    case.refuse(assignment.application, actor, case.DECLARE)
    if assignment.status != PENDING or not assignment.in_current_round:
        raise AssessmentError(_l("The declaration has already been made."))
    assignment.declared_at = utcnow()
    if not conflict:
        assignment.status = ACTIVE
        audit.record("assessment.no_conflict", assignment, actor=actor, application_id=assignment.application_id)
        return
    if kind not in CONFLICT_KINDS:
        raise AssessmentError(_l("Choose the kind of conflict."))
    if kind == "other" and not note.strip():
        raise AssessmentError(_l("Describe the conflict."))
    assignment.status = CONFLICT
    assignment.conflict_kind = kind
    assignment.conflict_note = note.strip() or None
    if assignment.is_lead:
        assignment.is_lead = False
        others = [other for other in counting_assignments(assignment.application) if other is not assignment]
        if others:
            others[0].is_lead = True
    audit.record("assessment.conflict", assignment, actor=actor, application_id=assignment.application_id, kind=kind)
    if assignment.assigned_by_id:
        notify(assignment.assigned_by_id, CONFLICT_DECLARED, assignment.application)
