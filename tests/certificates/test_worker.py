"""With a real worker process on a real broker: a task delivered twice and a worker killed mid-render both end
with one certificate number and one PDF."""

import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.config import Config
from certcenter.extensions import db
from tests.conftest import database_url_for_tests, redis_url_for_tests, require_service
from tests.workers import start_worker, stop_worker

pytestmark = pytest.mark.worker
BROKERS = ["embedded", pytest.param("redis", marks=pytest.mark.redis)]


def broker_url(kind):
    if kind == "embedded":
        return None
    url = redis_url_for_tests()
    require_service(bool(url), "set CERTCENTER_TEST_REDIS_URL to run the worker tests on Redis")
    return url


@pytest.fixture
def worker_for(app, tmp_path):
    started = []

    def _start(redis_url):
        process = start_worker(
            tmp_path / "worker.log",
            database_url=database_url_for_tests(),
            pool="prefork",
            storage_root=app.config["STORAGE_ROOT"],
            redis_url=redis_url,
            name="render",
        )
        started.append(process)
        return process

    yield _start
    for process in started:
        stop_worker(process)


def queueing_app(make_app, redis_url):
    """An app that sends tasks to the broker instead of running them in the test process."""
    return make_app(REDIS_URL=redis_url, CELERY=Config.CELERY)


def wait_for(app, predicate, seconds=90, interval=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            certificates = db.session.scalars(select(Certificate)).all()
            if predicate(certificates):
                return certificates
        time.sleep(interval)
    raise AssertionError("timed out waiting for the worker")


def stored_files(app):
    root = Path(app.config["STORAGE_ROOT"]) / "certificates"
    return [path for path in root.rglob("*") if path.is_file() and not path.name.startswith(".")]


def issue(app, confirmed, login_as):
    from tests.conftest import login

    ids = confirmed(1)
    admin = login_as("admin")
    client = app.test_client()
    login(client, admin.user.email)
    response = client.post("/admin/certificates/issue", data={"application": [str(ids[0])]})
    assert response.status_code == 302


@pytest.mark.parametrize("broker", BROKERS)
def test_a_task_delivered_twice_renders_once(app, make_app, confirmed, login_as, worker_for, tmp_path, broker):
    redis_url = broker_url(broker)
    sender = queueing_app(make_app, redis_url)
    issue(sender, confirmed, login_as)
    (certificate,) = wait_for(sender, lambda c: True, seconds=5)
    celery = sender.extensions["celery"]
    for _ in range(2):  # the same message twice more, as a broker may redeliver it
        celery.send_task("certcenter.certificates.tasks.render_certificates", args=[[certificate.id]])
    worker_for(redis_url)
    (certificate,) = wait_for(sender, lambda c: c and c[0].render_status == "ready")
    time.sleep(3)  # let the duplicates run too
    (after,) = wait_for(sender, lambda c: True, seconds=5)
    assert after.storage_key == certificate.storage_key and after.number == certificate.number
    assert after.render_attempts == 1, (tmp_path / "worker.log").read_text()[-3000:]
    assert len(stored_files(sender)) == 1


@pytest.mark.parametrize("broker", BROKERS)
def test_a_worker_killed_mid_render_ends_with_one_pdf(app, make_app, confirmed, login_as, worker_for, tmp_path, broker):
    redis_url = broker_url(broker)
    sender = queueing_app(make_app, redis_url)
    worker = worker_for(redis_url)
    issue(sender, confirmed, login_as)
    wait_for(sender, lambda c: c and c[0].render_status == "rendering", interval=0.01)
    children = psutil.Process(worker.pid).children()
    assert children, "the prefork pool has a child process"
    for child in children:
        child.kill()  # SIGKILL: the child dies mid-render without cleaning up
    (certificate,) = wait_for(sender, lambda c: c and c[0].render_status == "ready")
    log = (tmp_path / "worker.log").read_text()
    assert certificate.render_attempts == 2, log[-3000:]
    assert "WorkerLostError" in log or "exited with" in log or "signal 9" in log
    assert len(stored_files(sender)) == 1
    with sender.app_context():
        assert db.session.scalars(select(Certificate.number)).all() == [certificate.number]
