"""Writing notices, counting and reading them, and telling them in the reader's language.

Every notice goes through ``notify`` or ``notify_many``; the channels (in-app and e-mail) are behind them, so every
notice reaches both. How a kind of notice reads, where it leads and whether a person may switch its mails off is
registered by the domain that sends it (``register_kind``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, insert, select, update

from certcenter.accounts.models import ADMINISTRATOR, User, UserRole
from certcenter.core import audit
from certcenter.core.mail import Mail, public_url, queue_mail, queue_mails, recipient_locale
from certcenter.core.models import utcnow
from certcenter.core.registry import Registry
from certcenter.extensions import db
from certcenter.notifications.models import NoticePreference, Notification

# kind -> how a notice of that kind is told (a NoticeKind)
_describers = Registry("notifications.kinds")

# (user id, kind, subject or None, params)
Message = tuple[int, str, Any, dict[str, Any]]
DIGEST = "digest"


@dataclass(frozen=True)
class NoticeKind:
    describe: Callable[[Notification], str]
    # (endpoint, values) of the page the notice is about, for the mail's button and the in-app list
    link: Callable[[Notification], tuple[str, dict[str, Any]] | None] | None = None
    # the kind's name on the preference page; None: the kind cannot be switched off (security, legal)
    label: Any = None
    # more words for the mail (reasons, dates), in the reader's language
    details: Callable[[Notification], str | None] | None = None
    # an administrator's notice that the daily digest may gather instead of mailing it at once
    digest: bool = False

    @property
    def optional(self) -> bool:
        return self.label is not None


def register_kind(
    app: Flask,
    kind: str,
    describe: Callable[[Notification], str],
    *,
    link: Callable[[Notification], tuple[str, dict[str, Any]] | None] | None = None,
    label: Any = None,
    details: Callable[[Notification], str | None] | None = None,
    digest: bool = False,
) -> None:
    """How a kind of notice is told. With a ``label`` its mails can be switched off on the preference page; without
    one they are always sent (the holder's certificate revoked, an account's security)."""
    _describers.add(app, kind, NoticeKind(describe, link, label, details, digest))


def kind_of(kind: str) -> NoticeKind | None:
    return _describers.get(kind)


def switchable_kinds() -> list[tuple[str, Any]]:
    return [(kind, entry.label) for kind, entry in _describers.items() if entry.optional]


def _subject(subject: Any) -> tuple[str | None, str | None]:
    if subject is None:
        return None, None
    return type(subject).__name__, str(subject.id)


def notify(user_id: int, kind: str, subject: Any = None, **params: Any) -> None:
    """Tell one person; written with the caller's transaction (nothing is told of a change that rolls back)."""
    notify_many([(user_id, kind, subject, params)])


def notify_many(messages: list[Message]) -> None:
    """Many notices written by one statement."""
    if not messages:
        return
    now = utcnow()
    rows = []
    for user_id, kind, subject, params in messages:
        subject_type, subject_id = _subject(subject)
        rows.append(
            {
                "user_id": user_id,
                "kind": kind,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "params": params,
                "created_at": now,
            }
        )
    db.session.execute(insert(Notification), rows)
    g.pop("unread_notifications", None)
    _mail(rows)


def administrator_ids() -> list[int]:
    return list(
        db.session.scalars(select(User.id).join(UserRole).where(UserRole.role == ADMINISTRATOR, User.active.is_(True)))
    )


def notify_administrators(kind: str, subject: Any = None, **params: Any) -> None:
    """Tell every active administrator."""
    notify_many([(user_id, kind, subject, params) for user_id in administrator_ids()])


def _mail(rows: list[dict[str, Any]]) -> None:
    """The e-mail channel: each notice mailed to its person in his language, unless he switched that kind off or
    takes the daily digest. Only to confirmed addresses (an unconfirmed one may be someone else's)."""
    user_ids = {row["user_id"] for row in rows}
    users = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_(user_ids), User.active.is_(True), User.email_verified_at.is_not(None))
        )
    }
    if not users:
        return
    switched_off, digest = _preferences(set(users))
    mails = []
    for row in rows:
        user, entry = users.get(row["user_id"]), kind_of(row["kind"])
        if user is None or entry is None:
            continue
        if entry.optional and ((user.id, row["kind"]) in switched_off or (entry.digest and user.id in digest)):
            continue
        mails.append(_notice_mail(user, Notification(**row), entry))
    queue_mails(mails)


def _preferences(user_ids: set[int]) -> tuple[set[tuple[int, str]], set[int]]:
    switched_off, digest = set(), set()
    for preference in db.session.scalars(select(NoticePreference).where(NoticePreference.user_id.in_(user_ids))):
        if preference.kind == DIGEST:
            if preference.email:
                digest.add(preference.user_id)
        elif not preference.email:
            switched_off.add((preference.user_id, preference.kind))
    return switched_off, digest


