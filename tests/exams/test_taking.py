"""Taking the test through its routes: answers saved with sequence numbers (a replay changes nothing), resume after a
lost connection with the time left, one open attempt (a second tab takes over), the server's clock (expiry submits
the attempt; what the client says about time changes nothing), the proctor's added time and void."""

import re
from datetime import timedelta

from sqlalchemy import select

from certcenter.core.models import AuditEntry, utcnow
from certcenter.exams.models import Attempt
from certcenter.extensions import db
from tests.exams.conftest import items_of, page_state, right_answer, start_attempt


def save(client, attempt_id, token, position, response, seq, **extra):
    return client.post(
        f"/exams/attempts/{attempt_id}/answers",
        json={"token": token, "position": position, "response": response, "seq": seq, **extra},
    )


def open_page(client, attempt_id, **params):
    response = client.get(f"/exams/attempts/{attempt_id}", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response, page_state(response.get_data(as_text=True))


def test_every_answer_is_saved_once_and_a_replay_changes_nothing(app, exam):
    scene = exam(start=True)
    _, state = open_page(scene.candidate, scene.attempt_id)
    items = items_of(app, scene.attempt_id)
    first = items[0]
    answer = right_answer(first)
    response = save(scene.candidate, scene.attempt_id, state["token"], 1, answer, 1)
    assert response.status_code == 200 and response.json["saved"] is True
    assert 0 < response.json["remaining"] <= 30 * 60
    # the same save again (the reply was lost, the page sends it again): accepted, nothing written
    again = save(scene.candidate, scene.attempt_id, state["token"], 1, answer, 1)
    assert again.status_code == 200 and again.json["saved"] is False
    # a later answer, then an older save arriving late: the later one stays
    other = first["option_order"][-1] if first["kind"] in ("single", "true_false") else None
    if other is not None:
        assert save(scene.candidate, scene.attempt_id, state["token"], 1, other, 3).json["saved"] is True
        assert save(scene.candidate, scene.attempt_id, state["token"], 1, answer, 2).json["saved"] is False
        assert items_of(app, scene.attempt_id)[0]["response"] == other
    stored = items_of(app, scene.attempt_id)[0]
    assert stored["seq"] in (1, 3)


def test_resume_after_a_lost_connection_shows_the_answers_and_the_time_left(app, exam):
    scene = exam(start=True)
    _, state = open_page(scene.candidate, scene.attempt_id)
    items = items_of(app, scene.attempt_id)
    for seq, item in enumerate(items[:3], start=1):
        assert save(scene.candidate, scene.attempt_id, state["token"], item["position"], right_answer(item), seq).json[
            "saved"
        ]
    with app.app_context():  # twenty minutes pass
        attempt = db.session.get(Attempt, scene.attempt_id)
        attempt.deadline_at = utcnow() + timedelta(minutes=10)
        db.session.commit()
    response, resumed = open_page(scene.candidate, scene.attempt_id)
    html = response.get_data(as_text=True)
    assert int(resumed["seq"]) == 3  # the page counts on from the last saved
    assert 500 <= int(resumed["remaining"]) <= 600  # ten minutes were left, less the time this test took
    assert resumed["current"] == "4"  # the first unanswered question
    assert len(re.findall(r'data-position="\d+"\s+class="answered', html)) == 3
    assert [i["response"] is not None for i in items_of(app, scene.attempt_id)] == [True] * 3 + [False] * 3


def test_one_attempt_at_a_time_a_second_tab_takes_over(app, exam):
    scene = exam()
    first = start_attempt(app, scene)
    second = start_attempt(app, scene)  # the start button pressed again in another tab
    assert first == second
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 1
    _, tab_a = open_page(scene.candidate, first)
    _, tab_b = open_page(scene.candidate, first)
    assert tab_a["token"] != tab_b["token"]
    refused = save(scene.candidate, first, tab_a["token"], 1, None, 1)
    assert refused.status_code == 409 and refused.json["error"] == "other_window"
    assert save(scene.candidate, first, tab_b["token"], 1, None, 2).status_code == 200


def test_the_server_submits_an_attempt_whose_time_is_up(app, exam):
    scene = exam(start=True)
    _, state = open_page(scene.candidate, scene.attempt_id)
    item = items_of(app, scene.attempt_id)[0]
    assert save(scene.candidate, scene.attempt_id, state["token"], 1, right_answer(item), 1).status_code == 200
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        attempt.deadline_at = utcnow() - timedelta(seconds=10)
        db.session.commit()
    # the client says it still has time: the server's clock decides
    late = save(scene.candidate, scene.attempt_id, state["token"], 2, None, 2, remaining=1800, client_time="2020-01-01")
    assert late.status_code == 409 and late.json["error"] == "finished"
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        assert (attempt.status, attempt.submitted_by) == ("submitted", "server")
        assert attempt.submitted_at == attempt.deadline_at
        assert items_of(app, scene.attempt_id)[0]["response"] is not None  # what was saved in time stays
    page = scene.candidate.get(f"/exams/attempts/{scene.attempt_id}")
    assert "exam-finished" in page.get_data(as_text=True)


def test_the_sweep_submits_expired_attempts_without_any_request(app, exam):
    from certcenter.exams.tasks import sweep

    scene = exam(start=True)
    with app.app_context():
        db.session.get(Attempt, scene.attempt_id).deadline_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert sweep.run() == 1
        assert db.session.get(Attempt, scene.attempt_id).status == "submitted"
        assert sweep.run() == 0


def test_a_save_within_the_grace_after_the_deadline_is_kept(app, exam):
    scene = exam(start=True)
    _, state = open_page(scene.candidate, scene.attempt_id)
    with app.app_context():
        db.session.get(Attempt, scene.attempt_id).deadline_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    item = items_of(app, scene.attempt_id)[0]
    response = save(scene.candidate, scene.attempt_id, state["token"], 1, right_answer(item), 1)
    assert response.status_code == 200 and response.json["remaining"] == 0


def test_the_proctor_adds_time_with_a_reason_and_it_is_recorded(app, exam):
    scene = exam(start=True)
    with app.app_context():
        before = db.session.get(Attempt, scene.attempt_id).deadline_at
    assert (
        scene.proctor.post(f"/exams/attempts/{scene.attempt_id}/time", data={"minutes": 15, "reason": ""}).status_code
        == 302
    )
    response = scene.proctor.post(
        f"/exams/attempts/{scene.attempt_id}/time", data={"minutes": 15, "reason": "Power cut in room 101"}
    )
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        assert attempt.deadline_at - before == timedelta(minutes=15)
        assert attempt.extra_seconds == 900
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "exams.add_time"))
        assert entry.details == {"minutes": 15, "reason": "Power cut in room 101"}
        assert entry.actor_id == scene.proctor.user.id
    _, state = open_page(scene.candidate, scene.attempt_id)
    assert int(state["remaining"]) > 40 * 60  # 30 + 15 minutes, less the time this test took


