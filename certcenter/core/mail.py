"""Outgoing mail: one interface, two transports, and the outbox between the change that causes a mail and the worker
that sends it.

- ``queue_mail`` renders a mail in the recipient's language (plain text and HTML from the same template) and writes
  it to the outbox with the caller's transaction; once that commits, a task on the ``mail`` queue sends it.
- ``send_outbox_mail`` (the task's body) claims the row, hands the message to the transport, and records the
  outcome: sent; refused for now (4xx, no answer: tried again later with a growing delay); refused for good (5xx:
  failed, shown to administrators).
- Transports: ``SMTPTransport`` (smtplib: STARTTLS, implicit TLS or plain, with a login) when ``MAIL_SMTP_HOST`` is
  set; otherwise ``MailboxTransport``, which writes each message as an ``.eml`` file under ``instance/mail/`` (the
  embedded default of ``make run``, listed at ``/dev/mail``).
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from celery import shared_task
from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import insert, select, update

from certcenter.core.models import OutboxMail, utcnow
from certcenter.core.registry import Registry
from certcenter.core.transactions import after_commit
from certcenter.core.workers import register_sweeper
from certcenter.extensions import db

log = logging.getLogger(__name__)

# name -> a function called with an outbox mail that failed for good (notifications tells the administrators)
failure_listeners = Registry("mail.failure_listeners")


class TemporaryFailure(Exception):
    """The server could not take the message now (4xx, no connection, no answer): try again later."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): trying again would not help."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SMTPTransport:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10,
    ) -> None:
        if security not in ("starttls", "tls", "none"):
            raise ValueError(f"MAIL_SMTP_SECURITY must be starttls, tls or none, not {security!r}")
        self.host, self.port, self.security = host, int(port), security
        self.username, self.password, self.timeout = username, password, timeout

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            connection.starttls(context=context)
        return connection

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as connection:
                if self.username:
                    connection.login(self.username, self.password or "")
                refused = connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise _refusal(error.recipients) from error
        except smtplib.SMTPResponseException as error:
            raise _failure(error.smtp_code, f"{error.smtp_code} {_text(error.smtp_error)}") from error
        except (OSError, smtplib.SMTPException) as error:  # refused, reset, timed out, TLS failed, disconnected
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
        if refused:  # one recipient per message: a partial refusal does not happen, but it would not be "sent"
            raise _refusal(refused)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refusal(recipients: dict[str, tuple[int, bytes]]) -> Exception:
    code = min(code for code, _reply in recipients.values())
    return _failure(code, "; ".join(f"{code} {_text(reply)}" for code, reply in recipients.values()))


def _failure(code: int, text: str) -> Exception:
    # a refused login (535) or an unknown command is the centre's configuration, not the message: try again later,
    # while an administrator sees the error on the row
    if 500 <= code < 600 and code not in (530, 534, 535):
        return PermanentFailure(text)
    return TemporaryFailure(text)


class MailboxTransport:
    """Each message an ``.eml`` file named by its ``Message-ID``: written under a temporary name and renamed into
    place, so a reader never sees half a message and the same message written twice is one file."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{mailbox_name(message['Message-ID'])}.eml"
        if target.exists():
            return
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        with os.fdopen(handle, "wb") as file:
            file.write(message.as_bytes())
        os.replace(temporary, target)


def mailbox_name(message_id: str) -> str:
    """The ``.eml`` file name of a message: a timestamped Message-ID, with what a file name must not hold replaced."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>"))


def mailbox_path(app: Flask | None = None) -> Path:
    app = app or current_app
    return Path(app.config.get("MAIL_MAILBOX_PATH") or Path(app.instance_path) / "mail")


def uses_mailbox(app: Flask | None = None) -> bool:
    return not (app or current_app).config.get("MAIL_SMTP_HOST")