def _notice_mail(user: User, notification: Notification, entry: NoticeKind) -> Mail:
    locale = recipient_locale(user.locale)
    with force_locale(locale):
        text = entry.describe(notification)
        details = entry.details(notification) if entry.details else None
        target = entry.link(notification) if entry.link else None
    link = public_url(target[0], **target[1]) if target else None
    headers = {}
    preferences_link = None
    if entry.optional:
        preferences_link = public_url("notifications.preferences")
        unsubscribe = public_url("notifications.unsubscribe", token=unsubscribe_token(user.id, notification.kind))
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return Mail(
        to=user.email,
        template="notice",
        locale=locale,
        kind=f"notice.{notification.kind}",
        user_id=user.id,
        headers=headers,
        context={
            "name": user.full_name,
            "text": text,
            "details": details,
            "link": link,
            "preferences_link": preferences_link,
        },
    )


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="certcenter.unsubscribe")


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A link that switches one kind of notice off for one person, without signing in (List-Unsubscribe). It does
    no more than that, so it need not expire."""
    return _unsubscribe_serializer().dumps([user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, kind = _unsubscribe_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    entry = kind_of(kind) if isinstance(kind, str) else None
    if not isinstance(user_id, int) or entry is None or not entry.optional:
        return None
    return user_id, kind


def set_preferences(user: User, by_email: set[str], *, digest: bool | None = None) -> None:
    """The person's choice: the switchable kinds in ``by_email`` are mailed, the others only shown in the
    application; ``digest`` (administrators) gathers their notices in one mail a day. Does not commit."""
    kinds = [kind for kind, _label in switchable_kinds()]
    existing = {
        preference.kind: preference
        for preference in db.session.scalars(select(NoticePreference).where(NoticePreference.user_id == user.id))
    }
    wanted = {kind: kind in by_email for kind in kinds}
    if digest is not None:
        wanted[DIGEST] = digest
    for kind, email in wanted.items():
        if kind in existing:
            existing[kind].email = email
        else:
            db.session.add(NoticePreference(user_id=user.id, kind=kind, email=email))
    audit.record(
        "user.notice_preferences",
        user,
        actor=user,
        by_email=sorted(kind for kind, email in wanted.items() if email and kind != DIGEST),
        in_app_only=sorted(kind for kind, email in wanted.items() if not email and kind != DIGEST),
        digest=bool(wanted.get(DIGEST)),
    )


def mailed_kinds(user_id: int) -> tuple[set[str], bool]:
    """The switchable kinds this person gets by e-mail, and whether he takes the digest."""
    switched_off, digest = _preferences({user_id})
    return {kind for kind, _label in switchable_kinds() if (user_id, kind) not in switched_off}, user_id in digest


def switch_off(user_id: int, kind: str) -> None:
    preference = db.session.get(NoticePreference, (user_id, kind))
    if preference is None:
        db.session.add(NoticePreference(user_id=user_id, kind=kind, email=False))
    else:
        preference.email = False
    user = db.session.get(User, user_id)
    audit.record("user.notice_preferences", user, actor=None, in_app_only=[kind])


def describe(notification: Notification) -> str:
    entry = kind_of(notification.kind)
    return entry.describe(notification) if entry else notification.kind


def link(notification: Notification) -> str | None:
    """Where the notice leads, as a path of this site (for the in-app list)."""
    entry = kind_of(notification.kind)
    target = entry.link(notification) if entry and entry.link else None
    return url_for(target[0], **target[1]) if target else None


def send_digests(since: datetime | None = None) -> int:
    """Each administrator who takes the digest gets one mail listing his notices of the last day that were not
    mailed one by one. Returns how many mails were queued. Does not commit."""
    since = since or utcnow() - timedelta(days=1)
    user_ids = db.session.scalars(
        select(NoticePreference.user_id).where(NoticePreference.kind == DIGEST, NoticePreference.email.is_(True))
    ).all()
    queued = 0
    for user in db.session.scalars(
        select(User).where(User.id.in_(user_ids), User.active.is_(True), User.email_verified_at.is_not(None))
    ):
        notices = db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.created_at > since)
            .order_by(Notification.created_at, Notification.id)
        ).all()
        notices = [notice for notice in notices if (entry := kind_of(notice.kind)) and entry.digest]
        if not notices:
            continue
        locale = recipient_locale(user.locale)
        with force_locale(locale):
            items = [describe(notice) for notice in notices]
        queue_mail(
            to=user.email,
            template="digest",
            locale=locale,
            kind="notice.digest",
            user_id=user.id,
            headers={},
            name=user.full_name,
            items=items,
            link=public_url("notifications.notification_list"),
            preferences_link=public_url("notifications.preferences"),
        )
        queued += 1
    return queued


def unread(user_id: int, limit: int = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None)))
        or 0
    )


def mark_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


# --- the mails' own failures ----------------------------------------------------------------------------------------

MAIL_FAILED_LABEL = _l("A mail that could not be delivered")


def describe_mail_failed(notification: Notification) -> str:
    return _(
        "A mail to %(to)s could not be delivered: %(error)s",
        to=notification.params.get("to", ""),
        error=notification.params.get("error", ""),
    )


def tell_administrators_of_failed_mail(mail: Any) -> None:
    """An outbox mail failed for good: the administrators are told (not of a failed notice of a failure, which
    could go round for ever with an administrator's address that bounces)."""
    from certcenter.notifications import MAIL_FAILED

    if mail.kind == f"notice.{MAIL_FAILED}":
        return
    notify_administrators(MAIL_FAILED, mail, to=mail.to_address, error=(mail.last_error or "")[:300])
