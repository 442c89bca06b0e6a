"""The records' tasks (the maintenance queue): the nightly retention run and a person's data export. They take
ids, keep their result on the rows, and running one twice changes nothing more."""

from __future__ import annotations

from celery import shared_task

from certcenter.extensions import db


@shared_task(ignore_result=True)
def run_retention() -> int:
    """Destroy and anonymise what is past its retention period (beat: nightly)."""
    from certcenter.records import retention

    try:
        done = retention.run(commit=db.session.commit)
        db.session.commit()
        return len(done)
    finally:
        db.session.remove()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, ignore_result=True)
def build_data_export(self, export_id: int) -> None:
    from certcenter.records.services import build_export, mark_export_failed

    try:
        build_export(export_id)
    except Exception as exc:
        db.session.rollback()
        if self.request.retries >= self.max_retries:
            mark_export_failed(export_id, f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
    finally:
        db.session.remove()
