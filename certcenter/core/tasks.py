"""Housekeeping tasks of the core: the sweep of lost work and the sweep of stored files that no row refers to."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from certcenter.extensions import db


@shared_task(ignore_result=True)
def sweep_orphan_files() -> int:
    """Delete stored files no row refers to, older than ``ORPHAN_FILE_GRACE_HOURS``; the audit log keeps which."""
    from flask import current_app

    from certcenter.core import audit
    from certcenter.core.storage import sweep_orphan_files as sweep

    try:
        deleted = sweep(timedelta(hours=current_app.config["ORPHAN_FILE_GRACE_HOURS"]))
        if deleted:
            audit.record("storage.orphans_deleted", None, actor=None, count=len(deleted), keys=deleted[:200])
            db.session.commit()
        return len(deleted)
    finally:
        db.session.remove()


@shared_task(ignore_result=True)
def sweep_lost_work() -> dict[str, int]:
    """Every few seconds: give back what dead workers held, then let each domain send again what waits too long
    (see ``certcenter.core.workers``)."""
    from certcenter.core.workers import sweep

    try:
        return sweep()
    finally:
        db.session.remove()
