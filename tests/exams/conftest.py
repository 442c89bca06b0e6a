"""Examination fixtures: an approved bank of every kind for WELD-3, its specification, a sitting, and a candidate in
assessment who has booked it and been admitted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.core.models import utcnow
from certcenter.exams import kinds, services
from certcenter.exams.models import Attempt, Booking, Question
from certcenter.extensions import db
from certcenter.qualifications.models import Qualification

SECRET = "ТҮЙІН-ЖАУАП"  # the accepted short answer: must never reach a candidate before marking


def content(kind: str, n: int) -> kinds.Content:
    """A question of each kind, its text numbered so that each is told apart."""
    stem = {"kk": f"Сұрақ {kind} {n}", "ru": f"Вопрос {kind} {n}", "en": f"Question {kind} {n}"}

    def text(label: str) -> dict[str, str]:
        return {"kk": f"{label} (kk)", "ru": f"{label} (ru)", "en": label}

    if kind in ("single", "multiple"):
        options = [{"id": letter, "text": text(f"Option {letter}{n}")} for letter in "ABCD"]
        return kinds.Content(kind, stem, options, {"correct": ["A"] if kind == "single" else ["A", "C"]})
    if kind == "true_false":
        return kinds.Content(kind, stem, kinds.TRUE_FALSE_OPTIONS, {"correct": ["T"]})
    if kind == "numeric":
        return kinds.Content(kind, stem, [], {"value": 12.5, "tolerance": 0.5})
    if kind == "matching":
        left = [{"id": f"L{i}", "text": text(f"Left {i}")} for i in (1, 2, 3)]
        right = [{"id": f"R{i}", "text": text(f"Right {i}")} for i in (1, 2, 3)]
        return kinds.Content(
            kind, stem, {"left": left, "right": right}, {"pairs": {"L1": "R1", "L2": "R2", "L3": "R3"}}
        )
    return kinds.Content(kind, stem, [], {"accepted": [SECRET, "ответ"]})


# The bank: per (unit position, descriptor), the kinds of its approved questions.
BANK = {
    (0, "knowledge"): ["single", "multiple", "true_false"],
    (0, "skills"): ["numeric", "matching"],
    (1, "knowledge"): ["short_text", "single"],
    (1, "competence"): ["true_false"],
}
# The specification: 2 + 1 + 2 + 1 = 6 questions.
ROWS = {(0, "knowledge"): 2, (0, "skills"): 1, (1, "knowledge"): 2, (1, "competence"): 1}


@dataclass
class Bank:
    qualification_id: int
    unit_ids: list[int]
    question_ids: list[int]
    author: User
    approver: User


def make_bank(app, qualification_id: int, author: User, approver: User, bank=None, rows=None, **settings) -> Bank:
    bank = bank or BANK
    rows = rows or ROWS
    with app.app_context():
        qualification = db.session.get(Qualification, qualification_id)
        author_row, approver_row = db.session.get(User, author.id), db.session.get(User, approver.id)
        units = [unit.id for unit in qualification.units]
        ids = []
        n = 0
        for (unit_index, descriptor), kind_list in bank.items():
            for kind in kind_list:
                n += 1
                question = services.create_question(
                    qualification, actor=author_row, unit_id=units[unit_index], descriptor=descriptor,
                    content=content(kind, n),
                )  # fmt: skip
                services.approve_question(question, actor=approver_row)
                ids.append(question.id)
        services.save_blueprint(
            qualification,
            actor=approver_row,
            rows=[{"unit_id": units[u], "descriptor": d, "count": c} for (u, d), c in rows.items()],
            **(
                {
                    "time_limit_minutes": 30,
                    "shuffle_questions": True,
                    "shuffle_options": True,
                    "max_attempts": 2,
                    "retake_wait_days": 0,
                    "reveal_answers": False,
                }
                | settings
            ),
        )
        db.session.commit()
    return Bank(qualification_id, units, ids, author, approver)


@dataclass
class ExamScene:
    application_id: int
    candidate: FlaskClient
    admin: FlaskClient
    proctor: FlaskClient
    assessors: list[FlaskClient]
    bank: Bank
    sitting_id: int
    booking_id: int
    attempt_id: int | None = None
    extra: dict = field(default_factory=dict)


def schedule(app, bank: Bank, proctor_id: int, admin_id: int, *, capacity: int = 10, hours: float = 1) -> int:
    with app.app_context():
        start = utcnow() + timedelta(hours=hours)
        sitting = services.schedule_sitting(
            db.session.get(Qualification, bank.qualification_id),
            actor=db.session.get(User, admin_id),
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            mode="room",
            room="Room 101",
            capacity=capacity,
            proctor=db.session.get(User, proctor_id),
        )
        db.session.commit()
        return sitting.id


@pytest.fixture
def exam(app, in_assessment, login_as, make_user):
    """A candidate in assessment for WELD-3 with a place in an open sitting, admitted; ``start()`` starts it."""

    def _make(admit: bool = True, start: bool = False, **settings) -> ExamScene:
        scene = in_assessment()
        with app.app_context():
            qualification_id = db.session.get(Qualification, _qualification_of(scene.application_id)).id
        author = make_user("assessor", full_name="Автор Сұрақ")
        approver = make_user("administrator", full_name="Бекітуші")
        bank = make_bank(app, qualification_id, author, approver, **settings)
        proctor = login_as("assessor", full_name="Бақылаушы Прокторов")
        sitting_id = schedule(app, bank, proctor.user.id, scene.admin.user.id)
        response = scene.candidate.post(
            f"/exams/applications/{scene.application_id}/book", data={"sitting_id": sitting_id}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        with app.app_context():
            booking_id = db.session.scalar(select(Booking.id).where(Booking.application_id == scene.application_id))
        exam_scene = ExamScene(
            scene.application_id, scene.candidate, scene.admin, proctor, scene.assessors, bank, sitting_id, booking_id
        )
        if admit:
            assert proctor.post(f"/exams/sittings/{sitting_id}/open").status_code == 302
            assert proctor.post(f"/exams/bookings/{booking_id}/admit").status_code == 302
        if start:
            start_attempt(app, exam_scene)
        return exam_scene

    return _make


def _qualification_of(application_id: int) -> int:
    from certcenter.applications.models import Application

    return db.session.get(Application, application_id).qualification_id


def start_attempt(app, scene: ExamScene) -> int:
    response = scene.candidate.post(f"/exams/bookings/{scene.booking_id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    scene.attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return scene.attempt_id


def page_state(html: str) -> dict[str, str]:
    """The test page's data attributes (token, seq, remaining, ...)."""
    import re

    block = re.search(r'<div class="exam" id="exam"(.*?)>', html, re.S).group(1)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', block))


