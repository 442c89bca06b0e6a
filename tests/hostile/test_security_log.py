"""Security events on the certcenter.security logger: one structured line each, no secrets."""

import io
import logging

import pytest

from tests import samples
from tests.conftest import TEST_PASSWORD, login


@pytest.fixture
def security(caplog):
    caplog.set_level(logging.INFO, logger="certcenter.security")

    def events(name: str | None = None) -> list[dict]:
        found = [record.security for record in caplog.records if record.name == "certcenter.security"]
        return [event for event in found if name is None or event["event"] == name]

    events.lines = lambda: [r.getMessage() for r in caplog.records if r.name == "certcenter.security"]
    return events


def test_a_403_is_logged_with_who_and_where(login_as, security):
    candidate = login_as("candidate")
    assert candidate.get("/admin/users").status_code == 403
    (event,) = security("access_denied")
    assert event | {"status": 403, "user": candidate.user.id, "method": "GET", "path": "/admin/users"} == event
    assert event["ip"] == "127.0.0.1"
    assert f"event=access_denied status=403 ip=127.0.0.1 user={candidate.user.id} method=GET" in security.lines()[0]


def test_a_404_on_someone_elses_object_is_logged_a_mistyped_address_is_not(app, make_candidate, catalogue, security):
    owner, other = make_candidate(), make_candidate()
    response = owner.post(f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": "t"})
    application = response.headers["Location"]
    data = {"kind": "diploma", "description": "d", "file": (io.BytesIO(samples.PDF), "d.pdf")}
    owner.post(f"{application}/evidence", data=data, content_type="multipart/form-data")
    assert other.get("/evidence/1").status_code == 404
    assert other.get(application).status_code == 404
    assert other.get("/no-such-page").status_code == 404
    assert other.get("/static/no-such.css").status_code == 404
    assert [(e["status"], e["path"], e["user"]) for e in security("access_denied")] == [
        (404, "/evidence/1", other.user.id),
        (404, application, other.user.id),
    ]


def test_a_csrf_failure_is_logged(make_app, make_user, security):
    user = make_user()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    assert client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 400
    (event,) = security("csrf_failed")
    assert event["path"] == "/login" and event["reason"] == "The CSRF token is missing."


def test_a_rate_limited_request_is_logged_without_the_full_code(make_app, security):
    client = make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="2 per minute").test_client()
    code = "AbCdEfGhIjKlMnOpQrStUvWx"  # a verification code is a bearer secret of sorts: never logged whole
    statuses = [client.get(f"/api/v1/certificates/{code}").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
    (event,) = security("rate_limited")
    assert event["status"] == 429 and event["path"] == "/api/v1/certificates/AbCdEf..."
    assert code not in "\n".join(security.lines())


def test_sign_in_failures_and_throttling_are_logged_without_passwords(app, make_user, security):
    user = make_user()
    client = app.test_client()
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_PAIR"]):
        client.post("/login", data={"email": user.email, "password": f"secret-guess-{n}"})
    assert login(client, user.email).status_code == 429
    assert len(security("signin_failed")) == app.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    (throttled,) = security("password_throttled")
    assert throttled | {"purpose": "signin", "reason": "pair", "email": user.email} == throttled
    assert throttled["retry_after"] > 0
    text = "\n".join(security.lines())
    assert "secret-guess" not in text and TEST_PASSWORD not in text


def test_wrong_current_passwords_are_logged(app, login_as, security):
    candidate = login_as("candidate")
    form = {"current": "not-my-password", "password": "new-password-123", "confirm": "new-password-123"}
    candidate.post("/account/password", data=form)
    (event,) = security("password_check_failed")
    assert event["user"] == candidate.user.id and event["path"] == "/account/password"
    assert "not-my-password" not in "\n".join(security.lines())


def test_sign_outs_and_ended_sessions_are_logged(app, login_as, security):
    admin, candidate = login_as("admin"), login_as("candidate")
    admin.post(f"/admin/users/{candidate.user.id}/deactivate")
    candidate_cookie = candidate.get_cookie("session").value
    admin.post("/logout")
    (ended,) = security("sessions_ended")
    assert ended | {"account": candidate.user.id, "reason": "deactivated", "user": admin.user.id} == ended
    (signed_out,) = security("signed_out")
    assert signed_out["user"] == admin.user.id
    assert candidate_cookie not in "\n".join(security.lines())


def test_a_forged_line_cannot_be_typed_into_the_log(app, security):
    app.test_client().post("/login", data={"email": "x@example.kz\nevent=admin_login user=1", "password": "p"})
    (line,) = security.lines()
    assert "\n" not in line
    assert line.startswith('event=signin_failed email="x@example.kz\\nevent=admin_login user=1"')
