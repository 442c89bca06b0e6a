"""`certcenter serve` supervises: its Celery worker killed, the web server stays up, /health answers JSON within a
second throughout and names the workers as failing, and the worker is restarted (logged)."""

from __future__ import annotations

import signal
import subprocess

import psutil
import pytest

from tests.conftest import database_url_for_tests
from tests.hostile.servers import BIN, ROOT, Browser, app_environment, free_port, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.serial]  # a worker killed: /health within a second


def child_named(parent: psutil.Process, word: str) -> psutil.Process:
    return next(child for child in parent.children() if word in " ".join(child.cmdline()))


def test_serve_restarts_a_killed_worker_while_the_site_stays_up(app, tmp_path):
    port = free_port()
    env = app_environment(tmp_path / "instance", database_url_for_tests(), PORT=str(port))
    log = tmp_path / "serve.log"
    serve = subprocess.Popen(
        [str(BIN / "certcenter"), "serve", "--workers", "1", "--concurrency", "1"],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    browser = Browser(f"http://127.0.0.1:{port}")
    children = []
    try:
        assert wait_until(lambda: "certcenter is running" in log.read_text(errors="replace"), 120), log.read_text()
        assert wait_until(lambda: browser.get("/health").status == 200, 60), log.read_text()[-3000:]
        parent = psutil.Process(serve.pid)
        children = parent.children(recursive=True)
        web, worker = child_named(parent, "gunicorn"), child_named(parent, "celery")

        worker.send_signal(signal.SIGKILL)  # the main worker process, as the OOM killer or a crash would
        answers = []

        def healthy_again() -> bool:
            answer = browser.get("/health", timeout=5)
            answers.append(answer)
            return answer.status == 200 and any(answer.status == 503 for answer in answers)

        assert wait_until(healthy_again, 90), log.read_text()[-3000:]
        assert web.is_running() and web.pid == child_named(parent, "gunicorn").pid  # the web server stayed up
        assert child_named(parent, "celery").pid != worker.pid
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
        for child in children:
            if child.is_running():
                child.kill()
    for answer in answers:  # /health throughout: JSON, within a second
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json()["status"] in ("ok", "fail")
        assert answer.seconds < 1.0, answer
    failing = [answer.json() for answer in answers if answer.status == 503]
    assert failing and all(body["failing"] == ["workers"] for body in failing)
    text = log.read_text()
    assert f"worker (pid {worker.pid}) exited with code -9; restarting in 1 s" in text
    assert "worker restarted" in text
    assert "certcenter stopped." in text
    # a quiet console: the children's logs go to rotated files under instance/log
    assert "Starting gunicorn" not in text and "celery@" not in text
    assert "Starting gunicorn" in (tmp_path / "instance" / "log" / "web.log").read_text()
    assert "celery@" in (tmp_path / "instance" / "log" / "worker.log").read_text()


def test_setup_is_quiet_when_asked(app, tmp_path):
    env = app_environment(tmp_path / "instance", f"sqlite:///{tmp_path / 'quiet.sqlite3'}")
    result = subprocess.run(
        [str(BIN / "certcenter"), "setup", "--quiet"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "Running upgrade" not in result.stderr
