"""The single way to write the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

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
