"""PostgreSQL connections terminated (pg_terminate_backend) while gunicorn serves requests: every answer is a page
of the centre (a success, or its own error page / JSON problem), never gunicorn's bare "Internal Server Error"."""

from __future__ import annotations

import threading
import time
from collections import Counter

import psycopg
import pytest

from tests.conftest import TEST_PASSWORD, database_url_for_tests, require_service
from tests.hostile.servers import GUNICORN_500, Browser, Gunicorn, app_environment, is_the_apps_error_page

pytestmark = pytest.mark.postgres

APP_NAME = "certcenter-hostile-web"
PAGES = ["/", "/qualifications", "/framework", "/dashboard", "/verify/no-such-code", "/api/v1/certificates/no-such"]


def terminate_connections(dsn: str, stop: threading.Event, killed: list[int]) -> None:
    """Cut the web server's connections again and again, wherever they are in their work."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        while not stop.is_set():
            rows = connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = %s",
                (APP_NAME,),
            ).fetchall()
            killed.append(sum(1 for (done,) in rows if done))
            time.sleep(0.02)


def signed_in(server: Gunicorn, email: str) -> Browser:
    browser = Browser(server.base)
    assert browser.login(email, TEST_PASSWORD).status == 302
    browser.token = browser.form_token("/")  # the language switcher's
    return browser


def browse(browser: Browser, seconds: float, answers: list, errors: list) -> None:
    token = browser.token
    deadline = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < deadline:
        turn += 1
        try:
            if turn % 5 == 0:  # a write: the language is saved on the user's row and committed
                answer = browser.post("/language", {"csrf_token": token, "language": ("ru", "kk")[turn % 2]})
                path = "POST /language"
            else:
                path = PAGES[turn % len(PAGES)]
                answer = browser.get(path)
        except OSError as exc:
            errors.append(f"{path}: {exc!r}")
            continue
        answers.append((path, answer))


def test_terminated_connections_end_on_the_apps_own_pages(app, make_user, tmp_path):
    url = database_url_for_tests()
    require_service(url.startswith("postgresql"), "set CERTCENTER_TEST_DATABASE_URL to a PostgreSQL database")
    users = [make_user("candidate") for _ in range(4)]
    env = app_environment(tmp_path / "instance", url, RATELIMIT_ENABLED="false")
    env["PGAPPNAME"] = APP_NAME  # libpq names the web server's connections, so that only they are cut
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    stop, killed, answers, errors = threading.Event(), [], [], []
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        browsers = [signed_in(server, user.email) for user in users]
        terminator = threading.Thread(target=terminate_connections, args=(dsn, stop, killed))
        terminator.start()
        clients = [threading.Thread(target=browse, args=(b, 8, answers, errors)) for b in browsers]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        stop.set()
        terminator.join()
        after = Browser(server.base).get("/qualifications")
    finally:
        stop.set()
        server.stop()
    statuses = Counter(answer.status for _path, answer in answers)
    bare = [(path, answer.status) for path, answer in answers if GUNICORN_500 in answer.body]
    foreign = [
        (path, answer.status, answer.body[:200])
        for path, answer in answers
        if answer.status >= 500 and not is_the_apps_error_page(answer)
    ]
    summary = f"{len(answers)} answers {dict(statuses)}, {sum(killed)} connections cut, errors {errors[:5]}"
    assert sum(killed) >= 20, summary  # the storm happened
    assert len(answers) >= 100, summary
    assert not bare, f"gunicorn's bare 500: {bare[:10]}; {summary}"
    assert not foreign, f"{foreign[:5]}; {summary}"
    assert not errors, summary
    assert after.status == 200  # and the site is fine afterwards
