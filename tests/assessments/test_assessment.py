"""Assignments and impartiality, blind marking, moderation, the recommendation, separation of duties, decisions."""

import threading

import pytest
from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.assessments.models import Assignment, Decision, FinalRating
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.qualifications.models import Qualification
from tests.assessments.conftest import application_state, judgement
from tests.conftest import database_url_for_tests, require_service


def english(*clients):
    for client in clients:
        client.post("/language", data={"language": "en"})


def test_assigning_two_assessors_starts_the_assessment_and_tells_them(app, submitted, login_as):
    scene = submitted()
    first, second = login_as("assessor"), login_as("assessor")
    scene.admin.post(f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": first.user.id})
    assert application_state(app, scene.application_id) == "submitted"
    scene.admin.post(f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": second.user.id})
    assert application_state(app, scene.application_id) == "in_assessment"
    english(first)
    assert "You have been assigned to assess application" in first.get("/notifications").get_data(as_text=True)
    third = login_as("assessor")
    refused = scene.admin.post(
        f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": third.user.id}
    )
    assert refused.status_code == 409
    with app.app_context():
        assert len(db.session.scalars(select(Assignment)).all()) == 2


def test_the_candidate_cannot_be_assigned_to_their_own_application(app, submitted):
    scene = submitted()
    with app.app_context():
        from certcenter.accounts.models import User

        user = db.session.get(User, scene.candidate.user.id)
        user.set_roles({"candidate", "assessor"})
        db.session.commit()
    scene.admin.post("/language", data={"language": "en"})
    response = scene.admin.post(
        f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": scene.candidate.user.id}
    )
    # not among the form's choices; whoever is named, the service refuses and says why
    assert response.status_code == 409
    assert "or the candidate" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Assignment)).all() == []


def test_a_declared_conflict_removes_the_assignment_and_asks_for_another(app, submitted, login_as):
    scene = submitted()
    lead, other = login_as("assessor"), login_as("assessor")
    for assessor in (lead, other):
        scene.admin.post(f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": assessor.user.id})
    with app.app_context():
        lead_id, other_id = db.session.scalars(select(Assignment.id).order_by(Assignment.id)).all()
    english(lead)
    page = lead.get(f"/assess/{lead_id}").get_data(as_text=True)
    assert "Before you see the evidence, declare" in page and "diploma.pdf" not in page
    response = lead.post(f"/assess/{lead_id}", data={"conflict": "yes", "kind": "same_employer"})
    assert response.status_code == 302
    assert lead.get(f"/assess/{lead_id}").status_code == 404  # removed: nothing more to see
    with app.app_context():
        removed, kept = db.session.get(Assignment, lead_id), db.session.get(Assignment, other_id)
        assert removed.status == "conflict" and removed.conflict_kind == "same_employer"
        assert kept.is_lead  # the lead role passes on
        assert db.session.scalar(
            select(Notification).where(
                Notification.kind == "conflict_declared", Notification.user_id == scene.admin.user.id
            )
        )
        evidence_id = scene.evidence_ids[0]
    assert lead.get(f"/evidence/{evidence_id}").status_code == 404
    english(scene.admin)
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "Removed: declared a conflict of interest" in page and "Assign" in page
    again = scene.admin.post(f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": lead.user.id})
    assert again.status_code == 409 and "conflicted out" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, lead_id).status == "conflict"  # the conflicted assessor is not re-added


def test_other_conflict_needs_details(app, submitted, login_as):
    scene = submitted()
    assessor = login_as("assessor")
    scene.admin.post(f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": assessor.user.id})
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id))
    english(assessor)
    response = assessor.post(f"/assess/{assignment_id}", data={"conflict": "yes", "kind": "other", "note": ""})
    assert "Describe the conflict." in response.get_data(as_text=True)


def test_an_assessor_sees_only_their_assignments(app, in_assessment, login_as):
    scene = in_assessment()
    outsider = login_as("assessor")
    assert outsider.get(f"/assess/{scene.assignment_ids[0]}").status_code == 404
    assert "diploma.pdf" not in outsider.get("/assess").get_data(as_text=True)
    for item in scene.evidence_ids:
        assert outsider.get(f"/evidence/{item}").status_code == 404
        assert scene.assessors[0].get(f"/evidence/{item}").status_code == 200
    workspace = scene.assessors[0].get("/assess").get_data(as_text=True)
    assert f'data-assignment="{scene.assignment_ids[0]}"' in workspace
    assert f'data-assignment="{scene.assignment_ids[1]}"' not in workspace


