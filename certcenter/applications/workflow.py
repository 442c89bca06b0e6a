"""The application workflow: every state, every allowed move and who may make it, and the one verb that moves.

Nothing else changes ``Application.state``. A move not in ``TRANSITIONS``, or made by someone without the right,
raises ``TransitionError`` (shown as HTTP 409 when it comes from a form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from certcenter.applications.policy import ADMINISTRATOR, APPEAL_PANEL, CANDIDATE, MODERATOR, SYSTEM, case_roles
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.models import utcnow
from certcenter.extensions import db
from certcenter.notifications.services import notify_administrators, notify_many

if TYPE_CHECKING:
    from certcenter.accounts.models import User
    from certcenter.applications.models import Application

DRAFT = "draft"
SUBMITTED = "submitted"
EXCEPTION_REQUESTED = "exception_requested"
NOT_ELIGIBLE = "not_eligible"
IN_ASSESSMENT = "in_assessment"
MODERATION = "moderation"
AWAITING_DECISION = "awaiting_decision"
CONFIRMED = "confirmed"
CERTIFIED = "certified"
NOT_CONFIRMED = "not_confirmed"
APPEALED = "appealed"
WITHDRAWN = "withdrawn"

STATES = (
    DRAFT,
    SUBMITTED,
    EXCEPTION_REQUESTED,
    NOT_ELIGIBLE,
    IN_ASSESSMENT,
    MODERATION,
    AWAITING_DECISION,
    CONFIRMED,
    CERTIFIED,
    NOT_CONFIRMED,
    APPEALED,
    WITHDRAWN,
)

STATE_LABELS = {
    DRAFT: _l("Draft"),
    SUBMITTED: _l("Submitted"),
    EXCEPTION_REQUESTED: _l("Exception requested"),
    NOT_ELIGIBLE: _l("Not eligible"),
    IN_ASSESSMENT: _l("In assessment"),
    MODERATION: _l("Moderation"),
    AWAITING_DECISION: _l("Awaiting decision"),
    CONFIRMED: _l("Qualification confirmed"),
    CERTIFIED: _l("Certificate issued"),
    NOT_CONFIRMED: _l("Qualification not confirmed"),
    APPEALED: _l("Appealed"),
    WITHDRAWN: _l("Withdrawn"),
}

# What the candidate is told comes next, per state.
NEXT_STEPS = {
    DRAFT: _l("Complete your evidence, map it to the criteria and submit the application."),
    SUBMITTED: _l("The centre checks your application and assigns two independent assessors."),
    EXCEPTION_REQUESTED: _l("An administrator considers your request for an exception."),
    NOT_ELIGIBLE: _l("You may apply again once you meet a pathway to this level."),
    IN_ASSESSMENT: _l(
        "Assessors are judging your evidence; you will be told about the theory test and practical task."
    ),
    MODERATION: _l("The assessors' judgements differ; an independent moderator is settling them."),
    AWAITING_DECISION: _l("An administrator who did not assess you will record the decision."),
    CONFIRMED: _l("Your certificate will be issued."),
    CERTIFIED: _l("Download your certificate; anyone can check it by its QR code."),
    NOT_CONFIRMED: _l("You may appeal the decision within the period the centre sets."),
    APPEALED: _l("The centre reviews your appeal."),
    WITHDRAWN: _l("Nothing more will happen with this application."),
}

FINAL_STATES = frozenset({NOT_ELIGIBLE, CERTIFIED, WITHDRAWN})
# States in which the assessors still have work on an application (judging, moderating).
MARKING_STATES = frozenset({IN_ASSESSMENT, MODERATION})
# States in which the candidate's application and evidence may still be edited.
EDITABLE_STATES = frozenset({DRAFT})

# (from, to) -> the roles in the case (see ``policy``) allowed to make the move.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (DRAFT, SUBMITTED): frozenset({CANDIDATE}),
    (DRAFT, EXCEPTION_REQUESTED): frozenset({CANDIDATE}),
    (DRAFT, WITHDRAWN): frozenset({CANDIDATE}),
    (EXCEPTION_REQUESTED, SUBMITTED): frozenset({ADMINISTRATOR}),
    (EXCEPTION_REQUESTED, NOT_ELIGIBLE): frozenset({ADMINISTRATOR}),
    (EXCEPTION_REQUESTED, WITHDRAWN): frozenset({CANDIDATE}),
    (SUBMITTED, IN_ASSESSMENT): frozenset({ADMINISTRATOR}),
    (SUBMITTED, NOT_ELIGIBLE): frozenset({ADMINISTRATOR}),
    (SUBMITTED, WITHDRAWN): frozenset({CANDIDATE}),
    (IN_ASSESSMENT, MODERATION): frozenset({SYSTEM}),
    (IN_ASSESSMENT, AWAITING_DECISION): frozenset({SYSTEM}),
    (IN_ASSESSMENT, WITHDRAWN): frozenset({CANDIDATE}),
    (MODERATION, AWAITING_DECISION): frozenset({MODERATOR}),
    (AWAITING_DECISION, CONFIRMED): frozenset({ADMINISTRATOR}),
    (AWAITING_DECISION, NOT_CONFIRMED): frozenset({ADMINISTRATOR}),
    (CONFIRMED, CERTIFIED): frozenset({ADMINISTRATOR}),
    (NOT_CONFIRMED, APPEALED): frozenset({CANDIDATE}),
    # an upheld appeal sends the application to a new assessment round: back to the assignment of (new) assessors;
    # the appeals panel makes the move when it upholds an appeal that way
    (APPEALED, SUBMITTED): frozenset({ADMINISTRATOR, APPEAL_PANEL}),
    (APPEALED, NOT_CONFIRMED): frozenset({ADMINISTRATOR, APPEAL_PANEL}),  # the appeal dismissed
    (APPEALED, CONFIRMED): frozenset({APPEAL_PANEL}),  # upheld, the panel deciding where the facts are not in dispute
}

# Moves that must carry a written reason.
REASON_REQUIRED = frozenset(
    {
        (DRAFT, EXCEPTION_REQUESTED),
        (EXCEPTION_REQUESTED, SUBMITTED),
        (EXCEPTION_REQUESTED, NOT_ELIGIBLE),
        (SUBMITTED, NOT_ELIGIBLE),
        (NOT_CONFIRMED, APPEALED),
        (APPEALED, SUBMITTED),
        (APPEALED, NOT_CONFIRMED),
        (APPEALED, CONFIRMED),
    }
)


# The notice the candidate gets of every move he did not make himself (told by ``describe_state_changed``).
STATE_CHANGED = "state_changed"
# administrators are told when an application reaches these states (the notice's kind)
SUBMITTED_NOTICE, EXCEPTION_NOTICE = "application_submitted", "exception_requested"
ADMINISTRATORS_TOLD = {SUBMITTED: SUBMITTED_NOTICE, EXCEPTION_REQUESTED: EXCEPTION_NOTICE}


class TransitionError(UserError):
    """A refused move, with a message for the user."""


def allowed_moves(state: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == state]


def can_transition(application: Application, to_state: str, actor: User | None) -> bool:
    allowed = TRANSITIONS.get((application.state, to_state))
    return bool(allowed) and bool(allowed & ({SYSTEM} if actor is None else case_roles(application, actor)))


def _checked_reason(application: Application, to_state: str, actor: User | None, reason: str | None) -> str | None:
    """Refuse a move the table does not allow or this actor may not make; return the reason, trimmed."""
    from_state = application.state
    if (from_state, to_state) not in TRANSITIONS:
        raise TransitionError(
            _l(
                "An application that is “%(from)s” cannot become “%(to)s”.",
                **{"from": STATE_LABELS[from_state], "to": STATE_LABELS.get(to_state, to_state)},
            )
        )
    if not can_transition(application, to_state, actor):
        raise TransitionError(_l("You are not allowed to make this change to the application."))
    reason = (reason or "").strip() or None
    if (from_state, to_state) in REASON_REQUIRED and not reason:
        raise TransitionError(_l("A written reason is required for this step."))
    return reason


def _candidate_is_told(application: Application, actor: User | None) -> bool:
    # the candidate hears of every change they did not make themselves
    return actor is None or actor.id != application.candidate.user_id


def transition(
    application: Application, to_state: str, actor: User | None, reason: str | None = None, **details: Any
) -> None:
    """Move the application, stamping the time, its history and the audit log. Does not commit.

    The move is flushed at once, so that a concurrent change shows here (the version check)."""
    from certcenter.applications.models import ApplicationEvent

    reason = _checked_reason(application, to_state, actor, reason)
    from_state = application.state
    now = utcnow()
    application.state = to_state
    application.state_changed_at = now
    application.events.append(
        ApplicationEvent(at=now, actor=actor, from_state=from_state, to_state=to_state, reason=reason)
    )
    db.session.flush()
    audit.record(
        "application.transition",
        application,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        **details,
    )
    if _candidate_is_told(application, actor):
        params = {"state": to_state} | ({"reason": reason} if reason else {})
        notify_many([(application.candidate.user_id, STATE_CHANGED, application, params)])
    if to_state in ADMINISTRATORS_TOLD:
        notify_administrators(ADMINISTRATORS_TOLD[to_state], application)


def transition_many(
    applications: list[Application],
    to_state: str,
    actor: User | None,
    reason: str | None = None,
    *,
    details: dict[int, dict[str, Any]] | None = None,
) -> None:
    """Move many applications at once, as ``transition`` moves each: the same checks, time, history, audit entry
    and notification, with ``details[application.id]`` added to its audit entry. The rows are written by one
    statement per table instead of six per application (issuing a thousand certificates took seconds), and the
    version check holds for each row: if another transaction changed one since it was read, StaleDataError is
    raised and the caller's transaction, rolled back, moves none.
    The caller has locked the applications; does not commit."""
    from sqlalchemy import bindparam, insert, update
    from sqlalchemy.orm.attributes import set_committed_value
    from sqlalchemy.orm.exc import StaleDataError

    from certcenter.applications.models import Application, ApplicationEvent

    if not applications:
        return
    reasons = {application.id: _checked_reason(application, to_state, actor, reason) for application in applications}
    details = details or {}
    now = utcnow()
    table = Application.__table__
    moved = db.session.execute(
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.version == bindparam("row_version"))
        .values(state=to_state, state_changed_at=now, version=table.c.version + 1),
        [{"row_id": application.id, "row_version": application.version} for application in applications],
    )
    if moved.rowcount != len(applications):
        raise StaleDataError("an application was changed by another transaction while it was being moved")
    actor_id = actor.id if actor is not None else None
    db.session.execute(
        insert(ApplicationEvent),
        [
            {
                "application_id": application.id,
                "at": now,
                "actor_id": actor_id,
                "from_state": application.state,
                "to_state": to_state,
                "reason": reasons[application.id],
            }
            for application in applications
        ],
    )
    audit.record_many(
        "application.transition",
        [
            (
                "Application",
                application.id,
                {
                    "from_state": application.state,
                    "to_state": to_state,
                    "reason": reasons[application.id],
                    **details.get(application.id, {}),
                },
            )
            for application in applications
        ],
        actor=actor,
        at=now,
    )
    notify_many(
        [
            (application.candidate.user_id, STATE_CHANGED, application, {"state": to_state})
            for application in applications
            if _candidate_is_told(application, actor)
        ]
    )
    for application in applications:  # the session's objects as the rows now are, without reading them again
        set_committed_value(application, "state", to_state)
        set_committed_value(application, "state_changed_at", now)
        set_committed_value(application, "version", application.version + 1)
        db.session.expire(application, ["events"])
