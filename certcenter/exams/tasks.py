"""Tasks of examinations: mark a sitting, and the sweep that submits attempts whose time ran out and closes sittings
whose window has passed. They take ids; running one twice changes nothing more."""

from __future__ import annotations

from celery import shared_task

from certcenter.extensions import db


@shared_task(acks_late=True, ignore_result=True)
def mark_sitting(sitting_id: int) -> int:
    from certcenter.exams.services import mark_sitting as mark

    try:
        marked = mark(sitting_id)
        db.session.commit()
        return marked
    finally:
        db.session.remove()


@shared_task(ignore_result=True)
def sweep() -> int:
    """Attempts past their deadline are submitted; a sitting past its window with nobody still writing is closed
    and marked."""
    from certcenter.core.models import utcnow
    from certcenter.exams import services
    from certcenter.exams.models import IN_PROGRESS, OPEN, Attempt, Sitting

    try:
        expired = services.submit_expired_attempts()
        db.session.commit()
        now = utcnow()
        for sitting in db.session.scalars(db.select(Sitting).where(Sitting.status == OPEN, Sitting.ends_at < now)):
            writing = db.session.scalar(
                db.select(Attempt.id).where(Attempt.sitting_id == sitting.id, Attempt.status == IN_PROGRESS).limit(1)
            )
            if writing is None:
                services.close_sitting(sitting, actor=None)
                queue_marking(sitting.id)
        db.session.commit()
        return expired
    finally:
        db.session.remove()


def queue_marking(sitting_id: int) -> None:
    """Mark the sitting once the current transaction has committed (the app's own Celery app, as elsewhere)."""
    from flask import current_app

    from certcenter.core.transactions import after_commit

    task = current_app.extensions["celery"].tasks[mark_sitting.name]
    after_commit(lambda: task.delay(sitting_id))