def test_the_workspace_puts_what_is_under_way_first_and_pages_the_finished(app, in_assessment):
    scene = in_assessment()
    assessor = scene.assessors[0]
    under_way, _, finished = assessor.get("/assess").get_data(as_text=True).partition('id="finished"')
    assert f'data-assignment="{scene.assignment_ids[0]}"' in under_way and not finished
    with app.app_context():
        db.session.get(Application, scene.application_id).state = "not_confirmed"  # decided, as far as this page goes
        db.session.commit()
    under_way, _, finished = assessor.get("/assess").get_data(as_text=True).partition('id="finished"')
    assert f'data-assignment="{scene.assignment_ids[0]}"' in finished
    assert "Сізде қазір жұмыс жоқ." in under_way  # "Nothing is under way for you."


def test_a_rating_without_justification_is_refused_and_the_draft_kept(app, in_assessment):
    scene = in_assessment()
    first = scene.assessors[0]
    english(first)
    response = first.post(f"/assess/{scene.assignment_ids[0]}/submit", data=judgement(scene, justification=""))
    assert response.status_code == 400
    assert "Write a justification for the rating" in response.get_data(as_text=True)
    with app.app_context():
        assignment = db.session.get(Assignment, scene.assignment_ids[0])
        assert assignment.status == "active"
        assert {rating.rating for rating in assignment.ratings} == {"met"}  # what was typed is kept as a draft


def test_autosave_answers_json(app, in_assessment):
    scene = in_assessment()
    response = scene.assessors[0].post(
        f"/assess/{scene.assignment_ids[0]}/draft",
        data=judgement(scene, "partially_met"),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.get_json()["saved"] is True
    with app.app_context():
        assignment = db.session.get(Assignment, scene.assignment_ids[0])
        assert assignment.draft_saved_at is not None
        assert {rating.rating for rating in assignment.ratings} == {"partially_met"}


def test_marking_is_blind_until_everyone_has_submitted(app, in_assessment):
    scene = in_assessment()
    first, second = scene.assessors
    english(first, second)
    secret = "Only the first assessor wrote this."
    first.post(f"/assess/{scene.assignment_ids[0]}/submit", data=judgement(scene, justification=secret))
    second.post(f"/assess/{scene.assignment_ids[1]}/draft", data=judgement(scene, justification="Second draft."))
    assert secret not in second.get(f"/assess/{scene.assignment_ids[1]}").get_data(as_text=True)
    assert "Second draft." not in first.get(f"/assess/{scene.assignment_ids[0]}").get_data(as_text=True)
    assert "Agreement between assessors" not in scene.admin.get(f"/applications/{scene.application_id}").get_data(
        as_text=True
    )
    second.post(f"/assess/{scene.assignment_ids[1]}/submit", data=judgement(scene, justification="Second view."))
    after = second.get(f"/assess/{scene.assignment_ids[1]}").get_data(as_text=True)
    assert secret in after and "Agreement between assessors" in after


def test_full_agreement_goes_straight_to_the_decision(app, in_assessment):
    scene = in_assessment()
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assert assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene)).status_code == 302
    assert application_state(app, scene.application_id) == "awaiting_decision"
    with app.app_context():
        finals = db.session.scalars(select(FinalRating)).all()
        assert len(finals) == len(scene.criteria) and all(final.agreed and final.rating == "met" for final in finals)


def test_a_submitted_judgement_is_locked(app, in_assessment):
    scene = in_assessment()
    first = scene.assessors[0]
    first.post(f"/assess/{scene.assignment_ids[0]}/submit", data=judgement(scene))
    changed = first.post(f"/assess/{scene.assignment_ids[0]}/draft", data=judgement(scene, "not_met"))
    assert changed.status_code == 409
    with app.app_context():
        assert {r.rating for r in db.session.get(Assignment, scene.assignment_ids[0]).ratings} == {"met"}


def disagree(scene, key="descriptor:skills"):
    first, second = scene.assessors
    first.post(f"/assess/{scene.assignment_ids[0]}/submit", data=judgement(scene))
    second.post(
        f"/assess/{scene.assignment_ids[1]}/submit",
        data=judgement(scene, {key: "partially_met"}, met_at_level={key: 2}),
    )


def test_no_decision_while_in_moderation(app, in_assessment):
    scene = in_assessment()
    disagree(scene)
    response = scene.admin.post(
        f"/admin/applications/{scene.application_id}/decision",
        data={"outcome": "not_confirmed", "deviation_reason": "x"},
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalars(select(Decision)).all() == []


def test_stale_decision_form_is_refused(app, in_assessment):
    scene = in_assessment()
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene))
    response = scene.admin.post(
        f"/admin/applications/{scene.application_id}/decision", data={"outcome": "confirmed", "version": "1"}
    )
    assert response.status_code == 409
    assert application_state(app, scene.application_id) == "awaiting_decision"


