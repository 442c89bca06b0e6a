"""The slow-request log: one line on the ``certcenter.slow`` logger for every request that took longer than
``SLOW_REQUEST_MS`` (0, the default, logs none), saying where its time went, so that a tail in a benchmark or in
production can be told apart: the web server process and how long it had been running (a cold process), the SQL
statements and their time, the templates compiled and rendered, the message catalogs and locale data loaded, the
modules imported, and the thread's own CPU time (the rest is waiting: for the GIL, another thread, the database's
locks, the network).

    slow_request ms=812.4 method=GET path=/applications/12 status=200 pid=4121 worker_age_s=1.9 cpu_ms=402.1
    sql=23/41.0ms compiled=14/301.2ms render_ms=512.3 catalogs=ru/18.4ms imports=3 busy=4
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Any

from flask import Flask

from certcenter.core.security_log import log_value, redact_path

logger = logging.getLogger("certcenter.slow")

_local = threading.local()
_in_flight = 0
_in_flight_lock = threading.Lock()
_started = time.monotonic()  # when this process began serving: reset in a forked web server process


def _forked() -> None:
    global _started
    _started = time.monotonic()


os.register_at_fork(after_in_child=_forked)


def worker_age() -> float:
    """Seconds since this process was started or forked."""
    return time.monotonic() - _started


class _Tally:
    __slots__ = ("catalogs", "compile_s", "compiled", "depth", "render_s", "sql", "sql_s", "statement_started")

    def __init__(self) -> None:
        self.sql = 0
        self.sql_s = 0.0
        self.compiled = 0
        self.compile_s = 0.0
        self.render_s = 0.0
        self.catalogs: list[str] = []
        self.depth = 0
        self.statement_started = 0.0


def _tally() -> _Tally | None:
    return getattr(_local, "tally", None)


class TimedRequests:
    """WSGI middleware around the app: times the whole request, the app's hooks and the view included."""

    def __init__(self, wsgi_app, app: Flask, threshold_ms: float) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.threshold_s = threshold_ms / 1000

    def __call__(self, environ, start_response):
        global _in_flight
        with _in_flight_lock:
            _in_flight += 1
            busy = _in_flight
        status: list[str] = []

        def remember_status(code, headers, exc_info=None):
            status.append(code)
            return start_response(code, headers, exc_info)

        _local.tally = tally = _Tally()
        modules = len(sys.modules)
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return self.wsgi_app(environ, remember_status)
        finally:
            elapsed = time.perf_counter() - wall
            cpu_s = time.thread_time() - cpu
            _local.tally = None
            with _in_flight_lock:
                _in_flight -= 1
            if elapsed >= self.threshold_s:
                self._log(environ, status, elapsed, cpu_s, tally, len(sys.modules) - modules, busy)

    def _log(self, environ, status, elapsed, cpu_s, tally: _Tally, imports: int, busy: int) -> None:
        fields: dict[str, Any] = {
            "ms": f"{elapsed * 1000:.1f}",
            "method": environ.get("REQUEST_METHOD"),
            "path": redact_path(environ.get("PATH_INFO") or ""),  # a complaint's secret link is a path
            "status": status[0].split(" ", 1)[0] if status else "-",
            "pid": os.getpid(),
            "worker_age_s": f"{worker_age():.1f}",
            "cpu_ms": f"{cpu_s * 1000:.1f}",
            "sql": f"{tally.sql}/{tally.sql_s * 1000:.1f}ms",
            "compiled": f"{tally.compiled}/{tally.compile_s * 1000:.1f}ms",
            "render_ms": f"{tally.render_s * 1000:.1f}",
            "catalogs": ",".join(tally.catalogs) or "-",
            "imports": imports,
            "busy": busy,  # requests in this process when it began, itself included
        }
        logger.warning("slow_request " + " ".join(f"{key}={log_value(value)}" for key, value in fields.items()))


def _count_statements(engine_class) -> None:
    from sqlalchemy import event

    @event.listens_for(engine_class, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        tally = _tally()
        if tally is not None:
            tally.statement_started = time.perf_counter()

    @event.listens_for(engine_class, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        tally = _tally()
        if tally is not None and tally.statement_started:
            tally.sql += 1
            tally.sql_s += time.perf_counter() - tally.statement_started
            tally.statement_started = 0.0


def _time_templates(app: Flask) -> None:
    from flask import before_render_template, template_rendered

    environment = app.jinja_env
    compile_template = environment.compile

    def timed_compile(*args, **kwargs):
        started = time.perf_counter()
        try:
            return compile_template(*args, **kwargs)
        finally:
            tally = _tally()
            if tally is not None:
                tally.compiled += 1
                tally.compile_s += time.perf_counter() - started

    environment.compile = timed_compile

    def before(sender, template, context, **extra):
        tally = _tally()
        if tally is not None:
            if tally.depth == 0:
                _local.render_started = time.perf_counter()
            tally.depth += 1

    def after(sender, template, context, **extra):
        tally = _tally()
        if tally is not None and tally.depth:
            tally.depth -= 1
            if tally.depth == 0:
                tally.render_s += time.perf_counter() - _local.render_started

    before_render_template.connect(before, app, weak=False)
    template_rendered.connect(after, app, weak=False)


def _time_catalogs(app: Flask) -> None:
    """A message catalog (Flask-Babel keeps one per language and process) loaded during a request is named with its
    time."""
    from flask_babel import get_locale

    with app.app_context():  # Flask-Babel makes its domain, once, from the app's settings
        domain = app.extensions["babel"].instance.domain_instance
    if getattr(domain, "_certcenter_timed", False):
        return
    load = domain.get_translations

    def timed_get_translations():
        before = len(domain.cache)
        started = time.perf_counter()
        translations = load()
        tally = _tally()
        if tally is not None and len(domain.cache) > before:
            tally.catalogs.append(f"{get_locale()}/{(time.perf_counter() - started) * 1000:.1f}ms")
        return translations

    domain.get_translations = timed_get_translations
    domain._certcenter_timed = True


def init_app(app: Flask) -> None:
    threshold = float(app.config.get("SLOW_REQUEST_MS") or 0)
    if threshold <= 0:
        return
    from sqlalchemy.engine import Engine

    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not app.testing and not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
    if not getattr(Engine, "_certcenter_timed", False):
        _count_statements(Engine)
        Engine._certcenter_timed = True
    _time_templates(app)
    _time_catalogs(app)
    app.wsgi_app = TimedRequests(app.wsgi_app, app, threshold)
