"""The last line of defence: whatever fails in a request, the visitor gets the centre's own error page (or, under
/api and /health, a JSON problem), never the web server's bare "Internal Server Error".

Three places can fail outside the error handlers' reach, typically when the database connection is cut in the
middle of a request (PostgreSQL restarted, ``pg_terminate_backend``):
- the error handler itself, whose rollback or page (base.html reads the signed-in user from the database) fails
  again: the handler falls back to a bare-bones page rendered without touching the database;
- closing the session at the end of the request, after the page was built: the session is closed here first, and a
  failure is logged and the connection discarded, so the page already built is still sent;
- anything else that escapes Flask: a WSGI wrapper answers with the bare-bones page.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, current_app, request, session
from flask_babel import force_locale

from certcenter.extensions import db

logger = logging.getLogger(__name__)


def rollback() -> None:
    """Roll the session back; if even that fails (the connection is gone), discard its connection."""
    try:
        db.session.rollback()
    except Exception:
        logger.warning("rollback failed; the session's connection is discarded", exc_info=True)
        _discard_session()


def _discard_session() -> None:
    try:
        db.session.invalidate()
    except Exception:
        logger.debug("invalidating the session failed too", exc_info=True)
    db.session.registry.clear()


def _close_session(exception: BaseException | None) -> None:
    """Registered after Flask-SQLAlchemy's teardown, so it runs before it and leaves it nothing to fail on."""
    try:
        db.session.remove()
    except Exception:
        logger.warning("closing the database session failed; its connection is discarded", exc_info=True)
        _discard_session()


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/health"))


def _language(app: Flask) -> str:
    """The visitor's language without the database: the session's choice, else the browser's, else Kazakh."""
    languages = app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or app.config["BABEL_DEFAULT_LOCALE"]


# The page needs only its stylesheet; it is sent without the app's after_request hooks.
LAST_RESORT_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def last_resort_page(code: int = 500) -> Response:
    """The error page built from the request alone (in a request context), for when the usual one fails."""
    app = current_app._get_current_object()
    title, message = app.extensions["failsafe_messages"]
    try:
        language = _language(app)
        with force_locale(language):
            title, message = str(title), str(message)
            if _wants_json():
                body = json.dumps({"error": title, "message": message}, ensure_ascii=False)
                return Response(body, code, mimetype="application/json", headers=LAST_RESORT_HEADERS)
            page = app.jinja_env.get_template("errors/unavailable.html")
            html = page.render(lang=language, code=code, title=title, message=message)
            return Response(html, code, headers=LAST_RESORT_HEADERS)
    except Exception:
        logger.exception("even the last-resort error page failed")
        html = f"<!doctype html><title>{code}</title><h1>{code}</h1>"
        return Response(html, code, mimetype="text/html", headers=LAST_RESORT_HEADERS)


def guarded(render: Callable[..., Any], code: int) -> Any:
    """``render(code)``, or the last-resort page if rendering fails (the database may be what failed)."""
    try:
        return render(code)
    except Exception:
        logger.warning("the error page failed; answering with the last-resort page", exc_info=True)
        rollback()
        return last_resort_page(code)


class CatchAll:
    """WSGI wrapper around Flask: an exception that escapes the app becomes the last-resort page."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = []

        def tracked_start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
            started.append(status)
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, tracked_start_response)
        except Exception:
            if self.app.testing:
                raise  # tests see the exception itself
            failure = sys.exc_info()
            logger.exception("request failed outside the error handlers: %s", environ.get("PATH_INFO"))
            with self.app.request_context(environ):
                response = last_resort_page(500)
            if not started:
                return response(environ, start_response)
            # the app had begun its answer: replace it (PEP 3333: start_response again, with the error)
            return response(environ, lambda status, headers, exc_info=None: start_response(status, headers, failure))


def init_app(app: Flask, title: Any, message: Any) -> None:
    """``title`` and ``message``: the usual 500 page's texts (lazily translated)."""
    app.extensions["failsafe_messages"] = (title, message)
    app.teardown_appcontext(_close_session)
    app.wsgi_app = CatchAll(app, app.wsgi_app)
