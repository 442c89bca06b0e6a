"""Work that waits for the transaction: a task is queued for a row only once the row is committed (a worker that
starts earlier would not find it), and nothing is queued for a change that rolled back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import current_app, g, has_app_context
from sqlalchemy import Engine, Row, create_engine, event
from sqlalchemy.exc import DBAPIError
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


_engine_lock = threading.Lock()


def execute_alone(statement: Any, params: dict[str, Any] | None = None) -> list[Row]:
    """Run one statement as a transaction of its own and give back its rows: for a hot path whose write is one
    statement (saving an answer). On PostgreSQL it goes through an autocommit connection kept without the pool's
    ping: one round trip, where the session's way takes four (ping, BEGIN, the statement, COMMIT). A connection
    found dropped is replaced and the statement sent once more, so it must be one that may be repeated. Elsewhere
    (SQLite) it runs in the session, committed."""
    engine = _single_statement_engine()
    if engine is None:
        rows = list(db.session.execute(statement, params).all())
        db.session.commit()
        return rows
    for attempt in (1, 2):
        try:
            with engine.connect() as connection:
                return list(connection.execute(statement, params).all())
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
            log.warning("a database connection had dropped; the statement is sent again on a new one")
    raise AssertionError("unreachable")


def _single_statement_engine() -> Engine | None:
    app = current_app._get_current_object()
    engine = app.extensions.get("single_statement_engine", False)
    if engine is not False:
        return engine
    with _engine_lock:
        engine = app.extensions.get("single_statement_engine", False)
        if engine is False:
            engine = None
            if db.engine.dialect.name == "postgresql":
                options = {k: v for k, v in app.config["SQLALCHEMY_ENGINE_OPTIONS"].items() if k != "pool_pre_ping"}
                engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT", **options)
            app.extensions["single_statement_engine"] = engine
    return engine
