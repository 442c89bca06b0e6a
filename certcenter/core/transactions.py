"""Work that waits for the transaction: a task is queued for a row only once the row is committed (a worker that
starts earlier would not find it), and nothing is queued for a change that rolled back."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from certcenter.extensions import db

log = logging.getLogger(__name__)


def broker_unreachable() -> bool:
    """Whether a publish already failed in this request (or task): the next one would wait out the same timeout
    again, so it is left to the periodic sweeps, which send whatever is still queued."""
    return has_app_context() and g.get("broker_unreachable", False)


def note_broker_unreachable() -> None:
    if has_app_context():
        g.broker_unreachable = True


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the current transaction has committed (never if it rolls back)."""
    db.session.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop("after_commit", []):
        try:
            callback()
        except Exception:
            # The change is committed; what could not be queued now is picked up by the periodic sweeps.
            note_broker_unreachable()
            log.exception("work after the commit failed: %r", callback)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop("after_commit", None)
