"""Marking: each kind marked automatically; a short text that matches no accepted answer waits for an assessor; the
marks per unit and descriptor; the theory result flows into the application with the sitting as its source; the
candidate sees his result per unit only after marking, and the answers only where the centre allows it."""

import pytest
from sqlalchemy import select

from certcenter.assessments.models import AssessmentResult
from certcenter.exams import kinds
from certcenter.exams.models import Attempt
from certcenter.extensions import db
from tests.exams.conftest import SECRET, content, items_of, page_state, right_answer


@pytest.mark.parametrize(
    ("kind", "response", "expected"),
    [
        ("single", "A", 2.0),
        ("single", "B", 0.0),
        ("multiple", ["A", "C"], 2.0),
        ("multiple", ["A"], 0.0),
        ("multiple", ["A", "B", "C"], 0.0),
        ("true_false", "T", 2.0),
        ("true_false", "F", 0.0),
        ("numeric", "12,1", 2.0),
        ("numeric", "13.0", 2.0),
        ("numeric", "13.01", 0.0),
        ("numeric", "twelve", 0.0),
        ("matching", {"L1": "R1", "L2": "R2", "L3": "R3"}, 2.0),
        ("matching", {"L1": "R2", "L2": "R1", "L3": "R3"}, 0.0),
        ("short_text", f"  {SECRET.lower()} ", 2.0),
        ("short_text", "ОТВЕТ", 2.0),
        ("short_text", None, 0.0),
    ],
)
def test_each_kind_is_marked(kind, response, expected):
    question = content(kind, 1)
    mark = kinds.mark(kind, question.key, 2, response)
    assert (mark.score, mark.needs_review) == (expected, False)


def test_a_short_text_no_accepted_answer_matches_waits_for_an_assessor():
    question = content("short_text", 1)
    assert kinds.mark("short_text", question.key, 1, "something else") == kinds.Mark(0.0, needs_review=True)


def answer_all(app, scene, wrong_short_text=False):
    page = scene.candidate.get(f"/exams/attempts/{scene.attempt_id}").get_data(as_text=True)
    token = page_state(page)["token"]
    for seq, item in enumerate(items_of(app, scene.attempt_id), start=1):
        answer = "несие" if item["kind"] == "short_text" and wrong_short_text else right_answer(item)
        response = scene.candidate.post(
            f"/exams/attempts/{scene.attempt_id}/answers",
            json={"token": token, "position": item["position"], "response": answer, "seq": seq},
        )
        assert response.status_code == 200, response.json


def close(scene):
    assert scene.proctor.post(f"/exams/sittings/{scene.sitting_id}/close").status_code == 302


def test_a_marked_sitting_gives_the_application_its_theory_result(app, exam):
    scene = exam(start=True)
    answer_all(app, scene)
    page = scene.candidate.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "exam-scores" not in page  # nothing per unit before marking
    close(scene)  # the task runs eagerly in the tests: the sitting is marked
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        assert (attempt.status, attempt.percent, attempt.passed) == ("marked", 100, True)
        assert attempt.submitted_by == "proctor"
        unit_a, unit_b = (str(unit) for unit in scene.bank.unit_ids)
        assert attempt.unit_scores == {unit_a: [3.0, 3.0], unit_b: [3.0, 3.0]}
        assert attempt.descriptor_scores == {"knowledge": [4.0, 4.0], "skills": [1.0, 1.0], "competence": [1.0, 1.0]}
        result = db.session.scalar(
            select(AssessmentResult).where(AssessmentResult.application_id == scene.application_id)
        )
        assert (result.kind, result.percent) == ("theory", 100)
        assert (result.source, result.sitting_id) == (
            "exam",
            scene.sitting_id,
        )  # the result of record, from the sitting
        assert result.notes == f"exam sitting {scene.sitting_id}, attempt {scene.attempt_id}"
    page = scene.candidate.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "100%" in page and "LF1" in page and "LF2" in page
    assert "exam-answers" not in page  # the centre does not show the answers


def test_the_answers_are_shown_after_marking_where_the_centre_allows_it(app, exam):
    scene = exam(start=True, reveal_answers=True)
    answer_all(app, scene)
    close(scene)
    page = scene.candidate.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "exam-answers" in page and SECRET in page


