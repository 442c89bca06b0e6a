"""A pathway that needs a person's judgement (professional recognition at level 8, ...) is resolved by an
administrator with a written reason (audited): the eligibility then reads met or not met and the recommendation
follows it."""

from __future__ import annotations

from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from tests.assessments.conftest import application_state, judgement


def english(*clients) -> None:
    for client in clients:
        client.post("/language", data={"language": "en"})


def needing_review(app, application_id: int) -> None:
    """As a level-8 pathway with its manual condition leaves it: the facts met, one condition for a person."""
    with app.app_context():
        application = db.session.get(Application, application_id)
        eligibility = dict(application.eligibility)
        eligibility.update(
            status="needs_review",
            met_pathway=None,
            pathways=[{"code": "8.2", "met": None, "missing": [], "shortfalls": []}],
        )
        application.eligibility, application.eligibility_status = eligibility, "needs_review"
        db.session.commit()


def version(app, application_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Application, application_id).version)


def awaiting_decision(app, in_assessment):
    scene = in_assessment()
    needing_review(app, scene.application_id)
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assert assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene)).status_code == 302
    assert application_state(app, scene.application_id) == "awaiting_decision"
    english(scene.admin)
    return scene


def test_the_recommendation_follows_the_administrators_judgement(app, in_assessment):
    scene = awaiting_decision(app, in_assessment)
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "A pathway depends on a condition the centre judges." in page and "Judge the condition" in page
    assert "The candidate does not meet a pathway to the level" in page  # not confirmed while unresolved

    unreasoned = scene.admin.post(
        f"/admin/applications/{scene.application_id}/eligibility",
        data={"decision": "met", "reason": "", "version": version(app, scene.application_id)},
    )
    assert unreasoned.status_code == 400
    assert "Write the reason for your judgement." in unreasoned.get_data(as_text=True)
    response = scene.admin.post(
        f"/admin/applications/{scene.application_id}/eligibility",
        data={
            "decision": "met",
            "reason": "Member of the national welding association's board since 2019.",
            "version": version(app, scene.application_id),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        application = db.session.get(Application, scene.application_id)
        assert application.eligibility_status == "met" and application.eligibility["met_pathway"] == "8.2"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "application.eligibility_resolve"))
        assert entry.actor_id == scene.admin.user.id and entry.details["eligibility"] == "met"
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "Pathway 8.2 is met." in page and "board since 2019" in page
    assert "The candidate does not meet a pathway to the level" not in page
    assert "Judge the condition" not in page  # resolved once
    again = scene.admin.post(
        f"/admin/applications/{scene.application_id}/eligibility",
        data={"decision": "not_met", "reason": "Changed my mind.", "version": version(app, scene.application_id)},
    )
    assert again.status_code == 409
    decided = scene.admin.post(
        f"/admin/applications/{scene.application_id}/decision",
        data={"outcome": "confirmed", "version": version(app, scene.application_id)},
    )
    assert decided.status_code == 302 and application_state(app, scene.application_id) == "confirmed"


def test_a_condition_judged_not_met_makes_the_recommendation_not_confirmed(app, in_assessment):
    scene = awaiting_decision(app, in_assessment)
    response = scene.admin.post(
        f"/admin/applications/{scene.application_id}/eligibility",
        data={"decision": "not_met", "reason": "No recognition shown.", "version": version(app, scene.application_id)},
    )
    assert response.status_code == 302
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "found not met" in page and "No recognition shown." in page
    assert "The candidate does not meet a pathway to the level" in page
    confirmed_anyway = scene.admin.post(
        f"/admin/applications/{scene.application_id}/decision",
        data={"outcome": "confirmed", "version": version(app, scene.application_id)},
    )
    assert confirmed_anyway.status_code == 409  # a decision against the recommendation needs its reason


def test_only_an_eligibility_that_needs_review_is_resolved(app, in_assessment):
    scene = in_assessment()
    english(scene.admin)
    response = scene.admin.post(
        f"/admin/applications/{scene.application_id}/eligibility",
        data={"decision": "not_met", "reason": "Why not.", "version": version(app, scene.application_id)},
    )
    assert response.status_code == 409
    assert "Only an eligibility that needs a person's judgement is resolved" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, scene.application_id).eligibility_status == "met"
