"""The notices' scheduled work: the administrators' daily digest."""

from __future__ import annotations

from celery import shared_task

from certcenter.extensions import db


@shared_task(ignore_result=True)
def send_digests() -> int:
    """Once a day (beat): one mail per administrator who takes the digest; the mails go out on the mail queue."""
    from certcenter.notifications.services import send_digests as queue_digests

    try:
        queued = queue_digests()
        db.session.commit()
        return queued
    finally:
        db.session.remove()
