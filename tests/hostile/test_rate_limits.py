"""Rate limits under gunicorn without Redis are counted once for all its processes (``memory://`` counted per
process: the 38th registration was the first refused against a limit of 20), and behind a trusted proxy each
visitor is counted by the address the proxy saw, while a forged X-Forwarded-For buys nobody a fresh budget."""

from __future__ import annotations

import pytest

from certcenter.extensions import limiter
from tests.conftest import database_url_for_tests
from tests.hostile.servers import Browser, Gunicorn, app_environment


def test_the_limit_holds_across_gunicorn_processes(app, tmp_path):
    env = app_environment(tmp_path / "instance", database_url_for_tests(), VERIFY_RATE_LIMIT="10 per minute")
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=3)
    try:
        # a connection per request: gunicorn's processes take turns accepting them
        statuses = [Browser(server.base).get(f"/api/v1/certificates/guess-{n}").status for n in range(14)]
    finally:
        server.stop()
    assert statuses == [404] * 10 + [429] * 4
    assert (tmp_path / "instance" / "ratelimits.sqlite3").exists()


@pytest.fixture
def limited(make_app):
    def _make(**settings):
        return make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="2 per minute", **settings)

    yield _make
    limiter._storage_dead = False


def statuses(client, forwarded_for: str, count: int = 3) -> list[int]:
    return [
        client.get(
            f"/api/v1/certificates/guess-{n}",
            headers={"X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the load balancer
        ).status_code
        for n in range(count)
    ]


def test_behind_a_trusted_proxy_each_visitor_has_a_budget_of_their_own(limited):
    client = limited(TRUSTED_PROXY_HOPS=1).test_client()
    assert statuses(client, "203.0.113.5") == [404, 404, 429]
    assert statuses(client, "198.51.100.7") == [404, 404, 429]  # another visitor behind the same balancer
    # a visitor who sends their own X-Forwarded-For is still counted by the address the proxy appended
    assert statuses(client, "192.0.2.99, 203.0.113.5", count=1) == [429]


def test_without_trusted_proxies_the_header_is_ignored(limited):
    client = limited().test_client()
    assert statuses(client, "203.0.113.5") == [404, 404, 429]
    assert statuses(client, "198.51.100.7", count=1) == [429]  # a forged header buys no fresh budget


def test_an_app_with_limits_leaves_an_app_without_them_unlimited(app, limited):
    """One limiter serves every app of a process: whether limits apply is each app's own setting, not the setting
    of the app bound to it last (tests hold several apps; in CI's random order one app's limits reached another)."""
    limited_client = limited().test_client()
    assert statuses(limited_client, "203.0.113.7") == [404, 404, 429]
    over_its_limit = int(app.config["VERIFY_RATE_LIMIT"].split()[0]) + 2  # were limits on, the last two were 429
    assert statuses(app.test_client(), "203.0.113.7", count=over_its_limit) == [404] * over_its_limit
    assert statuses(limited_client, "203.0.113.7", count=1) == [429]
