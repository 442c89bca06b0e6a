"""Deadlines that nag: each workflow step that waits on someone has a due date (``DEADLINE_DAYS``, days from the
moment the application entered the state; configurable per step). A beat task reminds the people the step waits on
``DEADLINE_REMINDER_DAYS`` before it, and tells the administrators once it has passed; the administrators' list
flags what is overdue.

Who a step waits on is the administrators by default; a domain above registers who else (assessments: the assessors
still to submit, the lead assessor moderating)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certcenter.applications.models import Application
from certcenter.core.models import utcnow
from certcenter.core.registry import Registry
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.notifications.services import administrator_ids, notify_many

DEADLINE_REMINDER, DEADLINE_OVERDUE = "deadline_reminder", "deadline_overdue"

# state -> a function (application -> user ids) naming who the step waits on
_waiting_on = Registry("applications.deadline_people")


def register_waiting_on(app: Flask, state: str, people: Callable[[Application], list[int]]) -> None:
    _waiting_on.add(app, state, people)


def _days(state: str) -> int | None:
    return current_app.config["DEADLINE_DAYS"].get(state)


def due_at(application: Application) -> datetime | None:
    days = _days(application.state)
    return application.state_changed_at + timedelta(days=days) if days else None


def is_overdue(application: Application, now: datetime | None = None) -> bool:
    due = due_at(application)
    return due is not None and due < (now or utcnow())


def waiting_on(application: Application) -> list[int]:
    people = _waiting_on.get(application.state)
    return people(application) if people else administrator_ids()


def remind(now: datetime | None = None) -> int:
    """Remind whom each step waits on before its due date, and tell the administrators when it has passed; each
    once per step (a step entered again is a new one). Returns how many notices were written. Does not commit."""
    now = now or utcnow()
    ahead = timedelta(days=current_app.config["DEADLINE_REMINDER_DAYS"])
    candidates: list[Application] = []
    for state, days in current_app.config["DEADLINE_DAYS"].items():
        candidates += db.session.scalars(
            select(Application)
            .where(Application.state == state, Application.state_changed_at <= now + ahead - timedelta(days=days))
            .options(selectinload(Application.candidate))
        ).all()
    if not candidates:
        return 0
    given = {
        (notice.kind, notice.user_id, notice.subject_id, notice.params.get("since"))
        for notice in db.session.scalars(
            select(Notification).where(
                Notification.kind.in_((DEADLINE_REMINDER, DEADLINE_OVERDUE)),
                Notification.subject_type == "Application",
                Notification.subject_id.in_([str(application.id) for application in candidates]),
            )
        )
    }
    notices = []
    for application in candidates:
        due = due_at(application)
        kind, people = (
            (DEADLINE_OVERDUE, administrator_ids()) if due < now else (DEADLINE_REMINDER, waiting_on(application))
        )
        params = {"state": application.state, "since": application.state_changed_at.isoformat(), "due": due.isoformat()}
        notices += [
            (user_id, kind, application, params)
            for user_id in people
            if (kind, user_id, str(application.id), params["since"]) not in given
        ]
    notify_many(notices)
    return len(notices)