def transport(app: Flask | None = None) -> Transport:
    config = (app or current_app).config
    if uses_mailbox(app):
        return MailboxTransport(mailbox_path(app))
    return SMTPTransport(
        config["MAIL_SMTP_HOST"],
        config["MAIL_SMTP_PORT"],
        security=config["MAIL_SMTP_SECURITY"],
        username=config.get("MAIL_SMTP_USERNAME"),
        password=config.get("MAIL_SMTP_PASSWORD"),
        timeout=config["MAIL_SMTP_TIMEOUT_SECONDS"],
    )


# --- writing ------------------------------------------------------------------------------------------------------


def public_host() -> str:
    return urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute address on the configured public URL, never on the Host header of whatever request is running
    (a visitor could send any), and available to workers, which have no request."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def recipient_locale(locale: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    return locale if locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def centre_name(locale: str) -> str:
    names = current_app.config["CENTRE_NAME"]
    return names.get(locale) or next(iter(names.values())) if isinstance(names, dict) else str(names)


def render_mail(template: str, locale: str, **context: Any) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of ``templates/mail/<template>.jinja`` in ``locale``: the template is rendered
    twice, once as text and once as HTML (its ``subject`` block gives the subject)."""
    with force_locale(locale):
        common = {"locale": locale, "centre_name": centre_name(locale), **context}
        html = render_template(f"mail/{template}.jinja", mail_format="html", **common)
        text = render_template(f"mail/{template}.jinja", mail_format="text", **common)
    subject, _sep, text = text.partition("\n")
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html = html.partition("\n")[2].strip() + "\n"
    return subject.strip(), text, html


@dataclass
class Mail:
    """A mail to write to the outbox: to whom, which template (``templates/mail/<template>.jinja``) with what."""

    to: str
    template: str
    locale: str | None
    kind: str
    user_id: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


def queue_mail(
    *,
    to: str,
    template: str,
    locale: str | None,
    kind: str,
    user_id: int | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> int:
    """Write a mail to the outbox in the caller's transaction; it is sent once that commits. Does not commit.
    Returns the outbox row's id."""
    (mail_id,) = queue_mails([Mail(to, template, locale, kind, user_id, headers or {}, context)])
    return mail_id


def queue_mails(mails: list[Mail]) -> list[int]:
    """Many mails (a batch's notices) rendered and written by one statement, sent by tasks of up to
    ``MAIL_TASK_BATCH`` mails each once the transaction commits."""
    if not mails:
        return []
    now = utcnow()
    rows = []
    for mail in mails:
        locale = recipient_locale(mail.locale)
        subject, text, html = render_mail(mail.template, locale, **mail.context)
        rows.append(
            {
                "message_id": make_msgid(domain=public_host()),
                "user_id": mail.user_id,
                "to_address": mail.to,
                "kind": mail.kind,
                "locale": locale,
                "subject": subject,
                "text_body": text,
                "html_body": html,
                "headers": mail.headers,
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    ids = list(db.session.scalars(insert(OutboxMail).returning(OutboxMail.id, sort_by_parameter_order=True), rows))
    after_commit(lambda: _enqueue(ids))
    return ids


@shared_task(name="certcenter.core.mail.send_mail", ignore_result=True)
def send_mail(mail_ids: list[int]) -> list[str | None]:
    """The worker's side (the ``mail`` queue): send these outbox mails, each if it is due. Idempotent: a mail
    already sent, or being sent by another worker, is left alone."""
    try:
        return [send_outbox_mail(mail_id) for mail_id in mail_ids]
    finally:
        db.session.remove()


def _enqueue(mail_ids: list[int]) -> None:
    """Queue the sending with this Flask app's own Celery app (its configuration, its broker); with the broker
    already unreachable in this request, the outbox's sweep sends them instead."""
    from certcenter.core.transactions import broker_unreachable

    if broker_unreachable():
        return
    task = current_app.extensions["celery"].tasks[send_mail.name]
    size = current_app.config["MAIL_TASK_BATCH"]
    for start in range(0, len(mail_ids), size):
        task.delay(mail_ids[start : start + size])


def sender(locale: str) -> Address | str:
    """The centre, named in the recipient's language, unless MAIL_FROM names it itself ("Name <address>")."""
    address = current_app.config.get("MAIL_FROM") or f"noreply@{public_host()}"
    return address if "<" in address else Address(display_name=centre_name(locale), addr_spec=address)


def build_message(mail: OutboxMail) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender(mail.locale)
    message["To"] = mail.to_address
    message["Message-ID"] = mail.message_id
    message["Date"] = mail.created_at
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (mail.headers or {}).items():
        message[name] = value
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    message["Content-Language"] = mail.locale  # after the body: making it multipart moves Content-* headers inward
    return message


# --- sending ------------------------------------------------------------------------------------------------------


def _claim(mail_id: int) -> bool:
    """Take the row for this worker: one worker at a time, and only when it is due (two tasks for one row, sent by
    the sweep and the request, send it once)."""
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == "queued", OutboxMail.next_attempt_at <= now)
        .values(status="sending", sending_since=now, attempts=OutboxMail.attempts + 1)
    )
    db.session.commit()  # before the SMTP transaction: a worker that dies after it leaves the row "sending"
    return claimed.rowcount == 1


