"""The administrator's work queue: the applications waiting for an administrator, by what he must do, with how many
are past their step's due date (``deadlines.py``: the centre's settings)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from certcenter.applications import workflow
from certcenter.applications.deadlines import overdue_condition
from certcenter.applications.models import Application
from certcenter.extensions import db

# The states in which an application waits for an administrator, in the order of the queue, with what he does.
WAITING = {
    workflow.SUBMITTED: _l("Check eligibility and assign assessors"),
    workflow.EXCEPTION_REQUESTED: _l("Decide on requests for an exception"),
    workflow.AWAITING_DECISION: _l("Record the decision"),
    workflow.MODERATION: _l("Follow the moderation"),
    workflow.CONFIRMED: _l("Issue the certificates"),
    workflow.APPEALED: _l("Consider the appeals"),
}


@dataclass(frozen=True)
class QueueLine:
    state: str
    task: str
    count: int
    overdue: int


def queue_lines() -> list[QueueLine]:
    """One line per kind of waiting work, with its count and how many are overdue (zero lines included)."""
    rows = db.session.execute(
        select(
            Application.state,
            func.count(),
            func.sum(case((overdue_condition(WAITING), 1), else_=0)),
        )
        .where(Application.state.in_(WAITING))
        .group_by(Application.state)
    ).all()
    counts = {state: (count, int(overdue or 0)) for state, count, overdue in rows}
    return [QueueLine(state, str(task), *counts.get(state, (0, 0))) for state, task in WAITING.items()]


def overdue_applications(limit: int = 20) -> list[Application]:
    """The longest-waiting overdue applications first."""
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.state.in_(WAITING), overdue_condition(WAITING))
            .options(selectinload(Application.candidate))
            .order_by(Application.state_changed_at)
            .limit(limit)
        )
    )
