"""Writing notices, counting and reading them, and telling them in the reader's language.

Every notice goes through ``notify`` or ``notify_many``; the channels (in-app today) are behind them, so a new
channel reaches every notice at once. How a kind of notice reads is registered by the domain that sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, g
from sqlalchemy import func, insert, select, update

from certcenter.core.models import utcnow
from certcenter.core.registry import Registry
from certcenter.extensions import db
from certcenter.notifications.models import Notification

# kind -> a function telling a notice of that kind in the current language
_describers = Registry("notifications.kinds")

# (user id, kind, subject or None, params)
Message = tuple[int, str, Any, dict[str, Any]]


def register_kind(app: Flask, kind: str, describe: Callable[[Notification], str]) -> None:
    _describers.add(app, kind, describe)


def _subject(subject: Any) -> tuple[str | None, str | None]:
    if subject is None:
        return None, None
    return type(subject).__name__, str(subject.id)


def notify(user_id: int, kind: str, subject: Any = None, **params: Any) -> None:
    """Tell one person; written with the caller's transaction (nothing is told of a change that rolls back)."""
    notify_many([(user_id, kind, subject, params)])


def notify_many(messages: list[Message]) -> None:
    """Many notices written by one statement."""
    if not messages:
        return
    now = utcnow()
    rows = []
    for user_id, kind, subject, params in messages:
        subject_type, subject_id = _subject(subject)
        rows.append(
            {
                "user_id": user_id,
                "kind": kind,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "params": params,
                "created_at": now,
            }
        )
    db.session.execute(insert(Notification), rows)
    g.pop("unread_notifications", None)


def describe(notification: Notification) -> str:
    describer = _describers.get(notification.kind)
    return describer(notification) if describer else notification.kind


def unread(user_id: int, limit: int = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None)))
        or 0
    )


def mark_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
