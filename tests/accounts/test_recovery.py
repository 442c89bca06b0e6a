"""Password recovery by e-mail: the same answer for every address, a signed single-use link that expires in an hour,
bound to its account, throttled per address and per client; a new password ends the other sessions."""

from __future__ import annotations

import base64
import json
import re

import itsdangerous.timed
import pytest
from sqlalchemy import select

from certcenter.core.models import AuditEntry, OutboxMail
from certcenter.extensions import db
from tests.conftest import TEST_PASSWORD, login
from tests.smtp import links_in, path_of

NEW = {"password": "a-brand-new-password", "confirm": "a-brand-new-password"}


def without_token(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*', "", html)


def recovery_link(smtp, address: str) -> str:
    [message] = smtp.to(address)
    [link] = links_in(message)
    return path_of(link)


def test_known_and_unknown_addresses_get_the_same_answer(app, smtp, make_user):
    make_user(email="known@example.kz", locale="en")
    answers = []
    for address in ("known@example.kz", "nobody@example.kz"):
        client = app.test_client()
        client.post("/language", data={"language": "en"})
        response = client.post("/forgot-password", data={"email": address})
        assert response.status_code == 302 and response.headers["Location"] == "/login"
        page = client.get("/login").get_data(as_text=True).replace(address, "ADDRESS")
        answers.append(without_token(page))
    assert answers[0] == answers[1]
    assert "If an account uses ADDRESS, we have sent a link to it" in answers[0]
    assert [message["To"] for message in smtp.messages] == ["known@example.kz"]


def test_the_link_sets_a_new_password_once_and_ends_other_sessions(app, client, smtp, make_user):
    user = make_user(email="reset@example.kz", locale="en")
    elsewhere = app.test_client()
    assert login(elsewhere, user.email).status_code == 302
    client.post("/forgot-password", data={"email": user.email})
    link = recovery_link(smtp, user.email)
    response = client.post(link, data=NEW)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account/password").status_code == 200  # signed in here
    assert elsewhere.get("/account/password").status_code == 302  # the other session has ended
    assert login(app.test_client(), user.email, NEW["password"]).status_code == 302
    # used: the link is dead
    again = app.test_client()
    again.post("/language", data={"language": "en"})
    reused = again.post(link, data={"password": "yet-another-password", "confirm": "yet-another-password"})
    assert reused.status_code == 400 and "This link has been used already" in reused.get_data(as_text=True)
    assert login(app.test_client(), user.email, NEW["password"]).status_code == 302
    # and the holder is told by mail that his password changed (a security message: no unsubscribe)
    changed = [message for message in smtp.to(user.email) if message["Subject"] == "Your password was changed"]
    assert len(changed) == 1 and "List-Unsubscribe" not in changed[0]
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "user.password_recovery_requested" in actions and "user.password_recovered" in actions


def test_an_earlier_link_dies_when_a_later_one_is_used(app, client, smtp, make_user):
    user = make_user(email="twice@example.kz", locale="en")
    client.post("/forgot-password", data={"email": user.email})
    client.post("/forgot-password", data={"email": user.email})
    first, second = (path_of(links_in(message)[0]) for message in smtp.to(user.email))
    assert client.post(second, data=NEW).status_code == 302
    assert app.test_client().get(first).status_code == 400


def test_an_expired_link_is_refused(app, client, smtp, make_user, monkeypatch):
    user = make_user(email="late@example.kz", locale="en")
    client.post("/forgot-password", data={"email": user.email})
    link = recovery_link(smtp, user.email)
    now = itsdangerous.timed.time.time()
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now + 3601)
    client.post("/language", data={"language": "en"})
    response = client.post(link, data=NEW)
    assert response.status_code == 400 and "This link has expired" in response.get_data(as_text=True)
    assert login(app.test_client(), user.email).status_code == 302  # the old password still works


def test_a_tampered_link_is_refused(app, client, smtp, make_user):
    user = make_user(email="tamper@example.kz", locale="en")
    client.post("/forgot-password", data={"email": user.email})
    link = recovery_link(smtp, user.email)
    token = link.rsplit("/", 1)[1]
    payload, rest = token.split(".", 1)
    other = make_user(email="victim@example.kz")
    forged_payload = base64.urlsafe_b64encode(json.dumps({"u": other.id, "p": "x"}).encode()).decode().rstrip("=")
    for forged in (f"{payload}.{rest[:-2]}AA", f"{forged_payload}.{rest}", "garbage"):
        client.post("/language", data={"language": "en"})
        response = client.post(f"/reset-password/{forged}", data=NEW)
        assert response.status_code == 400 and "This link is not valid" in response.get_data(as_text=True)
    assert login(app.test_client(), other.email).status_code == 302
    assert login(app.test_client(), user.email).status_code == 302


def test_another_users_link_is_refused_to_a_signed_in_person(app, smtp, make_user, login_as):
    owner = make_user(email="owner@example.kz", locale="en")
    app.test_client().post("/forgot-password", data={"email": owner.email})
    link = recovery_link(smtp, owner.email)
    intruder = login_as("candidate", locale="en")
    response = intruder.post(link, data=NEW)
    assert response.status_code == 400 and "This link belongs to another account" in response.get_data(as_text=True)
    assert login(app.test_client(), owner.email, TEST_PASSWORD).status_code == 302


def test_a_verification_link_does_not_reset_a_password(app, client, smtp):
    client.post(
        "/register",
        data={
            "full_name": "Асқар Әлиев",
            "email": "askar@example.kz",
            "password": "long-enough-pw",
            "confirm": "long-enough-pw",
            "accept": "y",
        },
    )
    [message] = smtp.to("askar@example.kz")
    token = links_in(message)[0].rsplit("/", 1)[1]
    assert client.post(f"/reset-password/{token}", data=NEW).status_code == 400


@pytest.fixture
def limited(make_app, monkeypatch, tmp_path):
    """An app that counts rate limits (the tests' app does not), in a storage of its own."""
    from tests.smtp import SMTPServer

    server = SMTPServer().start()
    application = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        MAIL_SMTP_HOST="127.0.0.1",
        MAIL_SMTP_PORT=server.port,
        MAIL_SMTP_SECURITY="none",
        PUBLIC_BASE_URL="https://certs.example.kz",
    )
    application.smtp = server
    yield application
    server.stop()


def test_recovery_is_throttled_per_address_whoever_asks(limited, make_user):
    user = make_user(email="flood@example.kz", locale="en")
    codes = []
    for number in range(5):
        client = limited.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number + 1}"  # a different client each time
        codes.append(client.post("/forgot-password", data={"email": user.email}).status_code)
    assert codes == [302, 302, 302, 429, 429]
    assert len(limited.smtp.to(user.email)) == 3
    # an unknown address is throttled the same way: the refusal tells nothing
    unknown = []
    for number in range(4):
        client = limited.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.1.{number + 1}"
        unknown.append(client.post("/forgot-password", data={"email": "ghost@example.kz"}).status_code)
    assert unknown == [302, 302, 302, 429]


def test_recovery_is_throttled_per_client(limited):
    client = limited.test_client()
    codes = [client.post("/forgot-password", data={"email": f"a{n}@example.kz"}).status_code for n in range(11)]
    assert codes == [302] * 10 + [429]
    with limited.app_context():
        assert db.session.scalar(select(OutboxMail.id)) is None  # none of those addresses has an account


def test_the_sign_in_page_offers_recovery(client):
    client.post("/language", data={"language": "ru"})
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in page and "Забыли пароль?" in page
