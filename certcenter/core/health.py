"""Checks behind GET /health: the database, the Celery broker and the workers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import text

from certcenter.extensions import db


def check_database() -> dict[str, Any]:
    db.session.execute(text("SELECT 1"))
    return {"ok": True, "backend": db.engine.dialect.name}


def check_broker() -> dict[str, Any]:
    celery = current_app.extensions["celery"]
    if not current_app.config["REDIS_URL"]:
        folders = celery.conf.broker_transport_options
        missing = [
            name
            for name, folder in folders.items()
            if "folder" in name and not os.access(Path(folder), os.W_OK)  # the options also hold a polling interval
        ]
        if missing:
            raise RuntimeError(f"embedded broker folders not writable: {', '.join(missing)}")
        return {"ok": True, "backend": "embedded"}
    with celery.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return {"ok": True, "backend": "redis"}


def check_workers() -> dict[str, Any]:
    celery = current_app.extensions["celery"]
    replies = celery.control.ping(timeout=current_app.config["HEALTH_WORKER_TIMEOUT_SECONDS"])
    names = sorted(name for reply in replies for name in reply)
    if not names:
        raise RuntimeError("no Celery worker answered")
    return {"ok": True, "count": len(names), "names": names}


CHECKS = {"database": check_database, "broker": check_broker, "workers": check_workers}


def run_checks() -> tuple[dict[str, Any], bool]:
    results: dict[str, Any] = {}
    for name, check in CHECKS.items():
        if name == "workers" and not results["broker"]["ok"]:
            results[name] = {"ok": False, "error": "broker unavailable"}
            continue
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports every failure instead of raising it
            if name == "database":
                db.session.rollback()
            results[name] = {"ok": False, "error": str(exc)[:300] or type(exc).__name__}
    healthy = all(result["ok"] for result in results.values())
    return results, healthy
