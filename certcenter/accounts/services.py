"""Account verbs: registration, sign-in with throttling, user management. None of them commits."""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from certcenter.accounts import signals, tokens
from certcenter.accounts.models import CANDIDATE, LoginAttempt, User
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.mail import public_url, queue_mail
from certcenter.core.models import utcnow
from certcenter.core.security_log import security_event
from certcenter.core.text import clean_person_name
from certcenter.extensions import db


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_HASH_TIME_COST"],
        memory_cost=config["PASSWORD_HASH_MEMORY_COST"],
        parallelism=config["PASSWORD_HASH_PARALLELISM"],
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
    email: str,
    full_name: str,
    password: str,
    roles: set[str],
    *,
    actor: Any = None,
    must_change_password: bool = False,
    verified: bool = True,
    locale: str | None = None,
) -> User:
    """An account; one an administrator (or the command line) makes counts as verified: its address was given by
    the centre, which hands over the temporary password itself."""
    user = User(
        email=normalize_email(email),
        full_name=clean_person_name(full_name),  # InvisibleText if nothing visible is left
        password_hash=hash_password(password),
        must_change_password=must_change_password,
        email_verified_at=utcnow() if verified else None,
        locale=locale,
    )
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor, roles=sorted(roles))
    return user


def register_candidate(email: str, full_name: str, password: str, *, locale: str | None = None) -> User | None:
    """Self-registration: the account, and a link to confirm the address mailed to it. Returns None, without saying
    so to the visitor, when the address is taken; its owner is told by mail instead (and how to recover the
    password, which is what a forgotten account usually means)."""
    existing = user_by_email(email)
    if existing is not None:
        hash_password(password)  # same work either way
        audit.record("user.register_duplicate", actor=None, email=normalize_email(email))
        queue_mail(
            to=existing.email,
            template="account_exists",
            locale=existing.locale or locale,
            kind="account.exists",
            user_id=existing.id,
            name=existing.full_name,
            link=public_url("accounts.forgot_password"),
        )
        return None
    user = create_user(email, full_name, password, {CANDIDATE}, verified=False, locale=locale)
    audit.record("user.register", user, actor=user)
    send_verification(user)
    signals.candidate_registered.send(user)
    return user


# --- the address ----------------------------------------------------------------------------------------------------