def send_outbox_mail(mail_id: int) -> str | None:
    """Send one outbox mail if it is due; returns its status afterwards (None: not this worker's to send)."""
    if not _claim(mail_id):
        return None
    mail = db.session.get(OutboxMail, mail_id)
    try:
        transport().send(build_message(mail))
    except TemporaryFailure as error:
        delays = current_app.config["MAIL_RETRY_SECONDS"]
        mail.last_error = str(error)[:2000]
        if mail.attempts > len(delays):
            mail.status = "failed"
        else:
            mail.status = "queued"
            mail.next_attempt_at = utcnow() + timedelta(seconds=delays[mail.attempts - 1])
        log.warning("mail %s to %s not sent (attempt %s): %s", mail.id, mail.to_address, mail.attempts, error)
    except PermanentFailure as error:
        mail.status = "failed"
        mail.last_error = str(error)[:2000]
        log.warning("mail %s to %s refused: %s", mail.id, mail.to_address, error)
    else:
        mail.status, mail.sent_at, mail.last_error = "sent", utcnow(), None
    if mail.status == "failed":
        _tell_administrators_of_failure(mail)
    db.session.commit()
    return mail.status


def _tell_administrators_of_failure(mail: OutboxMail) -> None:
    for listener in failure_listeners:
        listener(mail)


def resend(mail: OutboxMail) -> None:
    """An administrator sends a failed or unconfirmed mail again (the same Message-ID). Does not commit."""
    mail.status, mail.next_attempt_at, mail.sending_since = "queued", utcnow(), None
    mail_id = mail.id
    after_commit(lambda: _enqueue([mail_id]))


def sweep_outbox(live_workers: Iterable[str] = ()) -> int:
    """Called by the periodic sweep: queue again the mails that are due (a retry's time has come, or the broker
    was down when they were written), and mark "unconfirmed" those a worker took and never finished."""
    now = utcnow()
    stuck_before = now - timedelta(seconds=3 * current_app.config["MAIL_SMTP_TIMEOUT_SECONDS"] + 60)
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.status == "sending", OutboxMail.sending_since < stuck_before)
        .values(status="unconfirmed", last_error="The worker stopped during sending: the mail may have gone out.")
    )
    due = list(
        db.session.scalars(
            select(OutboxMail.id)
            .where(OutboxMail.status == "queued", OutboxMail.next_attempt_at <= now - timedelta(seconds=15))
            .order_by(OutboxMail.id)
            .limit(500)
        )
    )
    db.session.commit()
    _enqueue(due)
    return len(due)


register_sweeper("mail", sweep_outbox)
