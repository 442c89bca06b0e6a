"""Registration, sign-in, throttling, sessions ended by deactivation and password reset, CSRF, the CLI."""

import re

import pytest
from sqlalchemy import func, select

from certcenter.accounts.models import User
from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from tests.conftest import TEST_PASSWORD, login

NEW = {
    "full_name": "Айгерім Сапарова",
    "email": "Aigerim@Example.kz",
    "password": "long-enough-pw",
    "confirm": "long-enough-pw",
    "accept": "y",
}


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def count_users(app, email):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_candidate_registers_and_is_signed_in_on_his_own_page(app, client):
    response = client.post("/register", data=NEW)
    # signed in at once and sent to his own start page, which for a candidate is his applications
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    home = client.get("/home")
    assert home.status_code == 302 and home.headers["Location"] == "/dashboard"
    assert "Айгерім Сапарова" in client.get("/dashboard").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "aigerim@example.kz"))
        assert user.roles == {"candidate"}
        assert user.password_hash.startswith("$argon2id$")
    assert "user.register" in set(audit_actions(app))
    client.post("/logout")
    assert login(client, "aigerim@example.kz", "long-enough-pw").status_code == 302


def test_registering_a_taken_address_opens_no_session_and_no_second_account(app, client, make_user):
    make_user(email="aigerim@example.kz", full_name="Someone Else")
    response = client.post("/register", data=NEW)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    # not signed in to the owner's account: his pages still ask to sign in
    assert client.get("/dashboard").headers["Location"].startswith("/login")
    assert "Someone Else" not in client.get("/").get_data(as_text=True)
    assert count_users(app, "aigerim@example.kz") == 1
    assert "user.register_duplicate" in set(audit_actions(app))


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"email": "not-an-address"}, "Enter a valid e-mail address."),
        ({"password": "short", "confirm": "short"}, "Use at least 10 characters."),
        ({"confirm": "something-else"}, "Passwords differ."),
        ({"accept": ""}, "Your consent is needed to register."),
    ],
)
def test_registration_errors_keep_what_was_typed(app, client, change, field_error):
    client.post("/language", data={"language": "en"})
    response = client.post("/register", data=NEW | change)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error in html
    assert 'value="Айгерім Сапарова"' in html
    assert count_users(app, "aigerim@example.kz") == 0


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_user):
    user = make_user()
    client.post("/language", data={"language": "en"})
    wrong = client.post("/login", data={"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post("/login", data={"email": "ghost@example.kz", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Invalid e-mail or password." in wrong.get_data(as_text=True)
    assert "Invalid e-mail or password." in unknown.get_data(as_text=True)


def test_login_is_throttled_after_repeated_failures(app, client, make_user):
    user = make_user()
    client.post("/language", data={"language": "en"})
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_PAIR"]):
        assert client.post("/login", data={"email": user.email, "password": "wrong-password"}).status_code == 200
    blocked = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    # the same throttle for an address that has no account: nothing to learn from it
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_PAIR"]):
        client.post("/login", data={"email": "ghost@example.kz", "password": "wrong-password"})
    assert client.post("/login", data={"email": "ghost@example.kz", "password": "x"}).status_code == 429


def test_throttle_counts_failures_per_client_address_too(app, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        user = make_user()
        client = app.test_client()
        for index in range(3):
            client.post("/login", data={"email": f"guess{index}@example.kz", "password": "wrong-password"})
        assert login(client, user.email).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 20


def test_deactivation_ends_the_users_sessions(app, login_as):
    admin = login_as("admin")
    candidate = login_as("candidate")
    assert candidate.get("/account/password").status_code == 200
    response = admin.post(f"/admin/users/{candidate.user.id}/deactivate")
    assert response.status_code == 302
    assert candidate.get("/account/password").status_code == 302  # back to sign-in
    assert login(app.test_client(), candidate.user.email).status_code == 200  # refused with the generic message
    assert "user.deactivate" in audit_actions(app)
    admin.post(f"/admin/users/{candidate.user.id}/activate")
    assert login(app.test_client(), candidate.user.email).status_code == 302


def test_administrator_cannot_lock_themselves_out(app, login_as):
    admin = login_as("admin")
    admin.post(f"/admin/users/{admin.user.id}/deactivate")
    admin.post(f"/admin/users/{admin.user.id}/roles", data={"roles": ["assessor"]})
    with app.app_context():
        user = db.session.get(User, admin.user.id)
        assert user.active and user.has_role("administrator")


def test_password_reset_gives_a_temporary_password_that_must_be_changed(app, login_as):
    admin = login_as("admin")
    assessor = login_as("assessor")
    response = admin.post(f"/admin/users/{assessor.user.id}/reset-password")
    temporary = re.search(r"<code>([^<]+)</code>", response.get_data(as_text=True)).group(1)
    assert assessor.get("/account/password").status_code == 302  # the old session ended
    client = app.test_client()
    assert login(client, assessor.user.email, temporary).status_code == 302
    assert client.get("/").headers["Location"] == "/account/password"  # must choose a password first
    response = client.post(
        "/account/password", data={"current": temporary, "password": "my-own-password", "confirm": "my-own-password"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert {"user.password_reset", "user.password_change"} <= set(audit_actions(app))


def test_administrator_creates_an_assessor(app, login_as):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    response = admin.post(
        "/admin/users/new", data={"full_name": "Марат Ахметов", "email": "marat@example.kz", "roles": ["assessor"]}
    )
    assert response.status_code == 200
    temporary = re.search(r"<code>([^<]+)</code>", response.get_data(as_text=True)).group(1)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "marat@example.kz"))
        assert user.roles == {"assessor"} and user.must_change_password
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "user.create", AuditEntry.target_id == str(user.id))
        )
        assert entry.actor_id == admin.user.id
    assert login(app.test_client(), "marat@example.kz", temporary).status_code == 302
    duplicate = admin.post(
        "/admin/users/new", data={"full_name": "X", "email": "marat@example.kz", "roles": ["assessor"]}
    )
    assert "A user with this e-mail already exists." in duplicate.get_data(as_text=True)
    assert count_users(app, "marat@example.kz") == 1


def test_roles_can_be_combined(app, login_as, make_user):
    admin = login_as("admin")
    user = make_user()
    admin.post(f"/admin/users/{user.id}/roles", data={"roles": ["assessor", "administrator"]})
    with app.app_context():
        assert db.session.get(User, user.id).roles == {"assessor", "administrator"}


def test_forms_are_refused_without_a_csrf_token(app, make_user):
    user = make_user()
    client = app.test_client()
    client.post("/language", data={"language": "en"})
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 400
        assert "The form has expired" in response.get_data(as_text=True)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        ok = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token})
        assert ok.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_cli_creates_an_administrator(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--role",
            "admin",
            "--email",
            "boss@example.kz",
            "--name",
            "Бас Әкімші",
            "--password",
            "cli-password-1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "boss@example.kz", "cli-password-1").status_code == 302
    again = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--role",
            "admin",
            "--email",
            "boss@example.kz",
            "--name",
            "X",
            "--password",
            "cli-password-1",
        ]
    )
    assert again.exit_code != 0 and "already exists" in again.output
