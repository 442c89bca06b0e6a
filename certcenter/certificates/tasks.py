"""Celery tasks of the certificates: render and sign a batch, expire what is past its date. They take ids and
keep their result on the certificate rows, never in a result backend."""

from __future__ import annotations

from celery import Task, shared_task

from certcenter.extensions import db


class RenderTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """After the last retry: the certificates show as failed to the administrator, with the reason."""
        from certcenter.certificates.services import mark_render_failed

        db.session.rollback()
        mark_render_failed(list(args[0]) if args else kwargs.get("certificate_ids", []), f"{type(exc).__name__}: {exc}")


@shared_task(
    base=RenderTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=3,
    ignore_result=True,
)
def render_certificates(self, certificate_ids: list[int]) -> list[int]:
    from certcenter.certificates.services import render_and_store

    try:
        return render_and_store(certificate_ids)
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


def queue_rendering(certificate_ids: list[int], batch_size: int) -> None:
    """Queue the rendering in batches (one layout pass per batch); call only after the rows are committed."""
    for start in range(0, len(certificate_ids), batch_size):
        render_certificates.delay(certificate_ids[start : start + batch_size])


@shared_task(ignore_result=True)
def sweep_render_queue() -> int:
    """Send again what waits too long: certificates queued while the broker was down, or left rendering by a
    worker that died. Rendering is idempotent, so a certificate sent twice is still rendered once."""
    from datetime import timedelta

    from flask import current_app
    from sqlalchemy import or_, select

    from certcenter.certificates.models import QUEUED, RENDERING, Certificate
    from certcenter.core.models import utcnow

    try:
        now = utcnow()
        ids = db.session.scalars(
            select(Certificate.id).where(
                or_(
                    (Certificate.render_status == QUEUED) & (Certificate.created_at < now - timedelta(minutes=2)),
                    (Certificate.render_status == RENDERING) & (Certificate.created_at < now - timedelta(minutes=15)),
                )
            )
        ).all()
        queue_rendering(list(ids), current_app.config["CERTIFICATE_RENDER_BATCH"])
        return len(ids)
    finally:
        db.session.remove()