def test_deviation_from_the_recommendation_needs_a_reason(app, in_assessment):
    scene = in_assessment()
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene))
    english(scene.admin)
    refused = scene.admin.post(
        f"/admin/applications/{scene.application_id}/decision", data={"outcome": "not_confirmed"}
    )
    assert refused.status_code == 409 and "needs a written reason" in refused.get_data(as_text=True)
    ok = scene.admin.post(
        f"/admin/applications/{scene.application_id}/decision",
        data={"outcome": "not_confirmed", "deviation_reason": "Documents found forged later."},
    )
    assert ok.status_code == 302
    with app.app_context():
        decision = db.session.scalar(select(Decision))
        assert decision.recommended_outcome == "confirmed" and decision.outcome == "not_confirmed"
        assert decision.deviation_reason == "Documents found forged later."


def test_the_candidate_sees_the_decision_with_its_reasons_and_advice(app, in_assessment):
    scene = in_assessment()
    key = "descriptor:knowledge"
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assessor.post(
            f"/assess/{assignment_id}/submit", data=judgement(scene, {key: "not_met"}, met_at_level={key: 2}, theory=40)
        )
    assert application_state(app, scene.application_id) == "awaiting_decision"
    english(scene.admin, scene.candidate)
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "Recommendation: Qualification not confirmed" in page
    scene.admin.post(f"/admin/applications/{scene.application_id}/decision", data={"outcome": "not_confirmed"})
    dashboard = scene.candidate.get("/dashboard").get_data(as_text=True)
    assert "Qualification not confirmed" in dashboard
    assert "Criterion “Knowledge” is not met." in dashboard
    assert "Theory test: 40% is below the pass mark of 70%." in dashboard
    assert "all descriptors of NQF level 2 are met" in dashboard
    assert "is now: Qualification not confirmed" in dashboard  # the notification


def test_the_decision_snapshot_is_pinned(app, in_assessment):
    scene = in_assessment()
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene))
    scene.admin.post(f"/admin/applications/{scene.application_id}/decision", data={"outcome": "confirmed"})
    with app.app_context():
        decision = db.session.scalar(select(Decision))
        before = decision.snapshot
        assert before["edition"]["code"] == "kz-nqf-2013" and before["qualification"]["level"] == 3
        assert len(before["criteria"]) == len(scene.criteria)
        assert all(len(criterion["assessors"]) == 2 for criterion in before["criteria"])
        # later edits to the qualification and the framework text
        application = db.session.get(Application, scene.application_id)
        qualification = db.session.get(Qualification, application.qualification_id)
        qualification.title = {"kk": "Өзгерген", "ru": "Изменено", "en": "Changed"}
        qualification.theory_pass_mark = 99
        descriptor = qualification.level.descriptor("skills")
        descriptor.text = {"kk": "жаңа", "ru": "новый", "en": "new"}
        db.session.commit()
        assert db.session.get(Decision, decision.id).snapshot == before
        assert before["qualification"]["theory_pass_mark"] != 99


def test_two_assessors_submitting_at_once_close_the_marking_once(app, in_assessment):
    if not database_url_for_tests().startswith("postgresql"):
        require_service(False, "concurrent writes are tested on PostgreSQL (CERTCENTER_TEST_DATABASE_URL)")
    scene = in_assessment()
    barrier = threading.Barrier(2)
    statuses = []

    def submit(assessor, assignment_id):
        barrier.wait()
        statuses.append(assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene)).status_code)

    threads = [
        threading.Thread(target=submit, args=pair) for pair in zip(scene.assessors, scene.assignment_ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert application_state(app, scene.application_id) == "awaiting_decision"
    with app.app_context():
        assert len(db.session.scalars(select(FinalRating)).all()) == len(scene.criteria)


def test_a_judgement_for_an_unassigned_application_is_refused(app, in_assessment, login_as):
    scene = in_assessment()
    outsider = login_as("assessor")
    response = outsider.post(f"/assess/{scene.assignment_ids[0]}/submit", data=judgement(scene))
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Assignment, scene.assignment_ids[0]).status == "active"


def test_a_stale_judgement_after_withdrawal_is_refused(app, in_assessment):
    scene = in_assessment()
    scene.candidate.post(f"/applications/{scene.application_id}/withdraw", data={})
    assert application_state(app, scene.application_id) == "withdrawn"
    response = scene.assessors[0].post(f"/assess/{scene.assignment_ids[0]}/submit", data=judgement(scene))
    assert response.status_code == 409


@pytest.mark.parametrize("role", ["candidate", "assessor"])
def test_only_administrators_assign(app, submitted, login_as, role):
    scene = submitted()
    client = login_as(role)
    assessor = login_as("assessor")
    response = client.post(f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": assessor.user.id})
    assert response.status_code == 403
