"""A refusal shown where the person was: when a form sent from a page of this site is refused (a ``UserError`` no
view turned into a form error, a stale form, an upload over the size limit), the answer is that page again, with
the refusal on top and what he typed kept (the script puts it back into the form it came from), under the
refusal's status code. Without a page to return to (no same-site Referer: an API client, a test client) the shell
answers with its error page as before.

Irreversible acts ask for a confirmation: the form carries ``confirmation_asked`` and a required ``confirmed``
checkbox (the script turns it into a dialog); a form sent without the tick is refused here, whatever the view."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from certcenter.core.errors import UserError

# Never kept: secrets, one-time tokens, and the version a stale form carried (the page shows the current one).
NOT_KEPT = {"csrf_token", "version", "form_token", "confirmed", "confirmation_asked"}
KEPT_CHARACTERS = 20_000  # what is kept travels in the page, not in the session: a bound keeps the page sane


class ConfirmationMissing(UserError):
    status = 400


def kept_fields() -> dict[str, list[str]]:
    try:
        form = request.form
    except HTTPException:  # the body was too large to read: nothing can be kept
        return {}
    fields: dict[str, list[str]] = {}
    budget = KEPT_CHARACTERS
    for name in form:
        if name in NOT_KEPT or "password" in name.lower():
            continue
        values = [value for value in form.getlist(name)[:100] if len(value) <= budget]
        budget -= sum(len(value) for value in values)
        fields[name] = values
    return fields


def referring_page() -> str | None:
    """The same-site page the form was sent from (path and query), if the browser said."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_with_refusal(code: int, message: Any):
    """The page the refused form came from, rendered again for this person with the refusal on top; None when there
    is no such page (the caller answers with the error page)."""
    if request.method != "POST" or g.get("refusal") is not None or request.path.startswith(("/api/", "/health")):
        return None
    # a script's request (autosave, the exam's answers) wants its own answer, not a page
    if (
        request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate"
        or request.accept_mimetypes.best == "application/json"
    ):
        return None
    page = referring_page()
    if page is None:
        return None
    path, _sep, query = page.partition("?")
    g.refusal = str(message)
    g.kept_input = {"action": request.path, "fields": kept_fields()}
    environ = dict(request.environ)
    environ.update(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_LENGTH": "0",
            "CONTENT_TYPE": "",
            "wsgi.input": BytesIO(),
        }
    )
    environ.pop("werkzeug.request", None)
    with current_app.request_context(environ):
        response = current_app.full_dispatch_request()
    if response.status_code != 200 or response.mimetype != "text/html":
        g.refusal = g.kept_input = None
        return None
    response.status_code = code
    return response


def check_confirmation() -> None:
    if request.method == "POST" and request.form.get("confirmation_asked") and not request.form.get("confirmed"):
        raise ConfirmationMissing(
            _l("Nothing was done: confirm first. Tick the box next to the button to say you mean it, then send again.")
        )


def init_app(app: Flask) -> None:
    app.before_request(check_confirmation)
    app.add_template_global(lambda: g.get("refusal"), "refusal")
    app.add_template_global(lambda: g.get("kept_input"), "kept_input")
