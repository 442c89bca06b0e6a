"""Browser tests: the app served on a local port, driven by Playwright in Debian's chromium.

Each issue adds its user journey here. Playwright's own browser download is never used."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import build_app, require_service

CHROMIUM = os.environ.get("CERTCENTER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[LiveServer]:
    # CSRF protection on, as in production: the browser must carry the tokens the pages give it.
    server = LiveServer(build_app(WTF_CSRF_ENABLED=True))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    require_service(Path(CHROMIUM).exists(), f"no chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service(False, "the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="kk-KZ")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def live_server_with_worker(app, tmp_path):
    """The app served as in production: tasks go to the broker (Redis when configured, else the embedded one)
    and a real Celery worker process renders them."""
    from certcenter.config import Config
    from tests.conftest import database_url_for_tests, redis_url_for_tests
    from tests.workers import start_worker, stop_worker

    redis_url = redis_url_for_tests()
    server = LiveServer(build_app(WTF_CSRF_ENABLED=True, CELERY=Config.CELERY, REDIS_URL=redis_url))
    worker = start_worker(
        tmp_path / "worker.log",
        database_url=database_url_for_tests(),
        pool="prefork",
        concurrency=2,
        storage_root=app.config["STORAGE_ROOT"],
        redis_url=redis_url,
        name="e2e",
    )
    server.start()
    yield server
    server.stop()
    stop_worker(worker)