def send_verification(user: User) -> None:
    """Mail the link that confirms the account's address (or the address it is being changed to)."""
    email = user.pending_email or user.email
    seconds = current_app.config["EMAIL_VERIFICATION_SECONDS"]
    queue_mail(
        to=email,
        template="email_change" if user.pending_email else "verify_email",
        locale=user.locale,
        kind="account.verify_email",
        user_id=user.id,
        name=user.full_name,
        email=email,
        link=public_url("accounts.verify_email", token=tokens.verification_token(user, email)),
        days=max(1, seconds // 86400),
    )


def resend_verification(user: User) -> None:
    send_verification(user)
    audit.record("user.verification_resent", user, actor=user)


def verify_email(user: User, email: str) -> None:
    """The link was opened: the address is the person's. A pending change takes effect now."""
    if user.pending_email == email:
        old = user.email
        if user_by_email(email) is not None:
            raise UserError(_l("Another account uses this address now."))
        user.email, user.pending_email = email, None
        user.email_verified_at = utcnow()
        audit.record("user.email_changed", user, actor=user, old_email=old, email=email)
    else:
        user.email_verified_at = utcnow()
        audit.record("user.email_verified", user, actor=user, email=email)


def request_email_change(user: User, new_email: str) -> None:
    """Keep the new address waiting for its link; mail the link there and a notice to the current address."""
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise UserError(_l("This is already your address."))
    if user_by_email(new_email) is not None:
        raise UserError(_l("A user with this e-mail already exists."))
    user.pending_email = new_email
    audit.record("user.email_change_requested", user, actor=user, new_email=new_email)
    send_verification(user)
    queue_mail(
        to=user.email,
        template="email_change_notice",
        locale=user.locale,
        kind="account.email_change_notice",
        user_id=user.id,
        name=user.full_name,
        new_email=new_email,
        link=public_url("accounts.forgot_password"),
    )


# --- password recovery --------------------------------------------------------------------------------------------


def request_password_recovery(email: str) -> None:
    """Mail a recovery link if the address belongs to an active account; nothing says whether it did."""
    user = user_by_email(email)
    if user is None or not user.active:
        audit.record("user.password_recovery_unknown", actor=None, email=normalize_email(email)[:254])
        return
    audit.record("user.password_recovery_requested", user, actor=None)
    queue_mail(
        to=user.email,
        template="password_reset",
        locale=user.locale,
        kind="account.password_reset",
        user_id=user.id,
        name=user.full_name,
        link=public_url("accounts.reset_password", token=tokens.reset_token(user)),
        minutes=current_app.config["PASSWORD_RESET_SECONDS"] // 60,
    )


def recover_password(user: User, new_password: str) -> None:
    """A new password chosen through a mailed link: every other session ends, and the address is proven (the link
    reached it). Earlier links stop working, as the password they were made under is gone."""
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    _sessions_ended(user, "password_recovered")
    audit.record("user.password_recovered", user, actor=user)
    _tell_password_changed(user)


def _tell_password_changed(user: User) -> None:
    queue_mail(
        to=user.email,
        template="password_changed",
        locale=user.locale,
        kind="account.password_changed",
        user_id=user.id,
        name=user.full_name,
        link=public_url("accounts.forgot_password"),
    )


@dataclass
class Throttle:
    blocked: bool
    retry_after_seconds: int = 0
    reason: str | None = None  # "pair", "address" or "account"


def _from_address(ip_address: str | None):
    return LoginAttempt.ip_address == ip_address if ip_address else LoginAttempt.ip_address.is_(None)


def _failures_since(condition, since: datetime) -> tuple[int, datetime | None, datetime | None]:
    """How many failed attempts match since then, the first and the last of them."""
    count, first, last = db.session.execute(
        select(func.count(), func.min(LoginAttempt.at), func.max(LoginAttempt.at)).where(
            condition, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since
        )
    ).one()
    return count, first, last


def _last_success(condition) -> datetime | None:
    return db.session.scalar(select(func.max(LoginAttempt.at)).where(condition, LoginAttempt.succeeded.is_(True)))


def _seconds_until(moment: datetime) -> int:
    return max(1, math.ceil((moment - utcnow()).total_seconds()))


def password_throttle(email: str, ip_address: str | None, *, purpose: str = "signin") -> Throttle:
    """Whether a password may be tried now for this account from this client address (sign-in, and the current
    password on the change-password form). Three rules, none of which lets a stranger lock the owner out:

    - this address against this account: LOGIN_MAX_FAILURES_PER_PAIR failures in the window block the pair until
      the first of them leaves it (a success from the pair starts the count again);
    - this address against any account: LOGIN_MAX_FAILURES_PER_ADDRESS failures in the window (password spraying);
    - the account from everywhere (a distributed guess): past LOGIN_ACCOUNT_FREE_FAILURES failures since its last
      success, each attempt waits 1, 2, 4... seconds, at most LOGIN_ACCOUNT_MAX_DELAY_SECONDS, after the previous
      failure. An address the account signed in from within LOGIN_KNOWN_ADDRESS_DAYS is not made to wait: the owner
      at their usual places is never held up by someone else's guesses.

    A refused attempt checks no password and is not recorded, so waiting out a delay is enough. It is logged."""
    throttle = _password_throttle(normalize_email(email), ip_address)
    if throttle.blocked:
        security_event(
            "password_throttled",
            purpose=purpose,
            email=normalize_email(email),
            reason=throttle.reason,
            retry_after=throttle.retry_after_seconds,
        )
    return throttle


def _password_throttle(email: str, ip_address: str | None) -> Throttle:
    config = current_app.config
    now = utcnow()
    window = timedelta(seconds=config["LOGIN_THROTTLE_WINDOW_SECONDS"])
    since = now - window
    account, address = LoginAttempt.email == email, _from_address(ip_address)

    pair_success = _last_success(account & address)
    failures, first, _last = _failures_since(account & address, max(since, pair_success) if pair_success else since)
    if failures >= config["LOGIN_MAX_FAILURES_PER_PAIR"]:
        return Throttle(True, _seconds_until(first + window), "pair")

    if ip_address:
        failures, first, _last = _failures_since(address, since)
        if failures >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
            return Throttle(True, _seconds_until(first + window), "address")

    account_success = _last_success(account)
    account_since = now - timedelta(seconds=config["LOGIN_ACCOUNT_WINDOW_SECONDS"])
    failures, _first, last = _failures_since(
        account, max(account_since, account_success) if account_success else account_since
    )
    excess = failures - config["LOGIN_ACCOUNT_FREE_FAILURES"]
    if excess >= 0:
        known = pair_success is not None and pair_success > now - timedelta(days=config["LOGIN_KNOWN_ADDRESS_DAYS"])
        delay = timedelta(seconds=min(2 ** min(excess, 30), config["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"]))
        if not known and last + delay > now:
            return Throttle(True, _seconds_until(last + delay), "account")
    return Throttle(False)


def authenticate(email: str, password: str, ip_address: str | None) -> User | None:
    """Check the credentials and record the attempt; an inactive account fails like a wrong password."""
    user = user_by_email(email)
    ok = check_password(user, password) and user is not None and user.active
    db.session.add(LoginAttempt(email=normalize_email(email), ip_address=ip_address, succeeded=ok))
    if not ok:
        audit.record("user.login_failed", user, actor=None, email=normalize_email(email))
        security_event("signin_failed", level=logging.INFO, email=normalize_email(email))
        return None
    user.last_login_at = utcnow()
    audit.record("user.login", user, actor=user)
    return user


def verify_current_password(user: User, password: str, ip_address: str | None) -> bool:
    """The current password asked before a change: a guess like a sign-in, recorded and throttled the same way (a
    stolen session must not become unlimited guesses at the password)."""
    ok = check_password(user, password)
    db.session.add(LoginAttempt(email=user.email, ip_address=ip_address, succeeded=ok))
    if not ok:
        audit.record("user.password_check_failed", user, actor=user)
        security_event("password_check_failed", email=user.email)
    return ok


def sign_out(user: User) -> None:
    """Sign-out ends the session server-side: the nonce in every session id of the user changes, so a copy of this
    session's cookie (or any other device's) no longer signs anyone in."""
    user.end_sessions()
    audit.record("user.logout", user, actor=user)
    security_event("signed_out", level=logging.INFO, sessions="all")


def _sessions_ended(user: User, reason: str) -> None:
    user.end_sessions()
    security_event("sessions_ended", level=logging.INFO, account=user.id, reason=reason)


def change_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    _sessions_ended(user, "password_change")
    audit.record("user.password_change", user, actor=user)
    _tell_password_changed(user)


def reset_password(user: User, *, actor: User) -> str:
    """Set a temporary password the administrator hands over; the user must change it at the next sign-in."""
    temporary = generate_password()
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    _sessions_ended(user, "password_reset")
    audit.record("user.password_reset", user, actor=actor)
    return temporary


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.active == active:
        return
    user.active = active
    _sessions_ended(user, "activated" if active else "deactivated")
    audit.record("user.activate" if active else "user.deactivate", user, actor=actor)


def update_roles(user: User, roles: set[str], *, actor: User) -> None:
    before = user.roles
    if before == roles:
        return
    user.set_roles(roles)
    audit.record("user.roles", user, actor=actor, before=sorted(before), after=sorted(roles))
