"""The single way to write the audit log, and to search it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, insert, select

from certcenter.core.i18n import centre_midnight
from certcenter.core.models import AuditEntry, utcnow
from certcenter.extensions import db


def record(action: str, target: Any = None, *, actor: Any = None, **details: Any) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits with the change it describes).

    ``target`` is a model instance (its class name and id are stored) or None; ``actor`` defaults to the
    logged-in user of the current request, if any.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    target_type = target_id = None
    if target is not None:
        if target.id is None:
            db.session.flush([target])
        target_type, target_id = type(target).__name__, str(target.id)
    entry = AuditEntry(
        action=action,
        actor=actor,
        target_type=target_type,
        target_id=target_id,
        details=details,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def record_refusal(action: str, target: Any = None, *, actor: Any = None, **details: Any) -> None:
    """An entry for a refused request. The refusal rolls the request's transaction back, so inside a request the
    entry is kept aside and written by a transaction of its own once the response is ready (``init_app``); outside
    one it joins the current transaction like ``record``."""
    if not has_request_context():
        record(action, target, actor=actor, **details)
        return
    if actor is None and current_user.is_authenticated:
        actor = current_user._get_current_object()
    entry = {
        "action": action,
        "actor_id": getattr(actor, "id", None),
        "target_type": type(target).__name__ if target is not None else None,
        "target_id": str(target.id) if target is not None else None,
        "details": details,
        "ip_address": request.remote_addr,
    }
    g.setdefault("audit_refusals", []).append(entry)


def _write_refusals(response: Any) -> Any:
    refusals = g.pop("audit_refusals", None)
    if refusals:
        db.session.rollback()  # whatever the refused request had begun is not kept
        db.session.execute(insert(AuditEntry), [entry | {"at": utcnow()} for entry in refusals])
        db.session.commit()
    return response


def init_app(app: Flask) -> None:
    app.after_request(_write_refusals)


def record_many(
    action: str, targets: list[tuple[str, Any, dict[str, Any]]], *, actor: Any = None, at: datetime | None = None
) -> None:
    """Entries for many targets, each given as (type, id, details), written by one statement: what ``record``
    writes for each."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    ip_address = request.remote_addr if has_request_context() else None
    at = at or utcnow()
    rows = [
        {
            "at": at,
            "actor_id": actor.id if actor is not None else None,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "details": details,
            "ip_address": ip_address,
        }
        for target_type, target_id, details in targets
    ]
    if rows:
        db.session.execute(insert(AuditEntry), rows)


@dataclass
class AuditSearch:
    """What an administrator looks for in the log: whose acts, which action, on which object, in which days (of
    the centre's calendar)."""

    actor_ids: list[int] | None = None  # None: anyone's; []: nobody matched the person asked for
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def statement(self) -> Select:
        statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if self.actor_ids is not None:
            statement = statement.where(AuditEntry.actor_id.in_(self.actor_ids))
        if self.action:
            statement = statement.where(AuditEntry.action == self.action)
        if self.target_type:
            statement = statement.where(AuditEntry.target_type == self.target_type)
        if self.target_id:
            statement = statement.where(AuditEntry.target_id == self.target_id)
        if self.date_from:
            statement = statement.where(AuditEntry.at >= centre_midnight(self.date_from))
        if self.date_to:
            statement = statement.where(AuditEntry.at < centre_midnight(self.date_to + timedelta(days=1)))
        return statement
