"""Each assessor's own results, blind until all have submitted; results beyond the tolerance go to moderation;
moderation by an independent person an administrator picks, who declares his conflicts first; what each assessor
said and why the moderator chose stay on record; the decision rests on the agreed or moderated results. The refusals
are tried through the routes by the person trying to cheat."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.assessments.models import AssessmentResult, AssessorResult, Decision, FinalRating, Moderator
from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from tests.assessments.conftest import application_state, judgement
from tests.reports.test_assessment_report import report_text, reports


def english(*clients):
    for client in clients:
        client.post("/language", data={"language": "en"})


def text(response) -> str:
    return response.get_data(as_text=True)


def record(app, application_id: int, kind: str) -> AssessmentResult | None:
    with app.app_context():
        result = db.session.scalar(
            select(AssessmentResult).where(
                AssessmentResult.application_id == application_id, AssessmentResult.kind == kind
            )
        )
        if result is not None:
            db.session.expunge(result)
        return result


def submit_both(scene, first: dict, second: dict) -> None:
    for assessor, assignment_id, data in zip(scene.assessors, scene.assignment_ids, (first, second), strict=True):
        assert assessor.post(f"/assess/{assignment_id}/submit", data=data).status_code == 302


# --- each assessor's own results ------------------------------------------------------------------------------------


def test_each_assessor_keeps_his_own_result_and_sees_the_others_only_after_all_submit(app, in_assessment):
    scene = in_assessment()
    first, second = scene.assessors
    english(first, second)
    assert first.post(f"/assess/{scene.assignment_ids[0]}/submit", data=judgement(scene, theory=81)).status_code == 302
    second.post(f"/assess/{scene.assignment_ids[1]}/draft", data=judgement(scene, theory=83, practical=92))
    # the second assessor's entry leaves the first assessor's locked result as it was
    with app.app_context():
        own = {
            (result.assignment_id, result.kind): result.percent for result in db.session.scalars(select(AssessorResult))
        }
    assert own[(scene.assignment_ids[0], "theory")] == 81 and own[(scene.assignment_ids[1], "theory")] == 83
    assert record(app, scene.application_id, "theory") is None  # no result of record before marking closes
    # blind: neither sees the other's figure
    second_page = text(second.get(f"/assess/{scene.assignment_ids[1]}"))
    assert 'value="83"' in second_page and 'value="81"' not in second_page
    assert 'value="83"' not in text(first.get(f"/assess/{scene.assignment_ids[0]}"))
    assert "Theory and practical results" not in text(scene.admin.get(f"/applications/{scene.application_id}"))
    second.post(f"/assess/{scene.assignment_ids[1]}/submit", data=judgement(scene, theory=83, practical=92))
    after = text(first.get(f"/assess/{scene.assignment_ids[0]}"))
    assert "Theory and practical results" in after
    assert re.search(r"Бағалаушы 1:</strong> 81%", after) and re.search(r"Бағалаушы 2:</strong> 83%", after)


def test_results_within_the_tolerance_agree_on_their_mean_rounded_down(app, in_assessment):
    scene = in_assessment()
    submit_both(scene, judgement(scene, theory=80, practical=90), judgement(scene, theory=85, practical=93))
    assert application_state(app, scene.application_id) == "awaiting_decision"
    theory, practical = record(app, scene.application_id, "theory"), record(app, scene.application_id, "practical")
    assert (theory.percent, theory.source, theory.recorded_by_id) == (82, "assessors", None)  # (80 + 85) // 2
    assert practical.percent == 91
    assert [p["percent"] for p in theory.positions] == [80, 85]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (80, 86),  # 6 points apart: beyond the default tolerance of 5
        (68, 72),  # 4 points apart, but on either side of the pass mark of 70
    ],
)
def test_results_beyond_the_tolerance_or_across_the_pass_mark_go_to_moderation(app, in_assessment, first, second):
    scene = in_assessment()
    submit_both(scene, judgement(scene, theory=first), judgement(scene, theory=second))
    assert application_state(app, scene.application_id) == "moderation"
    theory = record(app, scene.application_id, "theory")
    assert (theory.percent, theory.source) == (None, "moderation")
    assert [p["percent"] for p in theory.positions] == [first, second]
    assert record(app, scene.application_id, "practical").source == "assessors"


def test_the_tolerance_is_the_centres_setting(app, in_assessment):
    app.config["RESULT_TOLERANCE_POINTS"] = 10
    try:
        scene = in_assessment()
        submit_both(scene, judgement(scene, theory=80), judgement(scene, theory=89))
        assert application_state(app, scene.application_id) == "awaiting_decision"
        assert record(app, scene.application_id, "theory").percent == 84
    finally:
        app.config["RESULT_TOLERANCE_POINTS"] = 5


def test_an_assessor_must_record_his_own_results(app, in_assessment):
    scene = in_assessment()
    english(scene.assessors[0])
    response = scene.assessors[0].post(f"/assess/{scene.assignment_ids[0]}/submit", data=judgement(scene, theory=None))
    assert response.status_code == 400 and "Record the result of the theory test." in text(response)


# --- moderation -----------------------------------------------------------------------------------------------------


def disagree(scene):
    """The assessors disagree on a rating (skills) and on the theory result (78 against 90)."""
    key = "descriptor:skills"
    submit_both(
        scene,
        judgement(scene, theory=78),
        judgement(scene, {key: "partially_met"}, met_at_level={key: 2}, theory=90),
    )


def pick(scene, moderator):
    return scene.admin.post(
        f"/admin/applications/{scene.application_id}/moderator", data={"moderator_id": moderator.user.id}
    )


def settle(client, application_id, *, rating="met", percent="85"):
    rated = client.post(
        f"/moderation/{application_id}",
        data={"criterion_key": "descriptor:skills", "rating": rating, "reason": "The weld samples show the skill."},
    )
    result = client.post(
        f"/moderation/{application_id}/results",
        data={"kind": "theory", "percent": percent, "reason": "Marked again against the key."},
    )
    return rated, result


@pytest.fixture
def in_moderation(app, in_assessment, login_as):
    scene = in_assessment()
    disagree(scene)
    assert application_state(app, scene.application_id) == "moderation"
    english(scene.admin, *scene.assessors)
    return scene


def test_the_lead_does_not_moderate_his_own_disagreement(app, in_moderation, login_as):
    scene = in_moderation
    lead = scene.assessors[0]
    with app.app_context():
        user = db.session.get(User, lead.user.id)
        user.set_roles({"assessor", "administrator"})  # even holding both roles
        db.session.commit()
    refused = pick(scene, lead)
    assert refused.status_code == 409
    assert "a party to the disagreement does not moderate it" in text(refused)
    # the lead, also an administrator, picks himself
    himself = lead.post(f"/admin/applications/{scene.application_id}/moderator", data={"moderator_id": lead.user.id})
    assert himself.status_code == 409 and "a party to the disagreement" in text(himself)
    rated, result = settle(lead, scene.application_id)
    assert rated.status_code == 409 and "a party to the disagreement does not moderate it" in text(rated)
    assert result.status_code == 409 and "a party to the disagreement does not moderate it" in text(result)
    with app.app_context():
        assert (
            db.session.scalar(select(FinalRating.rating).where(FinalRating.criterion_key == "descriptor:skills"))
            is None
        )
        assert db.session.scalar(select(Moderator)) is None
    assert application_state(app, scene.application_id) == "moderation"


def test_an_assigned_assessor_does_not_moderate(app, in_moderation):
    scene = in_moderation
    other = scene.assessors[1]
    rated, result = settle(other, scene.application_id)
    assert rated.status_code == 409 and "a party to the disagreement does not moderate it" in text(rated)
    assert result.status_code == 409
    assert pick(scene, other).status_code == 409


def test_nobody_but_the_picked_moderator_moderates(app, in_moderation, login_as):
    scene = in_moderation
    picked = login_as("assessor", full_name="Модератор Тәуелсіз")
    stranger_admin = login_as("admin")
    stranger_assessor = login_as("assessor")
    english(picked, stranger_admin)
    # before anyone is picked, an administrator is refused too
    rated, _ = settle(stranger_admin, scene.application_id)
    assert rated.status_code == 409
    assert "Only the moderator an administrator picked for this application moderates it." in text(rated)
    assert pick(scene, picked).status_code == 302
    for client in (stranger_admin, scene.admin):
        rated, result = settle(client, scene.application_id)
        assert rated.status_code == 409 and result.status_code == 409
        assert "Only the moderator an administrator picked for this application moderates it." in text(result)
    assert settle(stranger_assessor, scene.application_id)[0].status_code == 404  # nothing of his to see
    assert stranger_assessor.get(f"/moderation/{scene.application_id}").status_code == 404
    # the picked moderator declares before he may moderate
    rated, _ = settle(picked, scene.application_id)
    assert rated.status_code == 409 and "Declare your conflicts of interest before you moderate." in text(rated)
    # a second pick while one stands is refused
    another = login_as("assessor")
    refused = pick(scene, another)
    assert refused.status_code == 409 and "A moderator has already been picked" in text(refused)


def test_the_candidate_is_never_picked(app, in_moderation):
    scene = in_moderation
    with app.app_context():
        user = db.session.get(User, scene.candidate.user.id)
        user.set_roles({"candidate", "assessor"})
        db.session.commit()
    refused = pick(scene, scene.candidate)
    assert refused.status_code == 409 and "Nobody moderates his own application." in text(refused)


def test_the_moderators_declaration_has_no_answer_chosen_for_him(app, in_moderation, login_as):
    scene = in_moderation
    moderator = login_as("assessor")
    english(moderator)
    pick(scene, moderator)
    page = text(moderator.get(f"/moderation/{scene.application_id}"))
    assert "declare whether you have a conflict of interest" in page
    assert 'type="radio"' in page and "checked" not in page
    assert "Бағалаушы 1" not in page  # nothing of the case before the declaration
    unanswered = moderator.post(f"/moderation/{scene.application_id}/declaration", data={})
    assert unanswered.status_code == 400 and "Answer whether you have a conflict of interest." in text(unanswered)
    with app.app_context():
        assert db.session.scalar(select(Moderator.status)) == "pending"


def test_a_moderators_conflict_removes_him_and_the_administrator_picks_another(app, in_moderation, login_as):
    scene = in_moderation
    first, second = login_as("assessor"), login_as("assessor")
    pick(scene, first)
    declared = first.post(
        f"/moderation/{scene.application_id}/declaration", data={"conflict": "yes", "kind": "relative"}
    )
    assert declared.status_code == 302
    assert first.get(f"/moderation/{scene.application_id}").status_code == 404
    page = text(scene.admin.get(f"/applications/{scene.application_id}"))
    assert "Removed: declared a conflict of interest" in page and "Pick the moderator" in page
    refused = pick(scene, first)
    assert refused.status_code == 409 and "declared a conflict of interest with this application" in text(refused)
    assert pick(scene, second).status_code == 302
    with app.app_context():
        statuses = db.session.execute(select(Moderator.user_id, Moderator.status).order_by(Moderator.id)).all()
    assert statuses == [(first.user.id, "conflict"), (second.user.id, "pending")]


def test_the_independent_moderator_settles_and_the_decision_uses_it(app, in_moderation, login_as, tmp_path):
    scene = in_moderation
    moderator = login_as("assessor", full_name="Модератор Тәуелсіз")
    english(moderator)
    assert pick(scene, moderator).status_code == 302
    workspace = text(moderator.get("/assess"))
    assert "Moderation asked of you" in workspace and f'data-moderation="{scene.application_id}"' in workspace
    assert moderator.post(f"/moderation/{scene.application_id}/declaration", data={"conflict": "no"}).status_code == 302
    page = text(moderator.get(f"/moderation/{scene.application_id}"))
    # what each assessor said, side by side
    assert "Бағалаушы 1:</strong> 78%" in page and "Бағалаушы 2:</strong> 90%" in page
    assert "Partially met" in page and "Record the moderated result" in page
    with app.app_context():
        evidence_id = scene.evidence_ids[0]
    assert moderator.get(f"/evidence/{evidence_id}").status_code == 200  # the case file is his to read
    no_reason = moderator.post(
        f"/moderation/{scene.application_id}/results", data={"kind": "theory", "percent": "85", "reason": ""}
    )
    assert no_reason.status_code == 302 and record(app, scene.application_id, "theory").percent is None
    rated, result = settle(moderator, scene.application_id)
    assert rated.status_code == 302 and result.status_code == 302
    assert application_state(app, scene.application_id) == "awaiting_decision"
    theory = record(app, scene.application_id, "theory")
    assert (theory.percent, theory.source, theory.recorded_by_id) == (85, "moderation", moderator.user.id)
    assert theory.moderation_reason == "Marked again against the key."
    assert [(p["assessor"], p["percent"]) for p in theory.positions] == [("Бағалаушы 1", 78), ("Бағалаушы 2", 90)]
    with app.app_context():
        final = db.session.scalar(select(FinalRating).where(FinalRating.criterion_key == "descriptor:skills"))
        assert (final.rating, final.moderated_by_id) == ("met", moderator.user.id)
        assert [p["rating"] for p in final.positions] == ["met", "partially_met"]
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"assessment.moderator_pick", "assessment.moderator_no_conflict", "assessment.moderate_result"} <= actions
    # the administrator who took no part decides on the moderated figures
    page = text(scene.admin.get(f"/applications/{scene.application_id}"))
    assert "Recommendation: Qualification confirmed" in page and "Moderated by Модератор Тәуелсіз" in page
    decided = scene.admin.post(f"/admin/applications/{scene.application_id}/decision", data={"outcome": "confirmed"})
    assert decided.status_code == 302
    with app.app_context():
        snapshot = db.session.scalar(select(Decision)).snapshot
    assert snapshot["moderator"]["name"] == "Модератор Тәуелсіз"
    theory_snapshot = next(r for r in snapshot["results"] if r["kind"] == "theory")
    assert theory_snapshot["source"] == "moderation" and theory_snapshot["set_by"] == "Модератор Тәуелсіз"
    skills = next(c for c in snapshot["criteria"] if c["key"] == "descriptor:skills")
    assert skills["moderated_by"] == "Модератор Тәуелсіз"
    # the assessment report names the moderator, what each assessor gave and why the moderator chose
    (report,) = reports(app)
    pdf = report_text(app, report, tmp_path)
    for expected in ("Модератор Тәуелсіз", "Marked again against the key.", "The weld samples show the skill.", "78"):
        assert expected in pdf, expected


def test_the_moderator_does_not_decide(app, in_moderation, login_as):
    scene = in_moderation
    moderator = login_as("admin", full_name="Модератор Әкімші")
    english(moderator)
    assert pick(scene, moderator).status_code == 302
    moderator.post(f"/moderation/{scene.application_id}/declaration", data={"conflict": "no"})
    settle(moderator, scene.application_id)
    assert application_state(app, scene.application_id) == "awaiting_decision"
    page = text(moderator.get(f"/applications/{scene.application_id}"))
    assert "another administrator records the decision" in page
    refused = moderator.post(f"/admin/applications/{scene.application_id}/decision", data={"outcome": "confirmed"})
    assert refused.status_code == 409
    assert "Those who assessed or moderated an application do not decide it." in text(refused)
    assert (
        scene.admin.post(f"/admin/applications/{scene.application_id}/decision", data={"outcome": "confirmed"})
    ).status_code == 302
    assert application_state(app, scene.application_id) == "confirmed"


def test_a_moderated_result_below_the_pass_mark_leads_to_not_confirmed(app, in_moderation, login_as):
    scene = in_moderation
    moderator = login_as("assessor")
    pick(scene, moderator)
    moderator.post(f"/moderation/{scene.application_id}/declaration", data={"conflict": "no"})
    settle(moderator, scene.application_id, percent="65")
    page = text(scene.admin.get(f"/applications/{scene.application_id}"))
    assert "Recommendation: Qualification not confirmed" in page
    assert "Theory test: 65% is below the pass mark of 70%." in page


def test_the_administrators_are_told_once_that_a_moderated_application_awaits_its_decision(
    app, in_moderation, login_as
):
    from certcenter.notifications.models import Notification

    scene = in_moderation
    moderator = login_as("assessor")
    pick(scene, moderator)
    moderator.post(f"/moderation/{scene.application_id}/declaration", data={"conflict": "no"})
    settle(moderator, scene.application_id)
    assert application_state(app, scene.application_id) == "awaiting_decision"
    with app.app_context():
        told = db.session.scalars(
            select(Notification.user_id).where(
                Notification.kind == "ready_for_decision", Notification.subject_id == str(scene.application_id)
            )
        ).all()
    assert told and sorted(told) == sorted(set(told))  # each administrator once (was twice: a repeated line)
    assert scene.admin.user.id in told