def test_the_proctor_voids_an_attempt_with_a_reason(app, exam):
    scene = exam(start=True)
    assert (
        scene.proctor.post(f"/exams/attempts/{scene.attempt_id}/void", data={"reason": "Phone used"}).status_code == 302
    )
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        assert (attempt.status, attempt.void_reason) == ("voided", "Phone used")
    page = scene.candidate.get(f"/exams/attempts/{scene.attempt_id}").get_data(as_text=True)
    assert "Phone used" in page


def test_admission_by_a_one_time_code(app, exam):
    scene = exam(admit=False)
    assert scene.proctor.post(f"/exams/sittings/{scene.sitting_id}/open").status_code == 302
    from certcenter.exams.models import Booking

    with app.app_context():
        code = db.session.get(Booking, scene.booking_id).admission_code
    assert code and len(code) == 6
    assert start_attempt_refused(scene)
    scene.candidate.post(
        f"/exams/bookings/{scene.booking_id}/code", data={"code": "000000" if code != "000000" else "1"}
    )
    with app.app_context():
        assert db.session.get(Booking, scene.booking_id).status == "booked"
    scene.candidate.post(f"/exams/bookings/{scene.booking_id}/code", data={"code": code})
    with app.app_context():
        booking = db.session.get(Booking, scene.booking_id)
        assert booking.status == "admitted" and booking.admission_code is None  # used once
    assert start_attempt(app, scene)


def start_attempt_refused(scene) -> bool:
    return scene.candidate.post(f"/exams/bookings/{scene.booking_id}/start").status_code == 409


