"""Signed links mailed to a person: to prove an address is theirs, and to choose a new password.

A token is signed with the application's secret (itsdangerous, a salt per purpose, so one purpose's token is never
taken for another's), carries its time (it expires), and names the user and what it is for. It works once because
it is bound to what using it changes: a verification token to the address still waiting to be confirmed, a
recovery token to the password hash it was made under (a new password invalidates every earlier link)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from certcenter.accounts.models import User
from certcenter.extensions import db

VERIFY, RESET = "email-verification", "password-reset"


class TokenError(Exception):
    """The link is not valid: tampered with, expired, used already, or for another account."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired", "used"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"certcenter.{purpose}")


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}:{user.id}".encode()).hexdigest()[:20]


def verification_token(user: User, email: str) -> str:
    return _serializer(VERIFY).dumps({"u": user.id, "e": email})


def reset_token(user: User) -> str:
    return _serializer(RESET).dumps({"u": user.id, "p": _password_fingerprint(user)})


def _load(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError("expired") from None
    except BadSignature:
        raise TokenError("invalid") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise TokenError("invalid")
    return payload


def user_to_verify(token: str) -> tuple[User, str]:
    """The user and the address a verification link confirms; TokenError unless that address still waits."""
    payload = _load(VERIFY, token, current_app.config["EMAIL_VERIFICATION_SECONDS"])
    user = db.session.get(User, payload["u"])
    email = payload.get("e")
    if user is None or not user.active:
        raise TokenError("invalid")
    waiting = (user.email == email and user.email_verified_at is None) or user.pending_email == email
    if not waiting:
        raise TokenError("used")
    return user, email


def user_to_reset(token: str) -> User:
    payload = _load(RESET, token, current_app.config["PASSWORD_RESET_SECONDS"])
    user = db.session.get(User, payload["u"])
    if user is None or not user.active:
        raise TokenError("invalid")
    if payload.get("p") != _password_fingerprint(user):
        raise TokenError("used")
    return user
