"""Request-wide behaviour: error pages in the user's language, template helpers, security headers. Knows no
domain: a domain's refusals derive from ``core.errors.UserError``, and what a domain shows in the shell (the
header's counts, its template helpers) it registers itself."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request, url_for
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from certcenter.core import failsafe, refusals
from certcenter.core.errors import UserError
from certcenter.core.i18n import current_language, localized
from certcenter.core.problems import problem_response, wants_problem
from certcenter.extensions import db

ERROR_MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("There is nothing at this address. It may have been moved or never existed.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    409: (_l("Conflict"), _l("This action no longer fits the current state. Reload the page to see what changed.")),
    410: (_l("No longer available"), _l("This was here, and has been withdrawn.")),
    413: (_l("File too large"), _l("The file you sent is larger than allowed. Choose a smaller file and try again.")),
    429: (_l("Too many requests"), _l("Too many attempts in a short time. Wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been logged; please try again later.")),
}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/health"))


def render_error(code: int, message: str | None = None, headers: dict | None = None):
    title, default_message = ERROR_MESSAGES.get(code, ERROR_MESSAGES[500])
    if wants_problem():
        return problem_response(code, message, headers)
    if wants_json():
        return jsonify({"error": str(title), "message": str(message or default_message)}), code, headers
    page = render_template("errors/error.html", code=code, title=title, message=message or default_message)
    return page, code, headers


def url_with(endpoint: str | None = None, **changes: object) -> str:
    """This page's address (or ``endpoint``'s, with this page's arguments) with some query arguments changed; None
    drops one. A pager keeps the filters a list was opened with."""
    args = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [value]
    return url_for(endpoint or request.endpoint, **(request.view_args or {}), **args)


def _centre_words(app: Flask) -> dict[str, str]:
    """The centre's name and short name for the page header; the configured ones when the settings cannot be read
    (an error page while the database is away)."""
    from sqlalchemy.exc import SQLAlchemyError

    from certcenter.core.settings import centre_settings

    try:
        settings = centre_settings()
        return {"centre_name": localized(settings.name), "centre_short_name": localized(settings.short_name)}
    except SQLAlchemyError:
        return {
            "centre_name": localized(app.config["CENTRE_NAME"]),
            "centre_short_name": localized(app.config["CENTRE_SHORT_NAME"]),
        }


def init_app(app: Flask) -> None:
    app.add_template_global(url_with)
    from certcenter.core import security_log

    security_log.init_app(app)  # denials, throttling

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        security_log.security_event("csrf_failed", status=400, reason=error.description)
        return render_error(
            400, _l("The form has expired or did not come from this site. Reload the page and try again.")
        )

    refusals.init_app(app)

    @app.errorhandler(UserError)
    def refused(error: UserError):
        """A refusal no view turned into a form error: its message on the page the form came from (or on the error
        page), nothing saved."""
        db.session.rollback()
        return refusals.page_with_refusal(error.status, error.message) or render_error(error.status, error.message)

    @app.errorhandler(StaleDataError)
    def stale_write(error: StaleDataError):
        db.session.rollback()
        message = _l(
            "Someone changed this application while you were working on it. Reload the page "
            "to see its current state; nothing was saved."
        )
        return refusals.page_with_refusal(409, message) or render_error(409, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        # abort(409, description=...) carries a message for the user; "stale" means a form older than its object.
        message = error.description if error.code == 409 and error.description else None
        if message == "stale":
            message = _l(
                "This form is out of date: the application changed after you opened it. Reload the page; "
                "nothing was saved."
            )
        if error.code in (409, 413):
            # refused in place: the page he sent it from, with the reason on top and his input kept
            shown = message or ERROR_MESSAGES[error.code][1]
            if error.code == 409:
                db.session.rollback()
            page = refusals.page_with_refusal(error.code, shown)
            if page is not None:
                return page
        # what the error says for itself (Allow on a 405, Retry-After on a 429) stays on the answer
        headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
        return render_error(error.code, message, headers)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        failsafe.rollback()  # the connection may be gone (the database restarted, the connection terminated)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return failsafe.guarded(render_error, 500)

    failsafe.init_app(app, *ERROR_MESSAGES[500])

    @app.context_processor
    def template_helpers() -> dict:
        return {
            "format_date": format_date,
            "format_datetime": format_datetime,
            "format_decimal": format_decimal,
            "localized": localized,
            "current_language": current_language(),
            "languages": [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")],
            **_centre_words(app),
        }

    @app.after_request
    def security_headers(response):
        from certcenter.core.headers import apply_security_headers

        return apply_security_headers(response, app.config)