def items_of(app, attempt_id: int) -> list:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        result = [
            {
                "position": item.position,
                "kind": item.kind,
                "key": item.version.key,
                "option_order": item.option_order,
                "response": item.response,
                "seq": item.seq,
            }
            for item in attempt.items
        ]
        return result


def right_answer(item: dict):
    key = item["key"]
    if item["kind"] in ("single", "true_false"):
        return key["correct"][0]
    if item["kind"] == "multiple":
        return key["correct"]
    if item["kind"] == "numeric":
        return "12,4"
    if item["kind"] == "matching":
        return key["pairs"]
    return key["accepted"][0]


def questions(app, qualification_id: int) -> list[Question]:
    with app.app_context():
        return db.session.scalars(select(Question).where(Question.qualification_id == qualification_id)).all()


@pytest.fixture
def another_candidate(app, make_candidate, catalogue):
    """Another candidate for WELD-3 whose application is in assessment (put there directly: how it got there is
    the assessments tests' concern)."""

    def _make() -> tuple[FlaskClient, int]:
        from certcenter.applications.models import Application

        client = make_candidate(years=2)
        response = client.post(
            f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": f"other-{client.user.id}"}
        )
        application_id = int(response.headers["Location"].rsplit("/", 1)[1])
        with app.app_context():
            db.session.get(Application, application_id).state = "in_assessment"
            db.session.commit()
        return client, application_id

    return _make
