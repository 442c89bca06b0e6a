"""GET /health: 200 when the database, the broker and the workers are up; 503 naming the failing part."""

import time

import pytest

from tests.conftest import database_url_for_tests, redis_url_for_tests, require_service
from tests.workers import start_worker as start_test_worker
from tests.workers import stop_worker


def get_health(app):
    response = app.test_client().get("/health")
    return response.status_code, response.get_json()


def test_no_worker_means_503_naming_the_workers(make_app):
    status, body = get_health(make_app())
    assert status == 503
    assert body["status"] == "fail" and body["failing"] == ["workers"]
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]


def test_database_down_is_named(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    status, body = get_health(app)
    assert status == 503 and "database" in body["failing"]
    assert "Traceback" not in str(body)


def test_broker_down_is_named(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    status, body = get_health(app)
    assert status == 503
    assert body["failing"] == ["broker", "workers"]
    assert body["checks"]["workers"]["error"] == "broker unavailable"


def start_worker(tmp_path, redis_url=None):
    return start_test_worker(
        tmp_path / "worker.log", database_url=database_url_for_tests(), redis_url=redis_url, name="health"
    )


def wait_healthy(app, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body = get_health(app)
        if status == 200:
            return body
        time.sleep(0.5)
    return body


@pytest.mark.worker
def test_healthy_with_a_real_worker_on_the_embedded_broker(make_app, tmp_path):
    app = make_app()
    worker = start_worker(tmp_path)
    try:
        body = wait_healthy(app)
    finally:
        stop_worker(worker)
    assert body["status"] == "ok", (tmp_path / "worker.log").read_text()[-2000:]
    assert body["checks"]["broker"]["backend"] == "embedded"
    assert body["checks"]["workers"]["count"] >= 1


@pytest.mark.redis
@pytest.mark.worker
def test_healthy_with_a_real_worker_on_redis(make_app, tmp_path):
    redis_url = redis_url_for_tests()
    require_service(bool(redis_url), "set CERTCENTER_TEST_REDIS_URL to run the Redis worker test")
    app = make_app(REDIS_URL=redis_url)
    worker = start_worker(tmp_path, redis_url)
    try:
        body = wait_healthy(app)
    finally:
        stop_worker(worker)
    assert body["status"] == "ok", (tmp_path / "worker.log").read_text()[-2000:]
    assert body["checks"]["broker"]["backend"] == "redis"
    assert any(name.startswith("health-") for name in body["checks"]["workers"]["names"])
