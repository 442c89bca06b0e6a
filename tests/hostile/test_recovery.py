"""The main worker process (not a pool process) killed in the middle of a batch, holding messages it had fetched:
every certificate is still rendered, once, within 60 s (on Redis its messages used to wait in the unacknowledged
set for the hour of the visibility timeout, and the rows left "rendering" for the 15 minutes of the sweep)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select

from certcenter.certificates.models import READY, RENDERING, Certificate
from certcenter.config import Config
from certcenter.core.models import WorkerHeartbeat
from certcenter.extensions import db
from tests.conftest import database_url_for_tests, login
from tests.hostile.servers import RedisServer, wait_until
from tests.workers import start_worker, stop_worker

pytestmark = [pytest.mark.worker, pytest.mark.serial]  # a worker killed: recovered within 60 s
BROKERS = ["embedded", pytest.param("redis", marks=pytest.mark.redis)]
COUNT, BATCH = 8, 2  # four messages: a worker of two processes holds them all (two running, two prefetched)


def rows(app, model, *criteria):
    with app.app_context():
        return db.session.scalars(select(model).where(*criteria)).all()


@pytest.mark.parametrize("broker", BROKERS)
def test_a_worker_killed_mid_batch_loses_nothing(make_app, confirmed, make_user, tmp_path, monkeypatch, broker):
    monkeypatch.setenv("CERTCENTER_INSTANCE_PATH", str(tmp_path / "instance"))  # a broker folder of its own
    redis = RedisServer(tmp_path / "redis") if broker == "redis" else None
    redis_url = redis.url if redis else None
    sender = make_app(REDIS_URL=redis_url, CELERY=Config.CELERY, CERTIFICATE_RENDER_BATCH=BATCH)
    storage = sender.config["STORAGE_ROOT"]
    database = database_url_for_tests()
    applications = confirmed(COUNT)
    first = start_worker(
        tmp_path / "first.log", database_url=database, storage_root=storage, redis_url=redis_url, pool="prefork",
        concurrency=2, name="doomed",
    )  # fmt: skip
    leftovers, second = [], None
    try:
        admin = sender.test_client()
        login(admin, make_user("administrator").email)
        assert admin.post("/admin/certificates/issue", data={"application": applications}).status_code == 302

        def holding() -> bool:  # rendering, and its heartbeat lists what it holds
            beats = rows(sender, WorkerHeartbeat)
            started = rows(sender, Certificate, Certificate.render_status == RENDERING)
            return bool(started) and any(len(beat.held) >= 3 for beat in beats)

        assert wait_until(holding, 90, interval=0.05), (tmp_path / "first.log").read_text()[-3000:]
        main = psutil.Process(first.pid)
        leftovers = main.children(recursive=True)
        main.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(timeout=10)
        # as `certcenter serve` restarts it: a new worker, with the beat scheduler inside
        second = start_worker(
            tmp_path / "second.log", database_url=database, storage_root=storage, redis_url=redis_url,
            pool="prefork", concurrency=2, name="heir", beat_schedule=tmp_path / "beat-schedule",
        )  # fmt: skip

        def all_ready() -> bool:
            return len(rows(sender, Certificate, Certificate.render_status == READY)) == COUNT

        recovered = wait_until(all_ready, 90, interval=0.5)
        seconds = time.monotonic() - killed_at
    finally:
        if second is not None:
            stop_worker(second)
        for process in leftovers:  # pool processes the killed worker left behind
            if process.is_running():
                process.kill()
        if redis:
            redis.stop()
    log = (tmp_path / "second.log").read_text()
    assert recovered, log[-4000:]
    assert seconds < 60, f"recovered after {seconds:.0f} s"
    assert "stopped beating" in log  # the sweep found the dead worker and gave back what it held
    certificates = rows(sender, Certificate)
    assert len({c.number for c in certificates}) == COUNT
    assert len({c.storage_key for c in certificates}) == COUNT  # a file of its own each, stored and kept
    stored = {p.name for p in (Path(storage) / "certificates").rglob("*") if p.is_file()}
    assert {Path(c.storage_key).name for c in certificates} <= stored
    # (a file the killed worker stored without committing its row is left to the nightly sweep of orphan files)
