"""Errors of the public API as RFC 9457 problem details (``application/problem+json``): a stable ``type`` URI per
kind of problem (it names what happened, so a program can tell "not found" from "rate limited"), a ``title`` in the
requester's language, the HTTP ``status``, a ``detail`` and the ``instance`` (the path asked for).

Which paths answer with problem details is registered: ``/api/`` here; a domain adds its own machine-readable
paths (``register_problem_paths``). Each ``type`` resolves to a page that explains it."""

from __future__ import annotations

import json

from flask import Flask, Response, current_app, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from certcenter.core.i18n import select_locale
from certcenter.core.settings import centre_settings

# status -> (slug of the type URI, title)
PROBLEMS = {
    400: ("bad-request", _l("Bad request")),
    401: ("unauthorized", _l("Authentication required")),
    403: ("forbidden", _l("Access denied")),
    404: ("not-found", _l("Not found")),
    405: ("method-not-allowed", _l("Method not allowed")),
    406: ("not-acceptable", _l("No acceptable representation")),
    409: ("conflict", _l("Conflict")),
    410: ("gone", _l("No longer available")),
    413: ("payload-too-large", _l("Request too large")),
    415: ("unsupported-media-type", _l("Unsupported media type")),
    429: ("rate-limited", _l("Too many requests")),
    500: ("internal-error", _l("Internal error")),
    503: ("unavailable", _l("Service unavailable")),
}
PROBLEM_EXPLANATIONS = {
    "bad-request": _l("The request could not be understood: a parameter is missing or malformed."),
    "unauthorized": _l("This resource needs a signed-in user."),
    "forbidden": _l("The requester may not use this resource."),
    "not-found": _l("Nothing is known at this address (for a look-up by code: nothing has this code)."),
    "method-not-allowed": _l("The resource does not answer this HTTP method; the Allow header lists those it does."),
    "not-acceptable": _l("The resource has no representation of the media types the Accept header asks for."),
    "conflict": _l("The request does not fit the resource's current state."),
    "gone": _l("The resource was here and its owner has withdrawn it."),
    "payload-too-large": _l("The request body is larger than allowed."),
    "unsupported-media-type": _l("The request body is of a media type the resource does not take."),
    "rate-limited": _l("Too many requests from this address in a short time; retry after the Retry-After delay."),
    "internal-error": _l("An unexpected error occurred; it has been logged."),
    "unavailable": _l("The service cannot answer now; retry later."),
}
MEDIA_TYPE = "application/problem+json"


def register_problem_paths(app: Flask, *prefixes: str) -> None:
    app.extensions.setdefault("problem_paths", ["/api/"]).extend(prefixes)


def wants_problem() -> bool:
    """Problem details for a registered path, unless the requester is a browser asking for a page (a path such as
    a shared credential answers both)."""
    prefixes = tuple(current_app.extensions.get("problem_paths", ["/api/"]))
    if not request.path.startswith(prefixes):
        return False
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match([MEDIA_TYPE, "application/json", "text/html"]) != "text/html"
    )


def requester_language() -> str:
    """The language the requester asks for (Accept-Language), else the one chosen on the site, else Kazakh."""
    languages = current_app.config["LANGUAGES"]
    user_choice = current_user.is_authenticated and current_user.locale in languages
    asked = request.accept_languages.best_match(languages) if request.accept_languages else None
    return asked if asked and not user_choice else select_locale()


def type_uri(slug: str) -> str:
    return f"{centre_settings().public_base_url.rstrip('/')}/problems/{slug}"


def problem_response(status: int, detail: str | None = None, headers: dict | None = None) -> Response:
    slug, title = PROBLEMS.get(status, PROBLEMS[500])
    language = requester_language()
    with force_locale(language):
        body = {
            "type": type_uri(slug),
            "title": str(title),
            "status": status,
            "detail": str(detail or PROBLEM_EXPLANATIONS[slug]),
            "instance": request.path,
        }
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE, headers=headers
    )
    response.headers["Content-Language"] = language
    response.vary.add("Accept-Language")
    return response