def test_the_page_without_script_saves_and_moves_on(app, exam):
    scene = exam(start=True)
    _, state = open_page(scene.candidate, scene.attempt_id)
    item = items_of(app, scene.attempt_id)[0]
    form = {"position": 1, "token": state["token"], "seq": int(state["seq"]) + 1, "go": 2, "flagged": "on"}
    if item["kind"] == "multiple":
        form["response"] = right_answer(item)
    elif item["kind"] == "matching":
        form.update({f"match|{k}": v for k, v in right_answer(item).items()})
    else:
        form["response"] = right_answer(item)
    response = scene.candidate.post(f"/exams/attempts/{scene.attempt_id}/answers", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("q=2")
    assert items_of(app, scene.attempt_id)[0]["response"] is not None


def test_finishing_submits_and_a_second_click_changes_nothing(app, exam):
    scene = exam(start=True)
    assert scene.candidate.post(f"/exams/attempts/{scene.attempt_id}/submit").status_code == 302
    assert scene.candidate.post(f"/exams/attempts/{scene.attempt_id}/submit").status_code == 302
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        assert (attempt.status, attempt.submitted_by) == ("submitted", "candidate")


def test_no_test_is_started_after_the_sitting_window(app, exam):
    from certcenter.exams.models import Sitting

    scene = exam()
    with app.app_context():
        sitting = db.session.get(Sitting, scene.sitting_id)
        sitting.starts_at, sitting.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert scene.candidate.post(f"/exams/bookings/{scene.booking_id}/start").status_code == 409
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 0


def test_a_save_from_an_ended_session_is_not_written(app, exam):
    from certcenter.accounts.models import User

    scene = exam(start=True)
    _, state = open_page(scene.candidate, scene.attempt_id)
    with app.app_context():  # a password reset or deactivation ends every session of the person
        db.session.get(User, scene.candidate.user.id).end_sessions()
        db.session.commit()
    response = save(scene.candidate, scene.attempt_id, state["token"], 1, None, 5)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert items_of(app, scene.attempt_id)[0]["seq"] == 0


def test_a_save_needs_the_pages_csrf_token(app, exam, make_app):
    from tests.conftest import TEST_PASSWORD

    scene = exam(start=True)
    secured = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_page = secured.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    data = {"email": scene.candidate.user.email, "password": TEST_PASSWORD, "csrf_token": csrf}
    assert secured.post("/login", data=data).status_code == 302
    state = page_state(secured.get(f"/exams/attempts/{scene.attempt_id}").get_data(as_text=True))
    body = {"token": state["token"], "position": 1, "response": None, "seq": 7}
    assert secured.post(f"/exams/attempts/{scene.attempt_id}/answers", json=body).status_code == 400
    assert items_of(app, scene.attempt_id)[0]["seq"] == 0
    saved = secured.post(
        f"/exams/attempts/{scene.attempt_id}/answers", json=body, headers={"X-CSRFToken": state["csrf"]}
    )
    assert saved.status_code == 200 and saved.json["saved"] is True
    assert items_of(app, scene.attempt_id)[0]["seq"] == 7


def test_the_save_is_answered_without_the_app_and_anything_else_is_handed_on(app, exam):
    """The WSGI layer saves a well-formed save itself and answers one sent again (nothing written); a save it
    cannot make (another window's token, an answer that does not fit) goes to the app's view, which tells why."""
    import json as jsonlib

    from werkzeug.test import EnvironBuilder

    from certcenter.exams.fastpath import AnswerSaving

    scene = exam(start=True)
    _, state = open_page(scene.candidate, scene.attempt_id)
    cookie = scene.candidate.get_cookie("session")
    handed_on = []

    def app_behind(environ, start_response):
        handed_on.append(environ["wsgi.input"].read())
        start_response("204 No Content", [])
        return [b""]

    layer = AnswerSaving(app, app_behind)

    def call(seq, token=state["token"]):
        body = jsonlib.dumps({"token": token, "position": 1, "response": None, "seq": seq})
        environ = EnvironBuilder(
            path=f"/exams/attempts/{scene.attempt_id}/answers",
            method="POST",
            data=body,
            content_type="application/json",
            headers={"Cookie": f"session={cookie.value}"},
        ).get_environ()
        statuses = []
        result = b"".join(layer(environ, lambda status, headers: statuses.append(status)))
        return statuses[0], result

    status, body = call(11)
    assert status == "200 OK" and jsonlib.loads(body)["saved"] is True and handed_on == []
    status, body = call(11)  # the same again (a reconnect): nothing written, told so
    assert status == "200 OK" and jsonlib.loads(body)["saved"] is False and handed_on == []
    status, _ = call(12, token="another-window")  # refused: the app's view answers (and reads the same body)
    assert status == "204 No Content" and jsonlib.loads(handed_on[0])["seq"] == 12
    assert items_of(app, scene.attempt_id)[0]["seq"] == 11


def test_a_save_lands_when_the_database_dropped_the_connection_it_would_use(app, exam, caplog):
    """On PostgreSQL a save is one statement on a connection kept without the pool's ping: when the database has
    ended that connection (a restart, a failover, an idle timeout), the save is sent again on a new one."""
    import pytest
    from sqlalchemy import text

    from certcenter.core.transactions import _single_statement_engine

    scene = exam(start=True)
    _, state = open_page(scene.candidate, scene.attempt_id)
    items = items_of(app, scene.attempt_id)
    assert save(scene.candidate, scene.attempt_id, state["token"], 1, right_answer(items[0]), 1).status_code == 200
    with app.app_context():
        engine = _single_statement_engine()
        if engine is None:
            pytest.skip("SQLite: saves go through the session")
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": kept})
        db.session.commit()
    with caplog.at_level("WARNING", logger="certcenter.core.transactions"):
        response = save(scene.candidate, scene.attempt_id, state["token"], 2, right_answer(items[1]), 2)
    assert response.status_code == 200 and response.get_json()["saved"] is True
    assert items_of(app, scene.attempt_id)[1]["seq"] == 2
    assert "a database connection had dropped" in caplog.text
