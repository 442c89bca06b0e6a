"""Security events, one structured line each on the ``certcenter.security`` logger.

A line reads ``event=access_denied status=403 ip=10.0.0.7 user=12 method=GET path=/admin/users``: key=value pairs,
a value quoted as JSON when it holds anything but plain characters (so a newline or a bidi control typed into a
form cannot forge a line), the same fields also on the record (``record.security``) for a JSON formatter. Never a
password, a session cookie or a whole token: path segments long enough to be one (verification codes) are cut.

Logged: denials (403, and 404 on a route that exists: an object missing or not the user's to see), CSRF failures,
throttling (429 from the rate limiter, sign-in and password-check throttles), failed sign-ins and current-password
checks, sign-outs and sessions ended."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

from flask import Flask, g, has_request_context, request
from flask_login import current_user

logger = logging.getLogger("certcenter.security")

_PLAIN = re.compile(r"[A-Za-z0-9_.:/@+\-]{1,200}")
_TOKEN_SEGMENT = re.compile(r"[A-Za-z0-9_\-]{16,}")
LOGGED_STATUSES = {403: "access_denied", 404: "access_denied", 429: "rate_limited"}


def log_value(value: Any) -> str:
    """A value as a log line shows it: plain as it is, anything else quoted as JSON (no newline or bidi control
    of a visitor's reaches the log as is)."""
    if value is None:
        return "-"
    text = str(value)
    return text if _PLAIN.fullmatch(text) else json.dumps(text[:300])


def redact_path(path: str) -> str:
    """The path with every segment that could be a secret token shortened to its first six characters."""
    return "/".join(
        f"{segment[:6]}..." if _TOKEN_SEGMENT.fullmatch(segment) else segment for segment in path.split("/")
    )


def _user_id() -> int | None:
    user = g.get("_login_user")
    if user is None:
        try:
            user = current_user._get_current_object()
        except Exception:  # the user cannot be loaded (a broken database): the event is logged without it
            return None
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def security_event(event: str, *, level: int = logging.WARNING, **fields: Any) -> None:
    """Log one event with the request's client address, user, method and path."""
    context: dict[str, Any] = {}
    if has_request_context():
        context = {"ip": request.remote_addr, "user": _user_id(), "method": request.method}
        context["path"] = redact_path(request.path)
        g.security_event_logged = True
    record = {"event": event, **fields, **{key: value for key, value in context.items() if key not in fields}}
    logger.log(
        level, " ".join(f"{key}={log_value(value)}" for key, value in record.items()), extra={"security": record}
    )


def init_app(app: Flask) -> None:
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not app.testing and not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)

    @app.after_request
    def log_denials(response):
        # 403, 429 and a 404 from a route that matched (not a mistyped address); a view that logged its own event
        # for this response (a sign-in throttle) is not logged twice
        event = LOGGED_STATUSES.get(response.status_code)
        matched = request.url_rule is not None and request.endpoint != "static"
        if event and not g.get("security_event_logged") and (response.status_code != 404 or matched):
            security_event(event, status=response.status_code)
        return response
