"""Account verbs: registration, sign-in with throttling, user management. None of them commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from certcenter.accounts.models import CANDIDATE, LoginAttempt, User
from certcenter.core import audit
from certcenter.core.models import utcnow
from certcenter.core.text import clean_person_name
from certcenter.extensions import db


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("PASSWORD_HASH_TIME_COST", 3),
        memory_cost=config.get("PASSWORD_HASH_MEMORY_COST", 64 * 1024),
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Verify in constant work whether or not the user exists, so timing does not reveal accounts."""
    hasher = _hasher()
    if user is None:
        hasher.hash(password)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(
    email: str, full_name: str, password: str, roles: set[str], *, actor: Any = None, must_change_password: bool = False
) -> User:
    user = User(
        email=normalize_email(email),
        full_name=clean_person_name(full_name),  # InvisibleText if nothing visible is left
        password_hash=hash_password(password),
        must_change_password=must_change_password,
    )
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor, roles=sorted(roles))
    return user


def register_candidate(email: str, full_name: str, password: str) -> User | None:
    """Self-registration. Returns None, without saying so to the visitor, when the address is taken."""
    if user_by_email(email) is not None:
        hash_password(password)  # same work either way
        audit.record("user.register_duplicate", actor=None, email=normalize_email(email))
        return None
    user = create_user(email, full_name, password, {CANDIDATE})
    audit.record("user.register", user, actor=user)
    return user


@dataclass
class Throttle:
    blocked: bool
    retry_after_seconds: int = 0


def login_throttle(email: str, ip_address: str | None) -> Throttle:
    """Too many failures for this address or from this client within the window block further attempts."""
    config = current_app.config
    window = timedelta(seconds=config["LOGIN_THROTTLE_WINDOW_SECONDS"])
    since = utcnow() - window
    email = normalize_email(email)
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(True))
    )
    account_since = max(since, last_success) if last_success else since
    checks = [
        (LoginAttempt.email == email, account_since, config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
    ]
    if ip_address:
        checks.append((LoginAttempt.ip_address == ip_address, since, config["LOGIN_MAX_FAILURES_PER_ADDRESS"]))
    for condition, start, limit in checks:
        failures = db.session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(
                condition, LoginAttempt.succeeded.is_(False), LoginAttempt.at > start
            )
        ).one()
        if failures[0] >= limit:
            retry = int((failures[1] + window - utcnow()).total_seconds()) + 1
            return Throttle(True, max(retry, 1))
    return Throttle(False)


def authenticate(email: str, password: str, ip_address: str | None) -> User | None:
    """Check the credentials and record the attempt; an inactive account fails like a wrong password."""
    user = user_by_email(email)
    ok = check_password(user, password) and user is not None and user.active
    db.session.add(LoginAttempt(email=normalize_email(email), ip_address=ip_address, succeeded=ok))
    if not ok:
        audit.record("user.login_failed", user, actor=None, email=normalize_email(email))
        return None
    user.last_login_at = utcnow()
    audit.record("user.login", user, actor=user)
    return user


def change_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.end_sessions()
    audit.record("user.password_change", user, actor=user)


def reset_password(user: User, *, actor: User) -> str:
    """Set a temporary password the administrator hands over; the user must change it at the next sign-in."""
    temporary = generate_password()
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    user.end_sessions()
    audit.record("user.password_reset", user, actor=actor)
    return temporary


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.active == active:
        return
    user.active = active
    user.end_sessions()
    audit.record("user.activate" if active else "user.deactivate", user, actor=actor)


def update_roles(user: User, roles: set[str], *, actor: User) -> None:
    before = user.roles
    if before == roles:
        return
    user.set_roles(roles)
    audit.record("user.roles", user, actor=actor, before=sorted(before), after=sorted(roles))
