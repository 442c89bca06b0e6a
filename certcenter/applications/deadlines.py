"""Deadlines that nag: each workflow step that waits on someone has a due date (days from the moment the application
entered the state), one centre setting per step (``core/settings.py``: administrators change them in the browser, a
saved value counts at once; the configuration's ``DEADLINE_DAYS`` and ``APPEAL_PANEL_DEADLINE_DAYS`` are the
defaults). A beat task reminds the people the step waits on
``DEADLINE_REMINDER_DAYS`` before it, and tells the administrators once it has passed; the administrators' list
flags what is overdue.

Who a step waits on is the administrators by default; a domain above registers who else (assessments: the assessors
still to submit, the lead assessor moderating)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import selectinload

from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.core.models import utcnow
from certcenter.core.registry import Registry
from certcenter.core.settings import SETTINGS, centre_settings
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.notifications.services import administrator_ids, notify_many

DEADLINE_REMINDER, DEADLINE_OVERDUE = "deadline_reminder", "deadline_overdue"

# state -> a function (application -> user ids) naming who the step waits on
_waiting_on = Registry("applications.deadline_people")


def register_waiting_on(app: Flask, state: str, people: Callable[[Application], list[int]]) -> None:
    _waiting_on.add(app, state, people)


def deadline_days() -> dict[str, int]:
    """Workflow state -> the days the step may take, as the centre's settings say now."""
    settings = centre_settings()
    days = {
        setting.part: settings[setting.key]
        for setting in SETTINGS.values()
        if setting.config_key == "DEADLINE_DAYS" and settings[setting.key]
    }
    if settings.appeal_panel_days:
        days[workflow.APPEALED] = settings.appeal_panel_days
    return days


def due_at(application: Application) -> datetime | None:
    days = deadline_days().get(application.state)
    return application.state_changed_at + timedelta(days=days) if days else None


def is_overdue(application: Application, now: datetime | None = None) -> bool:
    due = due_at(application)
    return due is not None and due < (now or utcnow())


def overdue_condition(states: Iterable[str], now: datetime | None = None):
    """A SQL condition: the application is in one of ``states`` and its step's due date has passed."""
    now = now or utcnow()
    days = deadline_days()
    return or_(
        false(),
        *(
            and_(Application.state == state, Application.state_changed_at < now - timedelta(days=days[state]))
            for state in states
            if state in days
        ),
    )


def waiting_on(application: Application) -> list[int]:
    people = _waiting_on.get(application.state)
    return people(application) if people else administrator_ids()


def remind(now: datetime | None = None) -> int:
    """Remind whom each step waits on before its due date, and tell the administrators when it has passed; each
    once per step (a step entered again is a new one). Returns how many notices were written. Does not commit."""
    now = now or utcnow()
    ahead = timedelta(days=current_app.config["DEADLINE_REMINDER_DAYS"])
    candidates: list[Application] = []
    for state, days in deadline_days().items():
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
