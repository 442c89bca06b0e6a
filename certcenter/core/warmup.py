"""A web server process made ready before it takes its first request.

Left to itself, a process does its start-up work on the first requests it serves, and does it again in every thread
that gets there before the first one is done: it compiles each template on its first use (the application page is
seven templates: 0.35 s of its first request, 0.73 s, in one process on a quiet machine), loads a language's message
catalog and its CLDR data (dates, numbers) on the first page in that language, and configures the ORM's mappers on
the first query. In bench/load.py the first application pages of each process spent 0.3-0.5 s compiling templates
(the slow-request log, ``core/request_timing.py``). ``warm_up`` does all of it once, before gunicorn lets the process
accept a connection (``post_worker_init`` in ``core/gunicorn_config.py``); about 1.2 s of CPU a process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask

logger = logging.getLogger("certcenter.warmup")


@dataclass(frozen=True)
class WarmUp:
    templates: int
    languages: tuple[str, ...]
    connections: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.templates} templates compiled, languages {' '.join(self.languages)} loaded, "
            f"{self.connections} database connections opened in {self.seconds:.2f} s"
        )


def page_templates(app: Flask) -> list[str]:
    """Every template the web pages may render (the PDF templates are the render workers')."""
    return [
        name
        for name in app.jinja_env.list_templates(extensions=["html"])
        if not name.startswith("pdf/") and not name.startswith(".")
    ]


def compile_templates(app: Flask, notify: Callable[[], None] = lambda: None) -> int:
    """Compile every page template into the environment's cache, where ``render_template`` finds it."""
    environment = app.jinja_env
    names = page_templates(app)
    for number, name in enumerate(names):
        environment.get_template(name)
        if number % 20 == 0:
            notify()  # gunicorn counts a worker silent for --timeout as hung
    return len(names)


def load_languages(app: Flask) -> tuple[str, ...]:
    """Each language's message catalog and the CLDR data of its dates and numbers, as a page in it loads them."""
    from flask_babel import force_locale, format_date, format_datetime, format_decimal, get_translations

    from certcenter.core.i18n import centre_today

    languages = tuple(app.config["LANGUAGES"])
    with app.test_request_context("/"):
        for language in languages:
            with force_locale(language):
                get_translations()
                format_datetime(datetime.now(UTC))
                format_date(centre_today(), "long")
                format_decimal(1234.5)
    return languages


def open_connections(app: Flask, count: int) -> int:
    """Up to ``count`` connections (one a thread) opened into the pool, none left checked out. A database that
    cannot be reached now is no reason not to serve: the pages say so, /health reports it."""
    from sqlalchemy import text
    from sqlalchemy.pool import QueuePool

    from certcenter.extensions import db

    with app.app_context():
        engine = db.engine
        if not isinstance(engine.pool, QueuePool):
            return 0
        connections = []
        try:
            for _ in range(min(count, engine.pool.size())):
                connection = engine.connect()
                connections.append(connection)
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error: the requests will meet it too and report it
            logger.warning("warm-up: the database did not answer (%s); serving without open connections", exc)
        finally:
            for connection in connections:
                connection.close()
    return len(connections)


def warm_up(app: Flask, threads: int = 1, notify: Callable[[], None] = lambda: None) -> WarmUp:
    from sqlalchemy.orm import configure_mappers

    started = time.perf_counter()
    templates = compile_templates(app, notify)
    languages = load_languages(app)
    notify()
    configure_mappers()
    connections = open_connections(app, threads)
    return WarmUp(templates, languages, connections, time.perf_counter() - started)
