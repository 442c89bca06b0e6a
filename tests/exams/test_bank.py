"""The question bank through its routes: a question written as a draft, approved by a second person only, edited in
place while unused and as a new version once a form has shown it (the sitting keeps the version it showed); the
specification drawn into forms with its counts per unit and descriptor, reproducibly by seed."""

from collections import Counter

from sqlalchemy import select

from certcenter.exams.drawing import PoolQuestion, draw_form
from certcenter.exams.models import AttemptItem, Question
from certcenter.extensions import db
from tests.exams.conftest import make_bank


def question_form(unit_id, **fields):
    return {
        "kind": "single",
        "unit_id": unit_id,
        "descriptor": "knowledge",
        "points": 1,
        "stem-kk": "Электрод дегеніміз не?",
        "stem-ru": "Что такое электрод?",
        "options-kk": "Сым\nТүтік",
        "options-ru": "Проволока\nТрубка",
        "correct": "A",
        **fields,
    }


def unit_ids(app, qualification_id):
    from certcenter.qualifications.models import Qualification

    with app.app_context():
        return [unit.id for unit in db.session.get(Qualification, qualification_id).units]


def test_the_author_cannot_approve_a_second_person_does(app, catalogue, login_as):
    author, second = login_as("assessor"), login_as("admin")
    units = unit_ids(app, catalogue["WELD-3"])
    response = author.post(f"/exams/qualifications/{catalogue['WELD-3']}/questions/new", data=question_form(units[0]))
    assert response.status_code == 302, response.get_data(as_text=True)
    question_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = author.get(f"/exams/questions/{question_id}").get_data(as_text=True)
    assert f"/exams/questions/{question_id}/approve" not in page
    assert author.post(f"/exams/questions/{question_id}/approve").status_code == 403
    with app.app_context():
        assert db.session.get(Question, question_id).status == "draft"
    assert second.post(f"/exams/questions/{question_id}/approve").status_code == 302
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert (question.status, question.approved_by_id) == ("approved", second.user.id)
        assert question.current.options[1]["text"] == {"kk": "Түтік", "ru": "Трубка"}


def test_a_question_needs_kazakh_and_russian_to_be_approved(app, catalogue, login_as):
    author, second = login_as("assessor"), login_as("admin")
    units = unit_ids(app, catalogue["WELD-3"])
    form = question_form(units[0], **{"stem-ru": "", "options-ru": ""})
    response = author.post(f"/exams/qualifications/{catalogue['WELD-3']}/questions/new", data=form)
    question_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert second.post(f"/exams/questions/{question_id}/approve").status_code == 409
    with app.app_context():
        assert db.session.get(Question, question_id).status == "draft"


def test_a_bad_question_is_refused_next_to_its_field(app, catalogue, login_as):
    author = login_as("assessor")
    units = unit_ids(app, catalogue["WELD-3"])
    response = author.post(
        f"/exams/qualifications/{catalogue['WELD-3']}/questions/new", data=question_form(units[0], correct="Q")
    )
    assert response.status_code == 400
    assert "correct-error" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Question)) == 0


