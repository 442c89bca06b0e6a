"""Sign-in throttling that an attacker cannot turn against the owner, and the current password throttled too.

Five wrong passwords used to lock a known account for 15 minutes, for its owner as well. Now failures block the
attacker's address for that account (and an address trying many accounts), and guesses at one account from many
addresses slow it down by seconds, never for an address the owner signed in from."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certcenter.accounts.models import LoginAttempt
from certcenter.extensions import db
from tests.conftest import TEST_PASSWORD


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.post("/language", data={"language": "en"})
    return client


def sign_in(client, email: str, password: str = TEST_PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def guess(app, email: str, address: str, times: int = 1) -> list[int]:
    client = client_at(app, address)
    return [sign_in(client, email, f"wrong-guess-{n}").status_code for n in range(times)]


def attempts(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(LoginAttempt.email == email))


def time_passes(app, seconds: int) -> None:
    """Every recorded attempt moved that far into the past (no sleeping in tests)."""
    with app.app_context():
        for attempt in db.session.scalars(select(LoginAttempt)):
            attempt.at -= timedelta(seconds=seconds)
        db.session.commit()


def test_wrong_passwords_from_one_address_block_that_address_not_the_owner(app, make_user):
    victim = make_user()
    limit = app.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    assert guess(app, victim.email, "203.0.113.9", limit) == [200] * limit
    attacker = client_at(app, "203.0.113.9")
    blocked = sign_in(attacker, victim.email)  # even the right password: the pair is blocked, nothing to learn
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 60
    assert "Too many failed sign-in attempts" in blocked.get_data(as_text=True)
    owner = client_at(app, "198.51.100.7")  # a place the owner never signed in from before
    assert sign_in(owner, victim.email).status_code == 302
    assert owner.get("/account/password").status_code == 200
    assert attempts(app, victim.email) == limit + 1  # the blocked attempt checked no password


def test_guesses_from_many_addresses_slow_the_account_down_by_seconds(app, make_user):
    victim = make_user()
    free = app.config["LOGIN_ACCOUNT_FREE_FAILURES"]
    for n in range(free):
        assert guess(app, victim.email, f"192.0.2.{n + 1}") == [200]
    delays = []
    for n in range(8):
        response = sign_in(client_at(app, f"198.18.0.{n + 1}"), victim.email, "another-guess")
        assert response.status_code == 429
        assert "seconds" in response.get_data(as_text=True)
        delays.append(int(response.headers["Retry-After"]))
        time_passes(app, delays[-1])  # the wait is over: the next address gets one attempt, and fails
        assert guess(app, victim.email, f"198.18.1.{n + 1}") == [200]
    assert delays == sorted(delays) and delays[0] <= 2
    assert delays[-1] == app.config["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"]  # capped: slowed down, never locked


def test_the_owner_at_an_address_they_signed_in_from_is_never_delayed(app, make_user):
    owner = make_user()
    home = client_at(app, "10.20.30.40")
    assert sign_in(home, owner.email).status_code == 302
    home.post("/logout")
    for n in range(app.config["LOGIN_ACCOUNT_FREE_FAILURES"] + 5):
        guess(app, owner.email, f"192.0.2.{n + 1}")
    assert sign_in(client_at(app, "198.51.100.99"), owner.email).status_code == 429  # a stranger waits
    assert sign_in(home, owner.email).status_code == 302  # the owner at home does not


def test_an_address_trying_many_accounts_is_blocked(app, make_user):
    user = make_user()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for n in range(limit):
        guess(app, f"someone{n}@example.kz", "203.0.113.50")
    assert sign_in(client_at(app, "203.0.113.50"), user.email).status_code == 429
    assert sign_in(client_at(app, "203.0.113.51"), user.email).status_code == 302


def test_wrong_current_passwords_are_throttled(app, login_as):
    candidate = login_as("candidate")
    candidate.post("/language", data={"language": "en"})
    limit = app.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    answers = []
    for n in range(25):
        data = {"current": f"guess-{n}", "password": "new-password-123", "confirm": "new-password-123"}
        answers.append(candidate.post("/account/password", data=data))
    assert [r.status_code for r in answers] == [200] * limit + [429] * (25 - limit)
    assert "The current password is not correct." in answers[0].get_data(as_text=True)
    assert "Too many wrong passwords" in answers[-1].get_data(as_text=True)
    # the right password is not even checked now, and only the first guesses were
    right = {"current": TEST_PASSWORD, "password": "new-password-123", "confirm": "new-password-123"}
    assert candidate.post("/account/password", data=right).status_code == 429
    with app.app_context():
        failed = select(func.count()).where(LoginAttempt.email == candidate.user.email, ~LoginAttempt.succeeded)
        assert db.session.scalar(failed) == limit
    time_passes(app, app.config["LOGIN_THROTTLE_WINDOW_SECONDS"])
    assert candidate.post("/account/password", data=right).status_code == 302


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_throttle_message_is_in_the_users_language(app, make_user, language):
    victim = make_user()
    guess(app, victim.email, "203.0.113.77", app.config["LOGIN_MAX_FAILURES_PER_PAIR"])
    client = client_at(app, "203.0.113.77")
    client.post("/language", data={"language": language})
    html = sign_in(client, victim.email).get_data(as_text=True)
    expected = {"kk": "Кірудің сәтсіз әрекеттері тым көп", "ru": "Слишком много неудачных попыток входа"}
    assert expected.get(language, "Too many failed sign-in attempts") in html
