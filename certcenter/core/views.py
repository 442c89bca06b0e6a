"""Home page, language switch and the operators' health endpoint."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from certcenter.core.health import run_checks
from certcenter.core.homes import home_url
from certcenter.core.problems import PROBLEM_EXPLANATIONS, PROBLEMS, type_uri
from certcenter.extensions import db, limiter

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    return render_template("core/home.html")


@bp.get("/home")
@login_required
def my_home():
    """The signed-in person's own start page, by role (see ``core.homes``)."""
    return redirect(home_url(current_user))


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = language
    if current_user.is_authenticated and current_user.locale != language:
        current_user.locale = language
        db.session.commit()
    return redirect(safe_next(request.form.get("next")))


def safe_next(target: str | None) -> str:
    """Only a path on this site, so the switcher cannot be used as an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("core.home")


@bp.get("/problems/<slug>")
def problem_type(slug: str):
    """What a problem type of the public API means (its ``type`` URI resolves here)."""
    explanation = PROBLEM_EXPLANATIONS.get(slug)
    if explanation is None:
        abort(404)
    status, title = next((status, title) for status, (name, title) in PROBLEMS.items() if name == slug)
    return render_template(
        "core/problem.html", status=status, title=title, explanation=explanation, type_uri=type_uri(slug)
    )


@bp.get("/health")
@limiter.exempt
def health():
    checks, healthy = run_checks()
    body = {
        "status": "ok" if healthy else "fail",
        "failing": [name for name, result in checks.items() if not result["ok"]],
        "checks": checks,
    }
    return jsonify(body), 200 if healthy else 503
