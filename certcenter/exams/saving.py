"""Saving an answer: the hot path of a sitting (hundreds of candidates, an answer every few seconds each), so it is
one conditional write, a statement of its own (the questions' kinds and options, which the write is checked
against, are read once per attempt and kept).

Every save carries the client's sequence number. The write happens only if it is newer than the one the answer was
last saved with: a save repeated after a reconnect, or one overtaken by a later one, changes nothing. A save also
carries the token of the window that opened the test: a window that another one has since taken over is told so
and saves nothing. The server's clock alone says whether time is left (a few seconds' grace cover an answer that
was in flight as the time ran out)."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Update, bindparam, select, update

from certcenter.accounts.models import User
from certcenter.core.errors import UserError
from certcenter.core.models import utcnow
from certcenter.core.transactions import execute_alone
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
    The answer is checked against its question first (the question's kind and options, read once per attempt), so
    the write is final: one statement, its own transaction (``execute_alone``: safe to repeat, as the sequence
    number makes it). The save, or None if nothing was written or the answer does not fit its question."""
    now = utcnow()
    value = kinds.normalize_response(response)
    item = _item_spec(attempt_id, token, position)
    if item is None or not _fits(item, value):
        return None
    params = {"the_attempt": attempt_id, "the_position": position, "the_user": user_id, "the_token": token,
              "new_seq": seq, "earliest": now - services.config_grace(), "new_response": value,
              "answered": now}  # fmt: skip
    if nonce is not None:
        params["nonce"] = nonce
    if flagged is not None:
        params["new_flagged"] = bool(flagged)
    written = execute_alone(_write_statement(nonce is not None, flagged is not None), params)
    if not written:
        return None
    return Saved(True, seq, _remaining(written[0].deadline, now))


@functools.cache
def _write_statement(with_nonce: bool, with_flag: bool) -> Update:
    """The save's UPDATE, built once (per process) with its values as parameters."""
    items, attempts, users = AttemptItem.__table__, Attempt.__table__, User.__table__
    conditions = [
        items.c.attempt_id == attempts.c.id,
        attempts.c.id == bindparam("the_attempt"),
        items.c.position == bindparam("the_position"),
        attempts.c.user_id == bindparam("the_user"),
        attempts.c.status == IN_PROGRESS,
        attempts.c.client_token == bindparam("the_token"),
        attempts.c.deadline_at >= bindparam("earliest", type_=attempts.c.deadline_at.type),
        items.c.seq < bindparam("new_seq"),
    ]
    if with_nonce:
        conditions += [users.c.id == attempts.c.user_id, users.c.session_nonce == bindparam("nonce"),
                       users.c.active.is_(True)]  # fmt: skip
    values = {
        "response": bindparam("new_response", type_=items.c.response.type),
        "seq": bindparam("new_seq"),
        "answered_at": bindparam("answered", type_=items.c.answered_at.type),
    }
    if with_flag:
        values["flagged"] = bindparam("new_flagged")
    deadline = select(attempts.c.deadline_at).where(attempts.c.id == bindparam("the_attempt")).scalar_subquery()
    # (SQLite returns only the updated table's columns: the deadline comes by a subquery)
    return update(items).where(*conditions).values(**values).returning(deadline.label("deadline"))


def repeated_save(
    attempt_id: int, *, user_id: int, nonce: str, token: str, position: int, response: Any, seq: int
) -> Saved | None:
    """A save that wrote nothing because the answer stored is as new or newer (a save sent again after a
    reconnect, or overtaken by a later one): told so without the app's whole request. None for anything else."""
    now = utcnow()
    value = kinds.normalize_response(response)
    item = _item_spec(attempt_id, token, position)
    if item is None or not _fits(item, value):
        return None
    rows = execute_alone(
        select(Attempt.deadline_at)
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(User, User.id == Attempt.user_id)
        .where(
            Attempt.id == attempt_id,
            AttemptItem.position == position,
            Attempt.user_id == user_id,
            User.session_nonce == nonce,
            User.active.is_(True),
            Attempt.status == IN_PROGRESS,
            Attempt.client_token == token,
            Attempt.deadline_at >= now - services.config_grace(),
            AttemptItem.seq >= seq,
        )
    )
    return Saved(False, seq, _remaining(rows[0].deadline_at, now)) if rows else None


def _remaining(deadline, now) -> int:
    return max(0, int((deadline - now).total_seconds()))


def _fits(item: tuple[str, Any], value: Any) -> bool:
    try:
        return kinds.clean_response(item[0], item[1], value) == value
    except kinds.ResponseError:
        return False


_SPECS: OrderedDict[tuple[int, str], dict[int, tuple[str, Any]]] = OrderedDict()
_SPECS_KEPT = 4096  # attempts: a sitting's worth many times over
_specs_lock = threading.Lock()


def _item_spec(attempt_id: int, token: str, position: int) -> tuple[str, Any] | None:
    """The kind and option order of a question of an attempt (fixed when the form was drawn), kept per process for
    the attempts saved to lately, so that a save reads nothing before its write. Kept by the attempt and the token
    of the window that holds it (a number a database may give again never finds another attempt's questions)."""
    key = (attempt_id, token)
    with _specs_lock:
        items = _SPECS.get(key)
        if items is not None:
            _SPECS.move_to_end(key)
    if items is None:
        items = {
            row.position: (row.kind, row.option_order)
            for row in execute_alone(
                select(AttemptItem.position, AttemptItem.kind, AttemptItem.option_order)
                .join(Attempt, Attempt.id == AttemptItem.attempt_id)
                .where(AttemptItem.attempt_id == attempt_id, Attempt.client_token == token)
            )
        }
        if not items:
            return None
        with _specs_lock:
            _SPECS[key] = items
            while len(_SPECS) > _SPECS_KEPT:
                _SPECS.popitem(last=False)
    return items.get(position)


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
    return Saved(False, seq, _remaining(row.deadline_at, now))
