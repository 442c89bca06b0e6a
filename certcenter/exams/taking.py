"""The candidate's test: one question at a time with a map, every answer saved as it is given (by the page's script,
or by the question's own form without it), the time kept by the server, the end by the candidate or the clock."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import CANDIDATE
from certcenter.core.permissions import role_required
from certcenter.exams import kinds, policy, saving, services
from certcenter.exams.models import IN_PROGRESS, MARKED, MATCHING, MULTIPLE, Attempt, AttemptItem
from certcenter.extensions import db

bp = Blueprint("exams_take", __name__, url_prefix="/exams")


def _own_attempt(attempt_id: int) -> Attempt:
    """The candidate's own attempt; anyone else's does not exist for him (404)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not policy.owns_attempt(attempt, current_user):
        abort(404)
    return attempt


@bp.get("/attempts/<int:attempt_id>")
@role_required(CANDIDATE)
def take(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if services.expire_if_due(attempt):
        db.session.commit()
    if attempt.status != IN_PROGRESS:
        return _finished_page(attempt)
    last_seq = services.resume(attempt)
    db.session.commit()
    items = (
        db.session.query(AttemptItem)
        .filter(AttemptItem.attempt_id == attempt.id)
        .options(selectinload(AttemptItem.version))
        .order_by(AttemptItem.position)
        .all()
    )
    current = min(max(request.args.get("q", type=int) or _first_unanswered(items), 1), len(items))
    response = render_template(
        "exams/take.html",
        attempt=attempt,
        items=items,
        current=current,
        remaining=services.remaining_seconds(attempt),
        last_seq=last_seq,
        action_form=ConfirmForm(),
        kinds_multiple=MULTIPLE,
        kinds_matching=MATCHING,
        option_text=_option_text,
    )
    # The test's page is never kept by the browser's cache: back and forward load it again, with the time left.
    return response, 200, {"Cache-Control": "no-store"}


def _first_unanswered(items: list[AttemptItem]) -> int:
    return next((item.position for item in items if not item.answered), 1)


def _option_text(item: AttemptItem, option_id: str, side: str | None = None) -> dict[str, str]:
    options = item.version.options[side] if side else item.version.options
    return next(option["text"] for option in options if option["id"] == option_id)


def _finished_page(attempt: Attempt):
    from certcenter.exams.panels import attempt_summaries

    summary = next((s for s in attempt_summaries(attempt.application) if s["attempt"].id == attempt.id), None)
    return render_template("exams/finished.html", attempt=attempt, summary=summary, marked=attempt.status == MARKED)


def _form_response(item_kind: str, form) -> Any:
    if item_kind == MULTIPLE:
        return form.getlist("response")
    if item_kind == MATCHING:
        return {key.split("|", 1)[1]: value for key, value in form.items() if key.startswith("match|")}
    return form.get("response")


@bp.post("/attempts/<int:attempt_id>/answers")
@role_required(CANDIDATE)
def save(attempt_id: int):
    """A JSON save from the page's script, or a question's form posted without it (then on to the next question)."""
    data = request.get_json(silent=True) if request.is_json else None
    if data is None:
        return _save_form(attempt_id)
    try:
        saved = saving.save_answer(
            attempt_id,
            user_id=current_user.id,
            token=str(data.get("token", "")),
            position=int(data.get("position", 0)),
            response=data.get("response"),
            seq=int(data.get("seq", 0)),
            flagged=data.get("flagged"),
        )
    except saving.NotFound:
        abort(404)
    except saving.SaveRefused as exc:
        db.session.rollback()
        return jsonify({"error": exc.reason, "message": str(exc.message), "finished": _finished_url(attempt_id)}), 409
    except (kinds.ResponseError, TypeError, ValueError) as exc:
        db.session.rollback()
        return jsonify({"error": "invalid", "message": str(getattr(exc, "message", exc))}), 400
    return jsonify({"saved": saved.written, "seq": saved.seq, "remaining": saved.remaining})


def _finished_url(attempt_id: int) -> str:
    return url_for(".take", attempt_id=attempt_id)


def _save_form(attempt_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attempt = _own_attempt(attempt_id)
    position = request.form.get("position", type=int) or 0
    item = next((item for item in attempt.items if item.position == position), None)
    if item is None:
        abort(404)
    try:
        saving.save_answer(
            attempt_id,
            user_id=current_user.id,
            token=request.form.get("token", ""),
            position=position,
            response=_form_response(item.kind, request.form),
            seq=request.form.get("seq", type=int) or 0,
            flagged=request.form.get("flagged") == "on",
        )
    except saving.SaveRefused as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for(".take", attempt_id=attempt_id))
    except kinds.ResponseError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    go = request.form.get("go", type=int) or position
    return redirect(url_for(".take", attempt_id=attempt_id, q=go))


@bp.get("/attempts/<int:attempt_id>/state.json")
@role_required(CANDIDATE)
def state(attempt_id: int):
    """What the page's clock asks now and then, and when it reaches zero: the server's time left, and whether the
    attempt is still open (an expired one is submitted here)."""
    attempt = _own_attempt(attempt_id)
    if services.expire_if_due(attempt):
        db.session.commit()
    return jsonify(
        {
            "status": attempt.status,
            "remaining": services.remaining_seconds(attempt) if attempt.status == IN_PROGRESS else 0,
            "finished": _finished_url(attempt.id),
        }
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@role_required(CANDIDATE)
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.submit_attempt(attempt, actor=current_user)
    db.session.commit()
    flash(_("Your test has been submitted."), "success")
    return redirect(url_for(".take", attempt_id=attempt.id))
