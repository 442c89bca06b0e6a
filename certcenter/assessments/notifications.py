"""In-app notifications: written with a kind and parameters, told in the reader's language when shown."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from certcenter.accounts.models import User
from certcenter.assessments.models import Notification
from certcenter.core.models import utcnow
from certcenter.extensions import db


def notify(user: User | int, kind: str, application: Any = None, **params: Any) -> None:
    user_id = user if isinstance(user, int) else user.id
    db.session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            params=params,
            application_id=application.id if application is not None else None,
        )
    )


def notify_many(messages: list[tuple[int, str, Any, dict[str, Any]]]) -> None:
    """Many notifications (user id, kind, application, params) written by one statement."""
    if messages:
        db.session.execute(
            insert(Notification),
            [
                {
                    "user_id": user_id,
                    "kind": kind,
                    "params": params,
                    "application_id": application.id if application is not None else None,
                    "created_at": utcnow(),
                }
                for user_id, kind, application, params in messages
            ],
        )


def describe(notification: Notification) -> str:
    from certcenter.assessments.workflow import STATE_LABELS

    params = notification.params
    if notification.kind == "state_changed":
        return _(
            "Application No. %(id)s is now: %(state)s.",
            id=notification.application_id,
            state=STATE_LABELS.get(params.get("state"), params.get("state")),
        )
    if notification.kind == "assigned":
        return _("You have been assigned to assess application No. %(id)s.", id=notification.application_id)
    if notification.kind == "conflict_declared":
        return _(
            "An assessor declared a conflict of interest on application No. %(id)s; assign another assessor.",
            id=notification.application_id,
        )
    if notification.kind == "ready_for_decision":
        return _("Application No. %(id)s awaits a decision.", id=notification.application_id)
    return notification.kind


def unread(user: User, limit: int = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(user: User) -> int:
    return (
        db.session.scalar(select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None)))
        or 0
    )


def mark_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
