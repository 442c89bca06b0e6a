"""The report task: takes the report's id, keeps the outcome on the report row."""

from __future__ import annotations

import random

from celery import shared_task

from certcenter.core.workers import register_sweeper
from certcenter.extensions import db


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, ignore_result=True)
def generate_report(self, report_id: int) -> None:
    from certcenter.reports.services import generate, mark_failed

    try:
        generate(report_id)
    except Exception as exc:
        db.session.rollback()
        if self.request.retries >= self.max_retries:
            mark_failed(report_id, f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc, countdown=min(60, 2 ** (self.request.retries + 1)) + random.uniform(0, 1)) from exc
    finally:
        db.session.remove()


@shared_task(acks_late=True, ignore_result=True)
def refresh_statistics(period_key: str) -> None:
    """Recompute one dashboard period; running it twice only computes twice."""
    from certcenter.reports.services import refresh_snapshot

    try:
        refresh_snapshot(period_key)
        db.session.commit()
    finally:
        db.session.remove()


def send_again_lost_reports(live_workers: set[str]) -> int:
    """The reports' sweeper (run by ``certcenter.core.tasks.sweep_lost_work``): reports and exports queued while
    the broker was down, or left running by a worker that died, are sent again. A report made twice is stored
    once (``generate`` leaves a ready report alone)."""
    from certcenter.reports.services import mark_queued_again, queue, reports_to_send_again

    ids = reports_to_send_again(live_workers)
    if ids:
        mark_queued_again(ids)
        db.session.commit()
        queue(ids)
    return len(ids)


register_sweeper("reports", send_again_lost_reports)
