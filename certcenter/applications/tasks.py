"""The applications' scheduled work: deadline reminders."""

from __future__ import annotations

from celery import shared_task

from certcenter.extensions import db


@shared_task(ignore_result=True)
def remind_deadlines() -> int:
    """Hourly (beat): remind whom each step waits on before its due date; tell administrators of what is overdue."""
    from certcenter.applications.deadlines import remind

    try:
        count = remind()
        db.session.commit()
        return count
    finally:
        db.session.remove()
