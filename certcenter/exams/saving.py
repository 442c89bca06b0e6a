"""Saving an answer: the hot path of a sitting (hundreds of candidates, an answer every few seconds each), so it is
one read and one conditional write.

Every save carries the client's sequence number. The write happens only if it is newer than the one the answer was
last saved with: a save repeated after a reconnect, or one overtaken by a later one, changes nothing. A save also
carries the token of the window that opened the test: a window that another one has since taken over is told so
and saves nothing. The server's clock alone says whether time is left (a few seconds' grace cover an answer that
was in flight as the time ran out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from certcenter.accounts.models import User
from certcenter.core.errors import UserError
from certcenter.core.models import utcnow
from certcenter.exams import kinds, services
from certcenter.exams.models import IN_PROGRESS, Attempt, AttemptItem
from certcenter.extensions import db

OTHER_WINDOW, FINISHED = "other_window", "finished"


class SaveRefused(UserError):
    """The save was understood and refused; ``reason`` tells the page what to do."""

    def __init__(self, message: Any, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Saved:
    written: bool  # False: an older or repeated save, nothing changed
    seq: int
    remaining: int


class NotFound(LookupError):
    """No such attempt or question of it for this person (answered as 404)."""


def save_answer(
    attempt_id: int, *, user_id: int, token: str, position: int, response: Any, seq: int, flagged: bool | None = None
) -> Saved:
    """Save an answer, or tell why not (the view's way; ``fastpath`` tries ``write_answer`` alone first)."""
    now = utcnow()
    saved = write_answer(
        attempt_id, user_id=user_id, token=token, position=position, response=response, seq=seq, flagged=flagged
    )
    if saved is not None:
        return saved
    value = kinds.normalize_response(response)
    return _not_written(attempt_id, user_id=user_id, token=token, position=position, value=value, now=now, seq=seq)


def write_answer(
    attempt_id: int,
    *,
    user_id: int,
    token: str,
    position: int,
    response: Any,
    seq: int,
    flagged: bool | None = None,
    nonce: str | None = None,
) -> Saved | None:
    """One conditional write: the answer is written only to the person's open attempt, from the window that holds
    it, in time, and if newer than the one stored (with ``nonce``, only for a session the person has not ended).
    Committed and given back; None if nothing was written, or the answer does not fit its question (rolled back)."""
    now = utcnow()
    value = kinds.normalize_response(response)
    values: dict[str, Any] = {"response": value, "seq": seq, "answered_at": now}
    if flagged is not None:
        values["flagged"] = bool(flagged)
    conditions = [
        AttemptItem.attempt_id == Attempt.id,
        Attempt.id == attempt_id,
        AttemptItem.position == position,
        Attempt.user_id == user_id,
        Attempt.status == IN_PROGRESS,
        Attempt.client_token == token,
        Attempt.deadline_at >= now - services.config_grace(),
        AttemptItem.seq < seq,
    ]
    if nonce is not None:
        conditions += [User.id == Attempt.user_id, User.session_nonce == nonce, User.active.is_(True)]
    written = db.session.execute(
        update(AttemptItem)
        .where(*conditions)
        .values(**values)
        # (SQLite returns only the updated table's columns: the deadline comes by a subquery)
        .returning(
            AttemptItem.kind,
            AttemptItem.option_order,
            select(Attempt.deadline_at).where(Attempt.id == attempt_id).scalar_subquery().label("deadline_at"),
        )
        .execution_options(synchronize_session=False)
    ).first()
    if written is None:
        db.session.rollback()
        return None
    try:
        fits = kinds.clean_response(written.kind, written.option_order, value) == value
    except kinds.ResponseError:
        fits = False
    if not fits:
        db.session.rollback()
        return None
    db.session.commit()
    return Saved(True, seq, max(0, int((written.deadline_at - now).total_seconds())))


def _not_written(attempt_id: int, *, user_id: int, token: str, position: int, value: Any, now, seq: int) -> Saved:
    row = db.session.execute(
        select(
            Attempt.user_id,
            Attempt.status,
            Attempt.deadline_at,
            Attempt.client_token,
            AttemptItem.kind,
            AttemptItem.option_order,
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .where(Attempt.id == attempt_id, AttemptItem.position == position)
    ).first()
    if row is None or row.user_id != user_id:
        raise NotFound
    if row.status != IN_PROGRESS:
        raise SaveRefused(_l("The test has been submitted."), FINISHED)
    if now > row.deadline_at + services.config_grace():
        attempt = db.session.get(Attempt, attempt_id)
        services.expire_if_due(attempt, now)
        db.session.commit()
        raise SaveRefused(_l("The time is up: the test has been submitted."), FINISHED)
    if token != row.client_token:
        raise SaveRefused(_l("The test is open in another window; this one no longer saves."), OTHER_WINDOW)
    kinds.clean_response(row.kind, row.option_order, value)  # a broken answer is told so, even when repeated
    db.session.rollback()
    return Saved(False, seq, max(0, int((row.deadline_at - now).total_seconds())))
