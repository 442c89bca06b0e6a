"""Mail that really goes out: over SMTP to a server on loopback, from the outbox, in the recipient's language, with
links on the public address; retried on a 4xx, recorded on a 5xx, never sent twice; a dead server breaks nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

from sqlalchemy import select, update

from certcenter.core.mail import send_outbox_mail, sweep_outbox
from certcenter.core.models import OutboxMail, utcnow
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from tests.conftest import TEST_PASSWORD, database_url_for_tests, login
from tests.smtp import PUBLIC, free_port, header, html_of, links_in, path_of, text_of


def outbox(app) -> list[OutboxMail]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return rows


def test_a_recovery_mail_goes_out_over_smtp_in_russian_with_a_link_on_the_public_address(app, client, smtp, make_user):
    user = make_user(email="ivan@example.kz", full_name="Иван Петров", locale="ru")
    # the visitor's Host header is not where the link points
    response = client.post("/forgot-password", data={"email": "ivan@example.kz"}, headers={"Host": "evil.example"})
    assert response.status_code == 302
    [message] = smtp.to("ivan@example.kz")
    assert message["Subject"] == "Выберите новый пароль"
    assert header(message, "From") == "Центр подтверждения квалификации <noreply@certs.example.kz>"
    assert message["Content-Language"] == "ru"
    assert message.get_content_type() == "multipart/alternative"
    assert "Здравствуйте, Иван Петров." in text_of(message)
    assert "Здравствуйте, Иван Петров." in html_of(message)
    assert "List-Unsubscribe" not in message  # a security message cannot be switched off
    [row] = outbox(app)
    assert row.status == "sent" and row.attempts == 1 and message["Message-ID"] == row.message_id
    [link] = links_in(message)
    assert link.startswith(f"{PUBLIC}/reset-password/") and "evil" not in link
    assert "evil" not in html_of(message)
    page = client.get(path_of(link))
    assert page.status_code == 200 and "Жаңа құпиясөз таңдаңыз" in page.get_data(as_text=True)  # the browser's language
    response = client.post(path_of(link), data={"password": "a-new-long-password", "confirm": "a-new-long-password"})
    assert response.status_code == 302
    assert login(app.test_client(), user.email, "a-new-long-password").status_code == 302
    assert login(app.test_client(), user.email, TEST_PASSWORD).status_code == 200


def test_a_4xx_is_tried_again_later_and_then_goes_out(app, client, smtp, make_user):
    make_user(email="later@example.kz", locale="en")
    smtp.recorder.refuse_data.append("451 4.3.0 Mailbox busy, try again later")
    client.post("/forgot-password", data={"email": "later@example.kz"})
    [row] = outbox(app)
    assert row.status == "queued" and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert smtp.messages == []
    with app.app_context():
        assert sweep_outbox() == 0  # not due yet
        db.session.execute(update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
        assert sweep_outbox() == 1  # the sweep queues it again; the (eager) task sends it
    [row] = outbox(app)
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None
    [message] = smtp.to("later@example.kz")
    assert message["Message-ID"] == row.message_id and message["Subject"] == "Choose a new password"


def test_a_5xx_is_recorded_and_shown_to_the_administrators(app, client, smtp, make_user, login_as):
    make_user(email="gone@example.kz", locale="en")
    admin = login_as("admin", locale="en")
    smtp.recorder.refuse_rcpt.append("550 5.1.1 No such user here")
    client.post("/forgot-password", data={"email": "gone@example.kz"})
    [row] = [mail for mail in outbox(app) if mail.to_address == "gone@example.kz"]
    assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error
    assert smtp.to("gone@example.kz") == []
    page = admin.get("/admin/mail?status=failed").get_data(as_text=True)
    assert "gone@example.kz" in page and "550 5.1.1 No such user here" in page
    with app.app_context():
        [notice] = db.session.scalars(select(Notification).where(Notification.kind == "mail.failed")).all()
        assert notice.user_id == admin.user.id
    listed = admin.get("/notifications").get_data(as_text=True)
    assert "A mail to gone@example.kz could not be delivered" in listed
    # sent again by hand, once the address is mended on the server's side
    response = admin.post(f"/admin/mail/{row.id}/resend")
    assert response.status_code == 302
    assert len(smtp.to("gone@example.kz")) == 1


WORKER = """
import os, sys
from certcenter.core import mail
from tests.conftest import build_app

