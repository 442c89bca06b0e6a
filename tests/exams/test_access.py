"""Who reaches which examination route, tried as an attacker would: anonymous -> sign-in; the wrong role -> 403;
another candidate's attempt, booking or application -> 404; a proctor of another sitting -> 404. A candidate never
receives the correct answers before marking."""

import json

import pytest

from tests.exams.conftest import SECRET, items_of, page_state

# (method, url, {role: status}); "owner" is the candidate of the attempt, "other" another candidate, "assessor" an
# assessor who neither proctors nor assesses, "proctor" the sitting's proctor.
ROUTES = [
    ("GET", "/exams", {"owner": 403, "other": 403, "assessor": 200, "proctor": 200, "admin": 200}),
    ("GET", "/exams/qualifications/{q}/questions", {"owner": 403, "other": 403, "assessor": 200, "admin": 200}),
    ("GET", "/exams/questions/{question}", {"owner": 403, "other": 403, "assessor": 200, "admin": 200}),
    ("GET", "/exams/qualifications/{q}/questions-qti.zip", {"owner": 403, "assessor": 200, "admin": 200}),
    ("GET", "/exams/qualifications/{q}/questions.xlsx", {"owner": 403, "assessor": 200, "admin": 200}),
    ("GET", "/exams/qualifications/{q}/blueprint", {"owner": 403, "assessor": 403, "proctor": 403, "admin": 200}),
    ("GET", "/exams/sittings", {"owner": 403, "assessor": 403, "admin": 200}),
    ("GET", "/exams/sittings/{sitting}", {"owner": 403, "assessor": 403, "proctor": 403, "admin": 200}),
    ("GET", "/exams/sittings/{sitting}/analysis", {"owner": 403, "assessor": 403, "admin": 200}),
    ("GET", "/exams/analysis", {"owner": 403, "assessor": 403, "admin": 200}),
    ("GET", "/exams/sittings/{sitting}/proctor", {"owner": 403, "assessor": 404, "proctor": 200, "admin": 200}),
    ("GET", "/exams/sittings/{sitting}/proctor.json", {"owner": 403, "assessor": 404, "proctor": 200, "admin": 200}),
    ("POST", "/exams/attempts/{attempt}/time", {"owner": 403, "assessor": 404, "proctor": 302, "admin": 302}),
    ("POST", "/exams/attempts/{attempt}/void", {"owner": 403, "other": 403, "assessor": 404, "proctor": 302}),
    ("GET", "/exams/attempts/{attempt}", {"owner": 200, "other": 404, "assessor": 403, "admin": 403}),
    ("POST", "/exams/attempts/{attempt}/answers", {"owner": 200, "other": 404, "assessor": 403, "admin": 403}),
    ("GET", "/exams/attempts/{attempt}/state.json", {"owner": 200, "other": 404, "assessor": 403}),
    ("POST", "/exams/attempts/{attempt}/submit", {"owner": 302, "other": 404, "assessor": 403}),
    ("POST", "/exams/bookings/{booking}/start", {"owner": 302, "other": 404, "assessor": 403}),
    ("POST", "/exams/bookings/{booking}/code", {"owner": 302, "other": 404}),
    ("POST", "/exams/applications/{application}/book", {"owner": 302, "other": 404, "admin": 403}),
    ("GET", "/exams/applications/{application}/scores", {"owner": 404, "other": 404, "assessor": 404, "admin": 200}),
    ("GET", "/exams/reviews", {"owner": 403, "assessor": 200, "admin": 403}),
]


@pytest.fixture
def scene(app, exam, make_candidate, login_as):
    scene = exam(start=True)
    page = scene.candidate.get(f"/exams/attempts/{scene.attempt_id}").get_data(as_text=True)
    scene.extra["token"] = page_state(page)["token"]
    scene.extra["clients"] = {
        "owner": scene.candidate,
        "other": make_candidate(),
        "assessor": login_as("assessor"),
        "proctor": scene.proctor,
        "admin": scene.admin,
    }
    return scene