def test_an_assessor_decides_a_short_answer_then_the_result_flows(app, exam, login_as):
    scene = exam(start=True)
    answer_all(app, scene, wrong_short_text=True)
    close(scene)
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        assert attempt.status == "in_review"
        item = next(item for item in attempt.items if item.review_status == "pending")
        item_id = item.id
        assert db.session.scalar(select(AssessmentResult)) is None
    outsider = login_as("assessor")
    assert "несие" not in outsider.get("/exams/reviews").get_data(as_text=True)
    assert outsider.post(f"/exams/reviews/{item_id}", data={"decision": "accept"}).status_code == 404
    assessor = scene.assessors[0]
    page = assessor.get("/exams/reviews").get_data(as_text=True)
    assert "несие" in page and "Тест" not in page.split("<main")[1]  # the candidate is not named
    assert assessor.post(f"/exams/reviews/{item_id}", data={"decision": "reject"}).status_code == 302
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        assert (attempt.status, attempt.percent) == ("marked", 83)
        assert db.session.scalar(select(AssessmentResult.percent)) == 83
    assert assessor.post(f"/exams/reviews/{item_id}", data={"decision": "accept"}).status_code == 409


def test_marking_twice_changes_nothing(app, exam):
    from certcenter.exams.services import mark_sitting

    scene = exam(start=True)
    answer_all(app, scene)
    close(scene)
    with app.app_context():
        assert mark_sitting(scene.sitting_id) == 0


def test_no_result_flows_into_an_application_that_has_moved_on(app, exam):
    from certcenter.applications.models import Application

    scene = exam(start=True)
    answer_all(app, scene)
    with app.app_context():
        application = db.session.get(Application, scene.application_id)
        application.state = "moderation"
        db.session.commit()
    close(scene)
    with app.app_context():
        assert db.session.get(Attempt, scene.attempt_id).status == "marked"
        assert db.session.scalar(select(AssessmentResult)) is None


def test_the_staff_see_the_marks_per_unit_and_descriptor(app, exam):
    scene = exam(start=True)
    answer_all(app, scene)
    close(scene)
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert 'id="exam-scores"' in page
    assessor_page = scene.assessors[0].get(f"/exams/applications/{scene.application_id}/scores")
    assert assessor_page.status_code == 200 and SECRET in assessor_page.get_data(as_text=True)
    assert scene.candidate.get(f"/exams/applications/{scene.application_id}/scores").status_code == 404


def test_the_exam_gives_the_theory_result_of_record_and_the_assessors_record_only_the_practical(app, exam):
    from certcenter.applications.models import Application
    from certcenter.assessments.models import Assignment
    from certcenter.qualifications.criteria import criterion_keys
    from tests.assessments.conftest import Scene, judgement

    scene = exam(start=True)
    answer_all(app, scene)
    close(scene)
    with app.app_context():
        application = db.session.get(Application, scene.application_id)
        keys = sorted(criterion_keys(application.qualification))
        evidence_ids = [item.id for item in application.evidence]
        assignment_ids = db.session.scalars(
            select(Assignment.id).where(Assignment.application_id == scene.application_id).order_by(Assignment.id)
        ).all()
    marking = Scene(
        scene.application_id, scene.candidate, scene.admin, scene.assessors, assignment_ids, keys, evidence_ids
    )
    first, second = scene.assessors
    first.post("/language", data={"language": "en"})
    page = first.get(f"/assess/{assignment_ids[0]}").get_data(as_text=True)
    assert f"from exam sitting No. {scene.sitting_id}" in page and 'name="result|theory|percent"' not in page
    # the assessors give no theory result (one tries to: it is not kept); their practical results agree
    assert first.post(f"/assess/{assignment_ids[0]}/submit", data=judgement(marking, theory=40)).status_code == 302
    assert second.post(f"/assess/{assignment_ids[1]}/submit", data=judgement(marking, theory=None)).status_code == 302
    with app.app_context():
        results = {r.kind: (r.percent, r.source) for r in db.session.scalars(select(AssessmentResult))}
        assert db.session.get(Application, scene.application_id).state == "awaiting_decision"
    assert results == {"theory": (100, "exam"), "practical": (90, "assessors")}
