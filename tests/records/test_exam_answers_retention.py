"""Exam attempts under retention: the candidate's written (short-text) answers are cleared with the other free text
of the case; the marks, scores and chosen options stay for the statistics and the item analysis."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.exams.models import Attempt, AttemptItem
from certcenter.extensions import db
from certcenter.records.models import ErasureRequest
from certcenter.records.retention import CLEARED_ANSWER
from tests.assessments.conftest import in_assessment  # noqa: F401 - the fixture
from tests.exams.conftest import SECRET, exam  # noqa: F401 - the fixture
from tests.exams.test_marking import answer_all, close
from tests.records.test_retention import retention as run_retention


def marks(app, attempt_id):
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return (
            attempt.score,
            attempt.percent,
            attempt.passed,
            attempt.unit_scores,
            [(item.kind, item.score, item.answered) for item in attempt.items],
            {item.position: item.response for item in attempt.items if item.kind != "short_text"},
        )


def test_written_exam_answers_are_cleared_and_the_scores_kept(app, exam):  # noqa: F811
    scene = exam(start=True)
    answer_all(app, scene, wrong_short_text=True)  # his own words, "несие", for an assessor to judge
    close(scene)
    before = marks(app, scene.attempt_id)
    with app.app_context():
        written = db.session.scalars(
            select(AttemptItem.response).where(
                AttemptItem.attempt_id == scene.attempt_id, AttemptItem.kind == "short_text"
            )
        ).all()
        assert written and all(response == "несие" for response in written)
        application = db.session.get(Application, scene.application_id)
        application.state = "withdrawn"  # the case ended long ago
        application.state_changed_at = datetime(2020, 3, 1, 9, tzinfo=UTC)
        db.session.commit()

    planned = run_retention(app, "--dry-run", "--today", "2025-03-02")
    assert f"assessment_records\tApplication:{scene.application_id}\tdue since 2025-03-01" in planned
    assert run_retention(app, "--today", "2025-03-02")[:-1] == planned[:-1]

    with app.app_context():
        items = db.session.scalars(
            select(AttemptItem).where(AttemptItem.attempt_id == scene.attempt_id, AttemptItem.kind == "short_text")
        ).all()
        assert [item.response for item in items] == [CLEARED_ANSWER] * len(written)
        assert not any(SECRET in str(item.response) or "несие" in str(item.response) for item in items)
    assert marks(app, scene.attempt_id) == before  # scores, answered or not, chosen options: all as they were
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "несие" not in page


def test_an_approved_erasure_clears_his_written_answers_and_keeps_the_scores(app, exam):  # noqa: F811
    scene = exam(start=True)
    answer_all(app, scene, wrong_short_text=True)
    close(scene)
    before = marks(app, scene.attempt_id)
    with app.app_context():
        db.session.get(Application, scene.application_id).state = "withdrawn"  # his case is over
        db.session.commit()
    assert scene.candidate.post("/my-data/erasure", data={"confirm": "y"}).status_code == 302
    with app.app_context():
        request_id = db.session.scalar(select(ErasureRequest.id))
    decided = scene.admin.post(
        f"/admin/records/erasure/{request_id}", data={"decision": "approve", "reason": "Nothing to keep"}
    )
    assert decided.status_code == 302
    with app.app_context():
        responses = db.session.scalars(
            select(AttemptItem.response).where(
                AttemptItem.attempt_id == scene.attempt_id, AttemptItem.kind == "short_text"
            )
        ).all()
        assert responses and set(responses) == {CLEARED_ANSWER}
    assert marks(app, scene.attempt_id) == before
