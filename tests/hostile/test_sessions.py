"""Sign-out ends the session on the server: a session cookie copied before sign-out opens nothing after it."""

from sqlalchemy import select

from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from tests.conftest import login


def copy_of_session(app, client):
    """Another browser holding a copy of the client's session cookie (stolen, or left on a shared computer)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_session_cookie_copied_before_sign_out_is_dead_after_it(app, make_candidate):
    candidate = make_candidate()
    thief = copy_of_session(app, candidate)
    assert thief.get("/dashboard").status_code == 200  # the copy works while the session is open
    assert candidate.post("/logout").status_code == 302
    response = thief.get("/dashboard")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert thief.get("/profile").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "user.logout")) == "user.logout"


def test_sign_out_ends_the_users_other_sessions_too(app, make_user):
    """The nonce is per user: signing out ends every session of the account (the README says so)."""
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email)
    laptop.post("/logout")
    assert phone.get("/account/password").status_code == 302
    assert login(app.test_client(), user.email).status_code == 302  # signing in again works


def test_the_session_of_a_later_sign_in_is_not_opened_by_the_old_cookie(app, make_user):
    user = make_user()
    client = app.test_client()
    login(client, user.email)
    old = copy_of_session(app, client)
    client.post("/logout")
    login(client, user.email)
    assert client.get("/account/password").status_code == 200
    assert old.get("/account/password").status_code == 302
