"""The slow-request log says where a slow request's time went: its process and that process's age, its statements,
the templates it compiled and rendered, the catalogs it loaded."""

from __future__ import annotations

import logging
import re


def slow_lines(caplog) -> list[dict[str, str]]:
    return [
        dict(re.findall(r"(\w+)=(\S+)", record.getMessage()))
        for record in caplog.records
        if record.name == "certcenter.slow"
    ]


def test_a_request_over_the_threshold_is_logged_with_where_its_time_went(make_app, framework, caplog):
    app = make_app(SLOW_REQUEST_MS=0.001)  # every request is "slow"
    client = app.test_client()
    page = f"/framework/{framework}/levels/3"
    with caplog.at_level(logging.INFO, logger="certcenter.slow"):
        assert client.get(page).status_code == 200
        assert client.get(page).status_code == 200
    first, second = slow_lines(caplog)
    assert first["path"] == page and first["status"] == "200" and first["method"] == "GET"
    assert int(first["pid"]) > 0 and float(first["worker_age_s"]) >= 0
    assert int(first["sql"].split("/")[0]) >= 3  # the edition, its levels, the level's descriptors, its pathways
    assert int(first["compiled"].split("/")[0]) >= 2  # the level's page and the base it extends: a cold process
    assert second["compiled"].startswith("0/")  # compiled once a process
    assert float(second["render_ms"]) > 0


def test_nothing_is_logged_by_default(make_app, framework, caplog):
    app = make_app()
    with caplog.at_level(logging.INFO, logger="certcenter.slow"):
        assert app.test_client().get(f"/framework/{framework}/levels/3").status_code == 200
    assert slow_lines(caplog) == []


def test_a_slow_request_is_logged_without_a_visitors_newline_or_a_secret_link(caplog):
    """The path is the visitor's: a newline in it cannot forge a log line, a complaint's secret link is shortened."""
    from certcenter.core.request_timing import TimedRequests, _Tally

    timed = TimedRequests(lambda environ, start_response: [], None, 0)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/complaints/follow/AbCdEfGhIjKlMnOpQrSt/\nslow_request ms=1"}
    with caplog.at_level("WARNING", logger="certcenter.slow"):
        timed._log(environ, ["200 OK"], 0.5, 0.1, _Tally(), 0, 1)
    (line,) = [record.getMessage() for record in caplog.records]
    assert "\n" not in line and "AbCdEfGhIjKlMnOpQrSt" not in line and "AbCdEf..." in line
