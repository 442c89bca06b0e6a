"""Moderation: an administrator picks the moderator of the assessors' disagreements, the moderator declares his
conflicts of interest, then settles each disagreed criterion and result; the last settled one sends the
application to the decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certcenter.accounts.models import ASSESSOR, User
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.assessments.common import (
    MODERATOR_CONFLICT,
    MODERATOR_PICKED,
    READY_FOR_DECISION,
    AssessmentError,
    lock_application,
)
from certcenter.assessments.models import ACTIVE, CONFLICT, CONFLICT_KINDS, MET, PENDING, RATINGS, Moderator
from certcenter.assessments.policy import can_pick_moderator, current_moderator, may_be_moderator, moderation_refusal
from certcenter.core import audit
from certcenter.core.models import utcnow
from certcenter.extensions import db
from certcenter.notifications.services import notify, notify_administrators


def moderator_candidates(application: Application) -> list[User]:
    """Whom an administrator may pick to moderate: active assessors and administrators the policy allows."""
    from certcenter.accounts.models import ADMINISTRATOR, UserRole

    users = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role.in_((ASSESSOR, ADMINISTRATOR)), User.active.is_(True))
        .order_by(User.full_name)
        .distinct()
    )
    return [user for user in users if may_be_moderator(application, user) is None]


def pick_moderator(application: Application, moderator: User, *, actor: User) -> Moderator:
    """An administrator picks the moderator of the application's disagreements; he declares his conflicts of
    interest before he may moderate."""
    application = lock_application(application.id)
    case.refuse(application, actor, case.ASSIGN)  # picking the moderator of one's own case is assigning him
    if not can_pick_moderator(application, actor):
        raise AssessmentError(_l("An administrator picks the moderator while the application is in moderation."))
    if current_moderator(application) is not None:
        raise AssessmentError(_l("A moderator has already been picked for this application."))
    reason = may_be_moderator(application, moderator)
    if reason is not None:
        raise AssessmentError(reason)
    picked = Moderator(application=application, user=moderator, picked_by=actor)
    db.session.add(picked)
    db.session.flush()
    audit.record(
        "assessment.moderator_pick", picked, actor=actor, application_id=application.id, moderator_id=moderator.id
    )
    notify(moderator.id, MODERATOR_PICKED, application)
    return picked


def declare_moderator_conflict(
    moderator: Moderator, *, actor: User, conflict: bool | None, kind: str | None = None, note: str = ""
) -> None:
    """The moderator's declaration before he sees the case. A conflict removes him and tells the administrator."""
    case.refuse(moderator.application, actor, case.DECLARE)
    if moderator.user_id != actor.id:
        raise AssessmentError(_l("Only the moderator an administrator picked for this application moderates it."))
    if moderator.status != PENDING:
        raise AssessmentError(_l("The declaration has already been made."))
    if conflict is None:
        raise AssessmentError(_l("Answer whether you have a conflict of interest."))
    moderator.declared_at = utcnow()
    if not conflict:
        moderator.status = ACTIVE
        audit.record(
            "assessment.moderator_no_conflict", moderator, actor=actor, application_id=moderator.application_id
        )
        return
    if kind not in CONFLICT_KINDS:
        raise AssessmentError(_l("Choose the kind of conflict."))
    if kind == "other" and not note.strip():
        raise AssessmentError(_l("Describe the conflict."))
    moderator.status = CONFLICT
    moderator.conflict_kind = kind
    moderator.conflict_note = note.strip() or None
    audit.record(
        "assessment.moderator_conflict", moderator, actor=actor, application_id=moderator.application_id, kind=kind
    )
    if moderator.picked_by_id:
        notify(moderator.picked_by_id, MODERATOR_CONFLICT, moderator.application)


def _may_moderate(application: Application, actor: User) -> Application:
    application = lock_application(application.id)
    case.refuse(application, actor, case.MODERATE)
    reason = moderation_refusal(application, actor)
    if reason is not None:
        raise AssessmentError(reason)
    return application


def moderate(
    application: Application,
    criterion_key: str,
    *,
    actor: User,
    rating: str,
    reason: str,
    met_at_level: int | None = None,
) -> None:
    """The moderator settles a criterion the assessors disagree on, with his reason; what each assessor said stays
    on the final rating."""
    application = _may_moderate(application, actor)
    final = next((final for final in application.final_ratings if final.criterion_key == criterion_key), None)
    if final is None or final.agreed:
        raise AssessmentError(_l("This criterion needs no moderation."))
    if rating not in RATINGS:
        raise AssessmentError(_l("Choose the moderated rating."))
    if not reason.strip():
        raise AssessmentError(_l("Write the reason for the moderated rating."))
    target = application.qualification.level.number
    final.rating = rating
    final.met_at_level = met_at_level if met_at_level and rating != MET and 1 <= met_at_level < target else None
    final.moderated_by = actor
    final.moderated_at = utcnow()
    final.moderation_reason = reason.strip()
    db.session.flush()
    audit.record(
        "assessment.moderate", application, actor=actor, criterion=criterion_key, rating=rating, reason=reason.strip()
    )
    _moderation_done(application, actor)


def moderate_result(application: Application, kind: str, *, actor: User, percent: int | None, reason: str) -> None:
    """The moderator sets a result the assessors disagree on, with his reason; what each assessor gave stays on
    the result."""
    application = _may_moderate(application, actor)
    result = next((result for result in application.results if result.kind == kind), None)
    if result is None or result.agreed:
        raise AssessmentError(_l("This result needs no moderation."))
    if percent is None or not 0 <= percent <= 100:
        raise AssessmentError(_l("A result is a percentage from 0 to 100."))
    if not reason.strip():
        raise AssessmentError(_l("Write the reason for the moderated result."))
    result.percent, result.recorded_by, result.moderation_reason = percent, actor, reason.strip()
    db.session.flush()
    audit.record("assessment.moderate_result", application, actor=actor, kind=kind, percent=percent, reason=reason)
    _moderation_done(application, actor)


def _moderation_done(application: Application, actor: User) -> None:
    if all(final.rating for final in application.final_ratings) and all(
        result.percent is not None for result in application.results
    ):
        workflow.transition(application, workflow.AWAITING_DECISION, actor)
        notify_administrators(READY_FOR_DECISION, application)


def moderation_outstanding(application: Application) -> bool:
    return any(not final.rating for final in application.final_ratings) or any(
        result.percent is None for result in application.results
    )