def test_editing_a_question_shown_in_a_sitting_makes_a_new_version(app, exam):
    scene = exam(start=True)
    with app.app_context():
        item = db.session.scalar(
            select(AttemptItem).where(AttemptItem.attempt_id == scene.attempt_id, AttemptItem.kind == "single")
        )
        question, shown_version = item.version.question, item.version_id
        question_id, stem = question.id, dict(item.version.stem)
    editor = scene.admin
    data = question_form(scene.bank.unit_ids[0], **{"stem-kk": "Жаңа мәтін", "stem-ru": "Новый текст"})
    data["options-kk"] = "A1\nA2\nA3\nA4"
    data["options-ru"] = "Б1\nБ2\nБ3\nБ4"
    response = editor.post(f"/exams/questions/{question_id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert [v.number for v in question.versions] == [1, 2]
        assert question.status == "draft" and question.approved_by_id is None  # approved again by a second person
        assert question.current.stem["ru"] == "Новый текст"
        kept = db.session.get(AttemptItem, item.id)
        assert kept.version_id == shown_version and kept.version.stem == stem
    page = scene.candidate.get(f"/exams/attempts/{scene.attempt_id}").get_data(as_text=True)
    assert stem["kk"] in page and "Жаңа мәтін" not in page


def test_editing_an_unused_draft_changes_it_in_place(app, catalogue, login_as):
    author = login_as("assessor")
    units = unit_ids(app, catalogue["WELD-3"])
    response = author.post(f"/exams/qualifications/{catalogue['WELD-3']}/questions/new", data=question_form(units[0]))
    question_id = int(response.headers["Location"].rsplit("/", 1)[1])
    author.post(f"/exams/questions/{question_id}", data=question_form(units[1], correct="B"))
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert len(question.versions) == 1 and question.current.key == {"correct": ["B"]}
        assert question.unit_id == units[1]


def pool(units_and_descriptors):
    return [
        PoolQuestion(n, 1000 + n, unit, descriptor, "single", 1, [{"id": x} for x in "ABCD"])
        for n, (unit, descriptor) in enumerate(units_and_descriptors, start=1)
    ]


def test_a_form_follows_the_specification_and_its_seed():
    bank = pool([(1, "knowledge")] * 6 + [(1, "skills")] * 3 + [(2, "competence")] * 4)
    rows = [
        {"unit_id": 1, "descriptor": "knowledge", "count": 4},
        {"unit_id": 1, "descriptor": "skills", "count": 1},
        {"unit_id": 2, "descriptor": "competence", "count": 2},
    ]
    form = draw_form(rows, bank, seed=42)
    assert Counter((i.question.unit_id, i.question.descriptor) for i in form) == {
        (1, "knowledge"): 4,
        (1, "skills"): 1,
        (2, "competence"): 2,
    }
    assert len({i.question.question_id for i in form}) == 7  # no question twice
    assert [i.position for i in form] == list(range(1, 8))
    assert sorted(i.slot for i in form) == list(range(1, 8))
    again = draw_form(rows, list(reversed(bank)), seed=42)  # the same seed, the pool in another order
    assert [(i.question.question_id, i.slot, i.option_order) for i in again] == [
        (i.question.question_id, i.slot, i.option_order) for i in form
    ]
    others = {tuple(i.question.question_id for i in draw_form(rows, bank, seed=seed)) for seed in range(20)}
    assert len(others) > 10  # other seeds give other forms


def test_the_form_is_recorded_with_its_seed(app, exam):
    from certcenter.exams.models import Attempt
    from certcenter.exams.services import pool as bank_pool

    scene = exam(start=True)
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        spec = attempt.sitting.spec
        redrawn = draw_form(spec["rows"], bank_pool(attempt.sitting.qualification_id), attempt.seed)
        assert [(i.position, i.slot, i.question.version_id, i.option_order) for i in redrawn] == [
            (i.position, i.slot, i.version_id, i.option_order) for i in attempt.items
        ]
        assert Counter((i.unit_id, i.descriptor) for i in attempt.items) == {
            (scene.bank.unit_ids[0], "knowledge"): 2,
            (scene.bank.unit_ids[0], "skills"): 1,
            (scene.bank.unit_ids[1], "knowledge"): 2,
            (scene.bank.unit_ids[1], "competence"): 1,
        }


def test_a_sitting_is_not_scheduled_when_the_bank_cannot_fill_the_specification(app, catalogue, login_as, make_user):
    admin = login_as("admin")
    proctor = make_user("assessor")
    make_bank(app, catalogue["WELD-3"], make_user("assessor"), make_user("administrator"), rows={(0, "knowledge"): 4})
    response = admin.post(
        "/exams/sittings/new",
        data={
            "qualification_id": catalogue["WELD-3"],
            "day": "2030-03-01",
            "start_time": "10:00",
            "end_time": "12:00",
            "mode": "room",
            "room": "101",
            "capacity": 10,
            "proctor_id": proctor.id,
        },
    )
    assert response.status_code == 400
    from certcenter.exams.models import Sitting

    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Sitting)) == 0
