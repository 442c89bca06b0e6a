"""Real Celery worker processes for the tests: same database, storage and instance folder as the test app, on the
embedded broker or on Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
CELERY = str(Path(sys.executable).with_name("celery"))


def start_worker(
    log_path: Path,
    *,
    database_url: str,
    storage_root: str | None = None,
    redis_url: str | None = None,
    pool: str = "solo",
    concurrency: int = 1,
    name: str = "test",
    beat_schedule: Path | None = None,
    queues: str | None = None,
    environment: dict[str, str] | None = None,
) -> subprocess.Popen:
    """A worker on ``queues`` (comma-separated; all four when none), its log in ``log_path``; with
    ``beat_schedule``, with the beat scheduler inside it as ``certcenter serve`` runs it."""
    env = dict(os.environ, CERTCENTER_DATABASE_URL=database_url, **(environment or {}))
    if storage_root:
        env["CERTCENTER_STORAGE_ROOT"] = storage_root
    env.pop("CERTCENTER_REDIS_URL", None)
    if redis_url:
        env["CERTCENTER_REDIS_URL"] = redis_url
    return subprocess.Popen(
        [
            CELERY,
            "-A",
            "workers",
            "worker",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--hostname",
            f"{name}-{os.getpid()}-{log_path.stem}@%h",
            *(["--beat", "--schedule", str(beat_schedule)] if beat_schedule else []),
            *(["--queues", queues] if queues else []),
        ],
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )


def stop_worker(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
