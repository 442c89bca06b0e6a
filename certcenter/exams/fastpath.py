"""Saving an answer from the test page, without the framework's per-request work.

In a sitting, saving is most of the requests (three hundred candidates, an answer every few seconds each), and the
framework's usual work for a request costs several times the save itself: loading the signed-in user and his roles
(two queries, every request), rate limits, hooks. This WSGI layer answers ``POST /exams/attempts/<id>/answers`` with
a JSON body itself, in the app's request context (the session cookie and the CSRF token are checked as usual), by
one conditional write that also checks the person's session (his id and session nonce, as the user loader does),
answers a save sent again (written nothing, the answer stored as new) by one read, and hands anything else to the
app, whose view (``taking.save``) tells why."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFError

from certcenter.exams import saving

ANSWERS = re.compile(r"^/exams/attempts/(\d+)/answers$")
MAX_BODY = 16 * 1024


class AnswerSaving:
    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        match = ANSWERS.match(environ.get("PATH_INFO", ""))
        if (
            match is None
            or environ.get("REQUEST_METHOD") != "POST"
            or not environ.get("CONTENT_TYPE", "").startswith("application/json")
        ):
            return self.wsgi_app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            return self.wsgi_app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # the app reads it again if the save is handed on
        saved = self._save(environ, int(match.group(1)), body)
        if saved is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.wsgi_app(environ, start_response)
        payload = json.dumps({"saved": saved.written, "seq": saved.seq, "remaining": saved.remaining}).encode()
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(payload))),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [payload]

    def _save(self, environ: dict[str, Any], attempt_id: int, body: bytes) -> saving.Saved | None:
        """The save (written, or found stored as new already), or None for anything the app must answer (not
        signed in, a bad token or body, a refused save)."""
        from flask import session

        from certcenter.extensions import csrf, db

        with self.app.request_context(environ):
            try:
                user_id, _sep, nonce = str(session.get("_user_id") or "").partition(":")
                if not user_id.isdigit() or not nonce:
                    return None
                if self.app.config.get("WTF_CSRF_ENABLED", True):
                    csrf.protect()  # the token (and, over HTTPS, the referrer) as for any other request
                data = json.loads(body)
                if not isinstance(data, dict):
                    return None
                save = {
                    "user_id": int(user_id),
                    "nonce": nonce,
                    "token": str(data.get("token", "")),
                    "position": int(data.get("position", 0)),
                    "response": data.get("response"),
                    "seq": int(data.get("seq", 0)),
                }
                return saving.write_answer(attempt_id, flagged=data.get("flagged"), **save) or saving.repeated_save(
                    attempt_id, **save
                )
            except (CSRFError, ValueError, TypeError):
                db.session.rollback()
                return None
            finally:
                db.session.remove()
