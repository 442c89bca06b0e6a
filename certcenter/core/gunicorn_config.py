"""gunicorn's settings for the centre's web server, the same wherever it runs: ``certcenter serve``, the Dockerfile,
the hostile tests and bench/load.py all start

    gunicorn --config python:certcenter.core.gunicorn_config "certcenter:create_app()"

(options given on the command line, such as ``--workers`` or ``--bind``, take precedence over these). Each web
server process is warmed up (``core/warmup.py``: every page template compiled, the languages' catalogs and CLDR data
loaded, a database connection a thread opened) before it accepts its first connection, and says so in the log."""

from __future__ import annotations

import os
import re
import shutil
import sys

APP_SPEC = "certcenter:create_app()"

worker_class = "gthread"
workers = 2
threads = 4

# The line each process logs when it is ready; tests/hostile/servers.py waits for one per worker.
READY = "web server process {pid} ready: {summary}"
READY_LINE = re.compile(r"web server process (\d+) ready: ")


def command(bind: str, *, workers: int = workers, threads: int = threads, options: tuple[str, ...] = ()) -> list[str]:
    """The command line that starts the web server (``certcenter serve``, tests/hostile/servers.py); the
    Dockerfile's CMD is the same by hand."""
    binary = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    return [
        binary,
        "--config",
        f"python:{__name__}",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        *options,
        APP_SPEC,
    ]


def post_worker_init(worker) -> None:
    """Called by gunicorn in each worker process after it has loaded the app, before it accepts connections."""
    from flask import Flask

    from certcenter.core.warmup import warm_up

    if isinstance(worker.wsgi, Flask):  # not gunicorn's page for an app that failed to load (--reload)
        summary = warm_up(worker.wsgi, threads=worker.cfg.threads, notify=worker.notify)
        worker.log.info(READY.format(pid=os.getpid(), summary=summary))