@pytest.mark.parametrize(("method", "template", "expected"), ROUTES)
def test_access(app, scene, method, template, expected):
    url = template.format(
        q=scene.bank.qualification_id,
        question=scene.bank.question_ids[0],
        sitting=scene.sitting_id,
        attempt=scene.attempt_id,
        booking=scene.booking_id,
        application=scene.application_id,
    )
    anonymous = app.test_client().open(url, method=method)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    for role, status in expected.items():
        client = scene.extra["clients"][role]
        kwargs = {}
        if url.endswith("/answers"):
            kwargs["json"] = {"token": scene.extra["token"], "position": 1, "response": None, "seq": 99}
        elif method == "POST":
            kwargs["data"] = {"minutes": 5, "reason": "Test", "code": "123456", "sitting_id": scene.sitting_id}
        response = client.open(url, method=method, **kwargs)
        assert response.status_code == status, (role, url, response.get_data(as_text=True)[:300])


def test_the_list_covers_every_examination_route():
    from certcenter import create_app

    app = create_app("testing")
    found = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("exams.", "exams_take."))
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    listed = {(method, template) for method, template, _ in ROUTES}
    # Routes whose access is the bank's, the sitting's or the proctor's and are tested in their own files.
    tested_elsewhere = {
        ("POST", "/exams/qualifications/{q}/questions/new"), ("GET", "/exams/qualifications/{q}/questions/new"),
        ("POST", "/exams/questions/{question}"), ("POST", "/exams/questions/{question}/approve"),
        ("POST", "/exams/questions/{question}/retire"), ("GET", "/exams/qualifications/{q}/transfer"),
        ("GET", "/exams/qualifications/{q}/template.xlsx"), ("POST", "/exams/qualifications/{q}/import"),
        ("POST", "/exams/qualifications/{q}/import-qti"), ("POST", "/exams/qualifications/{q}/blueprint"),
        ("GET", "/exams/sittings/new"), ("POST", "/exams/sittings/new"), ("POST", "/exams/sittings/{sitting}/cancel"),
        ("POST", "/exams/sittings/{sitting}/open"), ("POST", "/exams/sittings/{sitting}/close"),
        ("POST", "/exams/bookings/{booking}/admit"), ("POST", "/exams/bookings/{booking}/cancel"),
        ("POST", "/exams/reviews/{item}"),
    }  # fmt: skip
    names = {
        "<int:qualification_id>": "{q}", "<int:question_id>": "{question}", "<int:sitting_id>": "{sitting}",
        "<int:attempt_id>": "{attempt}", "<int:booking_id>": "{booking}", "<int:application_id>": "{application}",
        "<int:item_id>": "{item}",
    }  # fmt: skip
    normalised = set()
    for method, rule in found:
        for name, placeholder in names.items():
            rule = rule.replace(name, placeholder)
        normalised.add((method, rule))
    assert normalised == listed | tested_elsewhere


def test_a_candidate_never_receives_the_correct_answers_before_marking(app, scene):
    client, token = scene.candidate, scene.extra["token"]
    bodies = [client.get(f"/exams/attempts/{scene.attempt_id}").get_data(as_text=True)]
    for item in items_of(app, scene.attempt_id):
        response = client.post(
            f"/exams/attempts/{scene.attempt_id}/answers",
            json={"token": bodies[0] and page_state(bodies[-1])["token"], "position": item["position"],
                  "response": None, "seq": 100 + item["position"]},
        )  # fmt: skip
        bodies.append(json.dumps(response.json))
        bodies.append(client.get(f"/exams/attempts/{scene.attempt_id}").get_data(as_text=True))
    bodies.append(client.get(f"/exams/attempts/{scene.attempt_id}/state.json").get_data(as_text=True))
    bodies.append(client.get(f"/applications/{scene.application_id}").get_data(as_text=True))
    bodies.append(client.get("/dashboard").get_data(as_text=True))
    for body in bodies:
        assert SECRET not in body and "ответ" not in body
        assert '"correct"' not in body and "pairs" not in body and "12.5" not in body
    assert token


def test_a_candidate_with_an_open_application_does_not_see_the_bank(app, scene, make_user, login_as):
    from certcenter.accounts.models import User
    from certcenter.extensions import db

    with app.app_context():  # the candidate is also an assessor of the centre
        user = db.session.get(User, scene.candidate.user.id)
        user.set_roles({"candidate", "assessor"})
        db.session.commit()
    assert scene.candidate.get(f"/exams/qualifications/{scene.bank.qualification_id}/questions").status_code == 403
    assert scene.candidate.get(f"/exams/questions/{scene.bank.question_ids[0]}").status_code == 403
