"""Celery tasks of the certificates: render and sign a batch, expire what is past its date. They take ids and
keep their result on the certificate rows, never in a result backend."""

from __future__ import annotations

import random

from celery import shared_task
from celery.signals import worker_process_init

from certcenter.core.workers import register_sweeper
from certcenter.extensions import db


@worker_process_init.connect
def load_renderer(**_kwargs) -> None:
    """Each pool process imports WeasyPrint and pyHanko and scans the fonts as it starts (about a second), so the
    first batch after a (re)start is rendered as fast as the others."""
    import gc

    import pyhanko.sign.signers  # noqa: F401

    from certcenter.core.pdf import font_configuration

    font_configuration()
    # what is loaded now lives as long as the process: the collector's full collections need not walk it again
    gc.freeze()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, ignore_result=True)
def render_certificates(self, certificate_ids: list[int]) -> list[int]:
    """Render, sign and store a batch. Acknowledged only when done, so a worker killed mid-render gives the
    message back to the broker; retried with backoff; after the last retry the certificates show as failed."""
    from certcenter.certificates.services import mark_render_failed, render_and_store

    try:
        return render_and_store(certificate_ids)
    except Exception as exc:
        db.session.rollback()
        if self.request.retries >= self.max_retries:
            mark_render_failed(certificate_ids, f"{type(exc).__name__}: {exc}")
            raise
        countdown = min(60, 2 ** (self.request.retries + 1)) + random.uniform(0, 1)
        raise self.retry(exc=exc, countdown=countdown) from exc
    finally:
        db.session.remove()


@shared_task(ignore_result=True)
def expire_certificates() -> int:
    from certcenter.certificates.services import expire_due

    try:
        count = expire_due()
        db.session.commit()
        return count
    finally:
        db.session.remove()


@shared_task(ignore_result=True)
def remind_renewals() -> int:
    """Daily: holders told as their certificates near expiry (``EXPIRY_REMINDER_DAYS``: 180, 90, 30 and 7 days
    before), once per certificate and step."""
    from certcenter.certificates.renewal import send_reminders

    try:
        count = send_reminders()
        db.session.commit()
        return count
    finally:
        db.session.remove()


@shared_task(ignore_result=True)
def schedule_surveillance() -> int:
    """The mid-term checks of the certificates whose qualification asks for one; holders told as they open."""
    from certcenter.certificates.surveillance import schedule_checks

    try:
        count = schedule_checks()
        db.session.commit()
        return count
    finally:
        db.session.remove()


def queue_rendering(certificate_ids: list[int], batch_size: int) -> None:
    """Queue the rendering in batches (one layout pass per batch); call only after the rows are committed.

    The task is taken from this Flask app's own Celery app, so that it runs with this app's configuration."""
    from flask import current_app

    task = current_app.extensions["celery"].tasks[render_certificates.name]
    for start in range(0, len(certificate_ids), batch_size):
        task.delay(certificate_ids[start : start + batch_size])


def send_again_lost_renders(live_workers: set[str]) -> int:
    """The certificates' sweeper (run by ``certcenter.core.tasks.sweep_lost_work`` every few seconds): send again
    what waits too long: certificates queued while the broker was down, or left rendering by a worker that died.
    Rendering is idempotent, so a certificate sent twice is still rendered once."""
    from flask import current_app

    from certcenter.certificates.services import mark_queued_again, renders_to_send_again

    ids = renders_to_send_again(live_workers)
    if ids:
        mark_queued_again(ids)
        db.session.commit()
        queue_rendering(ids, current_app.config["CERTIFICATE_RENDER_BATCH"])
    return len(ids)


register_sweeper("certificates", send_again_lost_renders)


@shared_task(ignore_result=True)
def sweep_render_queue() -> int:
    """The certificates' part of the sweep on its own."""
    from certcenter.core.workers import live_worker_ids

    try:
        return send_again_lost_renders(live_worker_ids())
    finally:
        db.session.remove()