app = build_app(MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=int(sys.argv[2]), MAIL_SMTP_SECURITY="none",
                PUBLIC_BASE_URL="https://certs.example.kz")
send = mail.SMTPTransport.send

def send_then_die(self, message):
    send(self, message)   # the server has the message ...
    os._exit(9)           # ... and the worker dies before it can write that down

mail.SMTPTransport.send = send_then_die
with app.app_context():
    mail.send_outbox_mail(int(sys.argv[1]))
"""


def test_a_worker_killed_after_the_smtp_transaction_does_not_send_a_second_copy(app, client, smtp, make_user):
    make_user(email="once@example.kz", locale="en")
    smtp.recorder.refuse_data.append("451 4.3.0 try again later")  # the request's own attempt does not go out
    client.post("/forgot-password", data={"email": "once@example.kz"})
    [row] = outbox(app)
    with app.app_context():
        db.session.execute(update(OutboxMail).values(next_attempt_at=utcnow()))
        db.session.commit()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    environment = os.environ | {"CERTCENTER_TEST_DATABASE_URL": database_url_for_tests(), "PYTHONPATH": root}
    worker = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WORKER), str(row.id), str(smtp.port)],
        env=environment,
        cwd=root,
        capture_output=True,
        timeout=60,
    )
    assert worker.returncode == 9, worker.stderr.decode()
    assert len(smtp.to("once@example.kz")) == 1
    [row] = outbox(app)
    assert row.status == "sending"
    with app.app_context():
        assert send_outbox_mail(row.id) is None  # the task delivered again (the message given back): nothing sent
        db.session.execute(update(OutboxMail).values(sending_since=utcnow() - timedelta(hours=1)))
        db.session.commit()
        sweep_outbox()
    [row] = outbox(app)
    assert row.status == "unconfirmed"
    assert len(smtp.to("once@example.kz")) == 1


def test_a_dead_mail_server_breaks_no_request(app, client, make_user, monkeypatch):
    make_user(email="patient@example.kz", locale="kk")
    monkeypatch.setitem(app.config, "MAIL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_SMTP_PORT", free_port())  # nobody listens
    monkeypatch.setitem(app.config, "MAIL_SMTP_SECURITY", "none")
    started = time.monotonic()
    response = client.post("/forgot-password", data={"email": "patient@example.kz"})
    assert response.status_code == 302 and time.monotonic() - started < 2
    [row] = outbox(app)
    assert row.status == "queued" and row.attempts == 1 and "ConnectionRefused" in row.last_error


def test_the_embedded_mailbox_keeps_every_mail_and_lists_it_for_administrators(app, client, make_user, login_as):
    make_user(email="box@example.kz", locale="en")
    client.post("/forgot-password", data={"email": "box@example.kz"})
    [row] = outbox(app)
    assert row.status == "sent"
    admin = login_as("admin", locale="en")
    listing = admin.get("/dev/mail").get_data(as_text=True)
    assert "box@example.kz" in listing and "Choose a new password" in listing
    name = listing.split("/dev/mail/", 1)[1].split('"', 1)[0]
    message = admin.get(f"/dev/mail/{name}").get_data(as_text=True)
    assert "/reset-password/" in message and row.message_id.replace("<", "&lt;").replace(">", "&gt;") in message
    candidate = login_as("candidate")
    assert candidate.get("/dev/mail").status_code == 403
    assert client.get("/dev/mail").status_code in (302, 401)


def test_production_has_no_mailbox_page(make_app):
    production = make_app(MAIL_DEV_MAILBOX=False)
    assert "dev_mail" not in production.blueprints
    assert "dev_mail" in make_app().blueprints
