"""Redis frozen (accepting connections, never answering: SIGSTOP) or down, on a server each test starts on a free
port: issuing still answers within 3 s (the certificates are made; rendering waits for the sweep), /health within
1 s, and public verification answers normally, its rate limit counted in memory meanwhile."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from sqlalchemy import select

from certcenter.certificates.models import QUEUED, Certificate
from certcenter.config import Config
from certcenter.extensions import db, limiter
from tests.conftest import login
from tests.hostile.servers import RedisServer

pytestmark = [pytest.mark.redis, pytest.mark.serial]  # answer times measured while Redis is frozen


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def on_redis(make_app, redis_server, monkeypatch):
    """An app whose broker and rate-limit counts are on the test's own Redis, and which queues instead of rendering."""
    app = make_app(
        REDIS_URL=redis_server.url,
        CELERY=Config.CELERY,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=None,  # derived from REDIS_URL, as in production
        VERIFY_RATE_LIMIT="5 per minute",
        HEALTH_BUDGET_SECONDS=Config.HEALTH_BUDGET_SECONDS,  # production's: /health within a second
    )
    # alembic's fileConfig, run by the test session's migrations, disabled the loggers that existed then
    monkeypatch.setattr(logging.getLogger("flask-limiter"), "disabled", False)
    yield app
    limiter._storage_dead = False  # the limiter is one object for every app of the test session


def admin_client(app, make_user):
    admin = make_user("administrator")
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    client.post("/language", data={"language": "en"})
    return client


def timed(call, give_up_after: float = 10):
    """The response and how long it took; a request still hanging after ``give_up_after`` fails the test (the
    thread is left behind: it ends when the test thaws its Redis)."""
    result = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    thread.join(give_up_after)
    assert result, f"no answer within {give_up_after} s"
    return result[0], time.monotonic() - started


def test_a_frozen_redis_slows_nothing_beyond_its_timeout(on_redis, redis_server, confirmed, make_user, caplog):
    app = on_redis
    first, *others = confirmed(3)
    admin = admin_client(app, make_user)
    assert admin.post("/admin/certificates/issue", data={"application": [str(first)]}).status_code == 302
    with app.app_context():
        code = db.session.scalar(select(Certificate.verification_code))

    redis_server.freeze()
    issued, seconds = timed(
        lambda: admin.post(
            "/admin/certificates/issue", data={"application": [str(i) for i in others]}, follow_redirects=True
        )
    )
    assert seconds < 3.0
    assert issued.status_code == 200
    assert "The task queue is unreachable; rendering starts as soon as it is back." in issued.get_data(as_text=True)
    with app.app_context():
        assert [c.render_status for c in db.session.scalars(select(Certificate).order_by(Certificate.id))] == [
            QUEUED
        ] * 3

    health, seconds = timed(lambda: app.test_client().get("/health"))
    assert seconds < 1.0
    assert health.status_code == 503 and "broker" in health.get_json()["failing"]

    caplog.set_level(logging.WARNING, logger="flask-limiter")
    visitor = app.test_client()
    for path in (f"/verify/{code}", f"/api/v1/certificates/{code}"):
        answer, seconds = timed(lambda path=path: visitor.get(path))
        assert answer.status_code == 200 and seconds < 2.0
    assert "falling back to in-memory storage" in caplog.text


def test_verification_answers_while_redis_is_down(on_redis, redis_server, confirmed, make_user, caplog):
    app = on_redis
    (application,) = confirmed(1)
    admin = admin_client(app, make_user)
    redis_server.stop()  # down: connections refused
    answer = admin.post("/admin/certificates/issue", data={"application": [str(application)]}, follow_redirects=True)
    assert "The task queue is unreachable" in answer.get_data(as_text=True)
    with app.app_context():
        code, number = db.session.execute(select(Certificate.verification_code, Certificate.number)).one()

    caplog.set_level(logging.WARNING, logger="flask-limiter")
    visitor = app.test_client()
    page = visitor.get(f"/verify/{code}")
    assert page.status_code == 200 and number in page.get_data(as_text=True)
    api = visitor.get(f"/api/v1/certificates/{code}")
    assert api.status_code == 200 and api.get_json()["status"] == "valid"
    assert "falling back to in-memory storage" in caplog.text
    # the limit still holds, counted in memory: 5 a minute for the page and the API together
    statuses = [visitor.get(f"/api/v1/certificates/{code}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
