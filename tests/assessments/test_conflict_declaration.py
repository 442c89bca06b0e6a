"""The conflict-of-interest declaration: no answer is chosen for the assessor, a missing answer is refused, and a
declared conflict stays on record with its words after another assessor takes the place."""

from __future__ import annotations

from sqlalchemy import select

from certcenter.assessments.models import Assignment
from certcenter.extensions import db


def english(client) -> None:
    client.post("/language", data={"language": "en"})


def assigned(app, scene, assessor) -> int:
    scene.admin.post(f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": assessor.user.id})
    with app.app_context():
        return db.session.scalar(
            select(Assignment.id).where(
                Assignment.application_id == scene.application_id, Assignment.assessor_id == assessor.user.id
            )
        )


def test_no_answer_is_chosen_and_a_missing_answer_is_refused(app, submitted, login_as):
    scene = submitted()
    assessor = login_as("assessor")
    assignment_id = assigned(app, scene, assessor)
    english(assessor)
    page = assessor.get(f"/assess/{assignment_id}").get_data(as_text=True)
    assert 'type="radio"' in page and "checked" not in page
    response = assessor.post(f"/assess/{assignment_id}", data={})
    assert response.status_code == 400
    assert "Answer whether you have a conflict of interest." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).status == "pending"
    assert "diploma.pdf" not in response.get_data(as_text=True)  # still no evidence before an answer


def test_a_declared_conflict_stays_on_record_with_its_words_after_reassignment(app, submitted, login_as):
    scene = submitted()
    conflicted, replacement = login_as("assessor", full_name="Қайшы Мүдде"), login_as("assessor")
    assignment_id = assigned(app, scene, conflicted)
    response = conflicted.post(
        f"/assess/{assignment_id}",
        data={"conflict": "yes", "kind": "relative", "note": "The candidate is my cousin."},
    )
    assert response.status_code == 302
    assigned(app, scene, replacement)
    with app.app_context():
        removed = db.session.get(Assignment, assignment_id)
        assert (removed.status, removed.conflict_kind, removed.conflict_note) == (
            "conflict",
            "relative",
            "The candidate is my cousin.",
        )
    english(scene.admin)
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "Қайшы Мүдде" in page and "Removed: declared a conflict of interest" in page
    assert "Relative" in page and "The candidate is my cousin." in page
