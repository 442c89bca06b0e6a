"""Checks behind GET /health: the database, the Celery broker and the workers.

/health answers within a second whatever is wrong: the checks run side by side in threads of their own and a
check that has not answered by ``HEALTH_BUDGET_SECONDS`` is reported as failing ("no answer") instead of being
waited for. The workers are not asked over the broker; their heartbeat rows are read (``core/workers.py``)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import text

from certcenter.extensions import db, redis_client_options


def check_database() -> dict[str, Any]:
    db.session.execute(text("SELECT 1"))
    return {"ok": True, "backend": db.engine.dialect.name}


def check_workers() -> dict[str, Any]:
    from certcenter.core.workers import live_workers

    names = sorted({row.node for row in live_workers()})
    if not names:
        raise RuntimeError(
            f"no Celery worker has written a heartbeat in the last {current_app.config['WORKER_STALE_SECONDS']} s"
        )
    return {"ok": True, "count": len(names), "names": names}


def check_broker() -> dict[str, Any]:
    url = current_app.config["REDIS_URL"]
    if not url:
        folders = current_app.extensions["celery"].conf.broker_transport_options
        missing = [
            name
            for name, folder in folders.items()
            if "folder" in name and not os.access(Path(folder), os.W_OK)  # the options also hold a polling interval
        ]
        if missing:
            raise RuntimeError(f"embedded broker folders not writable: {', '.join(missing)}")
        return {"ok": True, "backend": "embedded"}
    import redis

    options = redis_client_options(current_app)
    for key in ("socket_timeout", "socket_connect_timeout"):
        options[key] = min(options[key], current_app.config["HEALTH_BUDGET_SECONDS"])
    client = redis.Redis.from_url(url, **options)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True, "backend": "redis"}


def _database_and_workers() -> dict[str, dict[str, Any]]:
    try:
        database = check_database()
    except Exception as exc:
        db.session.rollback()
        return {"database": _failure(exc), "workers": {"ok": False, "error": "database unavailable"}}
    try:
        workers = check_workers()
    except Exception as exc:
        db.session.rollback()
        workers = _failure(exc)
    return {"database": database, "workers": workers}


def _broker() -> dict[str, dict[str, Any]]:
    try:
        return {"broker": check_broker()}
    except Exception as exc:
        return {"broker": _failure(exc)}


def _failure(exc: Exception) -> dict[str, Any]:
    return {"ok": False, "error": str(exc)[:300] or type(exc).__name__}


def _in_thread(app: Flask, part: Callable[[], dict], results: dict) -> threading.Thread:
    def run() -> None:
        with app.app_context():
            try:
                results.update(part())
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=f"health-{part.__name__}", daemon=True)
    thread.start()
    return thread


PARTS = {_database_and_workers: ("database", "workers"), _broker: ("broker",)}


def run_checks() -> tuple[dict[str, Any], bool]:
    app = current_app._get_current_object()
    budget = app.config["HEALTH_BUDGET_SECONDS"]
    deadline = time.monotonic() + budget
    results: dict[str, Any] = {}
    threads = [_in_thread(app, part, results) for part in PARTS]
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    checks: dict[str, Any] = {}
    for names in PARTS.values():
        for name in names:
            checks[name] = results.get(name) or {"ok": False, "error": f"no answer within {budget} s"}
    if not checks["broker"]["ok"]:
        checks["workers"] = {"ok": False, "error": "broker unavailable"}
    order = ("database", "broker", "workers")
    checks = {name: checks[name] for name in order}
    return checks, all(result["ok"] for result in checks.values())
