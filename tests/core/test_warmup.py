"""A web server process is ready before its first request (issue #12: the first pages each process served took
0.7-1.7 s while it compiled templates and loaded languages): every page template compiled, every language's catalog
loaded, and every way the centre starts gunicorn goes through the one configuration that does it."""

from __future__ import annotations

import json
import logging
import shlex
from pathlib import Path
from types import SimpleNamespace

from certcenter.core import gunicorn_config
from certcenter.core.warmup import page_templates, warm_up

ROOT = Path(__file__).parents[2]


def cached_templates(app) -> set[str]:
    return {name for _loader, name in app.jinja_env.cache}


def compiled_during(app, pages: list[str]) -> list[str]:
    """The templates compiled while the pages were served."""
    compiled: list[str] = []
    environment = app.jinja_env
    original = environment.compile

    def compile_and_note(source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return original(source, name, filename, *args, **kwargs)

    environment.compile = compile_and_note
    try:
        client = app.test_client()
        for page in pages:
            assert client.get(page).status_code == 200, page
    finally:
        environment.compile = original
    return compiled


def test_a_warmed_up_process_holds_every_page_template_before_its_first_request(make_app, framework):
    app = make_app()
    assert not cached_templates(app)
    warm_up(app)

    assert set(page_templates(app)) <= cached_templates(app)
    assert "applications/application.html" in cached_templates(app)
    assert not any(name.startswith("pdf/") for name in cached_templates(app))  # the render workers' templates
    pages = ["/", "/login", "/qualifications", f"/framework/{framework}/levels/3", f"/framework/{framework}/glossary"]
    assert compiled_during(app, pages) == []


def test_a_process_that_was_not_warmed_up_compiles_on_its_first_requests(make_app, framework):
    """The test above can fail: the same pages compile their templates in a process nobody warmed up."""
    app = make_app()
    assert "framework/level.html" in compiled_during(app, [f"/framework/{framework}/levels/3"])


def test_every_language_is_loaded_before_the_first_request(make_app):
    app = make_app()
    with app.app_context():
        domain = app.extensions["babel"].instance.domain_instance
    domain.cache.clear()  # one catalog a language and process, shared by the apps of this test process
    warm_up(app)
    assert {(language, "messages") for language in ("kk", "ru", "en")} <= set(domain.cache)


def test_gunicorn_warms_each_process_up_before_it_accepts_connections(make_app, caplog):
    app = make_app()
    worker = SimpleNamespace(
        wsgi=app, cfg=SimpleNamespace(threads=2), notify=lambda: None, log=logging.getLogger("test.gunicorn")
    )
    with caplog.at_level(logging.INFO, logger="test.gunicorn"):
        gunicorn_config.post_worker_init(worker)
    assert set(page_templates(app)) <= cached_templates(app)
    assert gunicorn_config.READY_LINE.search(caplog.text)  # what tests/hostile/servers.py waits for


def test_serve_the_image_and_the_tests_start_gunicorn_with_the_same_configuration(app, monkeypatch):
    import certcenter.cli
    import certcenter.core.supervisor

    config = ["--config", "python:certcenter.core.gunicorn_config"]
    started: list[list[str]] = []

    class Supervisor:
        def __init__(self, children):
            started.extend(child.command for child in children)

        def start(self):
            pass

        def run(self):
            pass

        def stop(self):
            pass

    monkeypatch.setattr(certcenter.core.supervisor, "Supervisor", Supervisor)
    monkeypatch.setattr(certcenter.cli, "_wait_until_healthy", lambda url, supervisor: False)
    assert app.test_cli_runner().invoke(args=["serve"]).exit_code == 0
    web = next(command for command in started if "gunicorn" in Path(command[0]).name)
    assert web[1:3] == config and web[-1] == gunicorn_config.APP_SPEC

    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    assert shlex.join(config) in shlex.join(json.loads(cmd.removeprefix("CMD ")))

    servers = (ROOT / "tests" / "hostile" / "servers.py").read_text()
    assert "gunicorn_config.command(" in servers
