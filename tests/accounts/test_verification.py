"""Address verification: a signed single-use link at registration (in the registrant's language); an unverified
account fills its profile but cannot submit; the link is sent again on request, within a limit; a change of
address waits for the link sent to the new address, and the old address is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.extensions import db
from tests.candidates.test_applications import ready_application
from tests.conftest import TEST_PASSWORD, login
from tests.smtp import PUBLIC, html_of, links_in, path_of, text_of

REGISTRATION = {
    "full_name": "Айгерім Сапарова",
    "email": "aigerim@example.kz",
    "password": "long-enough-pw",
    "confirm": "long-enough-pw",
    "accept": "y",
}


def user_row(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def test_registration_mails_a_link_in_the_registrants_language_that_confirms_the_address(app, client, smtp):
    client.post("/language", data={"language": "kk"})
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 302
    assert user_row(app, "aigerim@example.kz").email_verified_at is None
    [message] = smtp.to("aigerim@example.kz")
    assert message["Subject"] == "Электрондық пошта мекенжайыңызды растаңыз"
    assert "Сәлеметсіз бе, Айгерім Сапарова." in text_of(message)
    assert "Сәлеметсіз бе, Айгерім Сапарова." in html_of(message)
    [link] = links_in(message)
    assert link.startswith(f"{PUBLIC}/verify-email/")
    assert login(client, "aigerim@example.kz", "long-enough-pw").status_code == 302
    banner = "Электрондық пошта мекенжайыңыз әлі расталмаған"
    assert banner in client.get("/").get_data(as_text=True)
    confirmed = client.get(path_of(link), follow_redirects=True).get_data(as_text=True)
    assert "aigerim@example.kz электрондық пошта мекенжайыңыз расталды." in confirmed
    assert banner not in confirmed
    assert user_row(app, "aigerim@example.kz").email_verified_at is not None
    # single use
    again = app.test_client()
    again.post("/language", data={"language": "en"})
    used = again.get(path_of(link))
    assert used.status_code == 400 and "This link has been used already" in used.get_data(as_text=True)


def test_a_taken_address_gets_a_mail_to_its_owner_and_the_visitor_the_usual_answer(app, client, smtp, make_user):
    make_user(email="aigerim@example.kz", locale="ru")
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 302
    [message] = smtp.to("aigerim@example.kz")
    assert message["Subject"] == "Кто-то пытался зарегистрироваться с вашим адресом"
    assert path_of(links_in(message)[0]) == "/forgot-password"


def test_an_unverified_candidate_fills_the_profile_but_cannot_submit(app, make_candidate, catalogue):
    client = make_candidate(education=["general_secondary"])
    client.post("/language", data={"language": "en"})
    with app.app_context():
        db.session.get(User, client.user.id).email_verified_at = None
        db.session.commit()
    application_id = ready_application(client, app, catalogue["WELD-3"])
    page = client.get(f"/applications/{application_id}").get_data(as_text=True)
    assert "Confirm your e-mail address first" in page
    refused = client.post(f"/applications/{application_id}/submit", data={})
    assert refused.status_code == 400 and "Confirm your e-mail address first" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, application_id).state == "draft"
        db.session.get(User, client.user.id).email_verified_at = db.func.now()
        db.session.commit()
    assert client.post(f"/applications/{application_id}/submit", data={}).status_code == 302
    with app.app_context():
        assert db.session.get(Application, application_id).state == "submitted"


@pytest.fixture
def limited(make_app):
    from tests.smtp import SMTPServer

    server = SMTPServer().start()
    application = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        MAIL_SMTP_HOST="127.0.0.1",
        MAIL_SMTP_PORT=server.port,
        MAIL_SMTP_SECURITY="none",
        PUBLIC_BASE_URL=PUBLIC,
    )
    application.smtp = server
    yield application
    server.stop()


def test_the_link_is_sent_again_on_request_within_a_limit(limited, make_user):
    user = make_user(email="slow@example.kz", locale="en", email_verified_at=None)
    client = limited.test_client()
    assert login(client, user.email).status_code == 302
    codes = [client.post("/account/verify/resend").status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    messages = limited.smtp.to(user.email)
    assert len(messages) == 3 and {message["Subject"] for message in messages} == {"Confirm your e-mail address"}
    # every one of them works until one is used
    assert client.get(path_of(links_in(messages[1])[0])).status_code == 302
    assert user_row(limited, user.email).email_verified_at is not None


def test_a_change_of_address_waits_for_the_new_addresss_link_and_tells_the_old_one(app, smtp, login_as):
    client = login_as("candidate", email="old@example.kz", locale="en")
    refused = client.post("/account/email", data={"email": "new@example.kz", "current": "wrong-password"})
    assert "The current password is not correct." in refused.get_data(as_text=True)
    response = client.post("/account/email", data={"email": "new@example.kz", "current": TEST_PASSWORD})
    assert response.status_code == 302
    row = user_row(app, "old@example.kz")
    assert row.pending_email == "new@example.kz"
    [notice] = smtp.to("old@example.kz")
    assert notice["Subject"] == "Your account's e-mail address is being changed"
    assert "new@example.kz" in text_of(notice)
    [confirmation] = smtp.to("new@example.kz")
    assert confirmation["Subject"] == "Confirm your new e-mail address"
    assert client.get(path_of(links_in(confirmation)[0])).status_code == 302
    assert user_row(app, "old@example.kz") is None
    assert user_row(app, "new@example.kz").pending_email is None
    assert login(app.test_client(), "new@example.kz").status_code == 302


def test_an_address_taken_meanwhile_is_not_changed_to(app, smtp, login_as, make_user):
    client = login_as("candidate", email="first@example.kz", locale="en")
    client.post("/account/email", data={"email": "wanted@example.kz", "current": TEST_PASSWORD})
    [confirmation] = smtp.to("wanted@example.kz")
    make_user(email="wanted@example.kz")
    response = client.get(path_of(links_in(confirmation)[0]))
    assert response.status_code == 409 and "Another account uses this address now." in response.get_data(as_text=True)
    assert user_row(app, "first@example.kz") is not None


def test_an_expired_verification_link_is_refused(app, client, smtp, monkeypatch):
    import itsdangerous.timed

    client.post("/register", data=REGISTRATION)
    [message] = smtp.to("aigerim@example.kz")
    now = itsdangerous.timed.time.time()
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now + timedelta(days=3, seconds=1).total_seconds())
    client.post("/language", data={"language": "en"})
    response = client.get(path_of(links_in(message)[0]))
    assert response.status_code == 400 and "This link has expired" in response.get_data(as_text=True)
    assert user_row(app, "aigerim@example.kz").email_verified_at is None
