"""The appeals panel, as the people around it meet it: an administrator seats people who took no part in the round
appealed against, and each excluded person is refused through the route, with the reason on the page and in the
audit log; members declare conflicts before they see the case file; each votes, and the outcome more than half of
them vote for is carried out: a dismissal leaves round 1 as it was and the candidate reads the answer."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE, User
from certcenter.appeals.models import Appeal, AppealPanelMember, AppealVote
from certcenter.applications.models import Application
from certcenter.assessments.models import Assignment, Decision, FinalRating, Moderator
from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from tests.appeals.conftest import appeal_form, english, latest_report_text


@pytest.fixture
def appealed(app, not_confirmed):
    decided = not_confirmed()
    assert (
        decided.candidate.post(f"/applications/{decided.application_id}/appeal", data=appeal_form(decided)).status_code
        == 302
    )
    with app.app_context():
        decided.appeal_id = db.session.scalar(select(Appeal.id))
    english(decided.scene.admin)
    return decided


def vote(client, appeal_id: int, kind: str, reasoning: str, answer: str):
    data = {"outcome": kind, "reasoning": reasoning, "answer": answer, "confirmation_asked": "1", "confirmed": "y"}
    return client.post(f"/appeals/{appeal_id}/vote", data=data)


def seat(client, appeal_id: int, user_id: int):
    return client.post(f"/admin/appeals/{appeal_id}/panel", data={"member": user_id})


def members(app, appeal_id: int) -> list[int]:
    with app.app_context():
        return db.session.scalars(
            select(AppealPanelMember.user_id).where(AppealPanelMember.appeal_id == appeal_id)
        ).all()


def refusals(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "appeal.member_refused")).all())


def declare(client, appeal_id: int, conflict: str = "no", **fields):
    return client.post(f"/appeals/{appeal_id}/declaration", data={"conflict": conflict, **fields})


def refused_seat(app, admin, appeal_id: int, user_id: int, message: str) -> None:
    before, logged = members(app, appeal_id), refusals(app)
    response = seat(admin, appeal_id, user_id)
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert members(app, appeal_id) == before
    assert refusals(app) == logged + 1


def test_nobody_who_took_part_in_the_round_sits_on_the_panel(app, appealed, login_as, make_user):
    scene, appeal_id = appealed.scene, appealed.appeal_id
    admin = login_as("admin")
    english(admin)
    took_part = "took part in the assessment or decision appealed against"
    # the round's assessors, and the administrator who decided it
    for assessor in scene.assessors:
        refused_seat(app, admin, appeal_id, assessor.user.id, took_part)
    refused_seat(app, admin, appeal_id, scene.admin.user.id, took_part)
    # its moderator (picked and declared free of conflicts)
    moderator = make_user(ASSESSOR)
    with app.app_context():
        db.session.add(Moderator(application_id=scene.application_id, user_id=moderator.id, status="active"))
        db.session.commit()
    refused_seat(app, admin, appeal_id, moderator.id, took_part)
    # the candidate himself, even if he were a member of the centre's staff
    with app.app_context():
        db.session.get(User, scene.candidate.user.id).set_roles({CANDIDATE, ASSESSOR})
        db.session.commit()
    refused_seat(app, admin, appeal_id, scene.candidate.user.id, "is the candidate and cannot hear his own appeal")
    # someone who is not staff at all
    refused_seat(app, admin, appeal_id, make_user(CANDIDATE).id, "is an active administrator or assessor")
    # one who declared a conflict with this appeal is not seated again
    conflicted = login_as("assessor")
    assert seat(admin, appeal_id, conflicted.user.id).status_code == 302
    response = declare(conflicted, appeal_id, "yes", kind="relative")
    assert response.status_code == 302
    refused_seat(app, admin, appeal_id, conflicted.user.id, "declared a conflict of interest with this appeal")
    with app.app_context():
        assert db.session.scalars(
            select(Notification).where(
                Notification.kind == "appeal.member_conflict", Notification.user_id == admin.user.id
            )
        ).all()


def test_the_panel_has_at_most_its_configured_members(app, appealed, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "APPEAL_PANEL_MAX_MEMBERS", 1)
    admin = login_as("admin")
    english(admin)
    first, second = login_as("assessor"), login_as("assessor")
    assert seat(admin, appealed.appeal_id, first.user.id).status_code == 302
    response = seat(admin, appealed.appeal_id, second.user.id)
    assert response.status_code == 409 and "An appeals panel has at most 1 members." in response.get_data(as_text=True)
    assert members(app, appealed.appeal_id) == [first.user.id]


def test_the_candidate_who_is_an_administrator_does_not_form_his_own_panel(app, appealed, make_user):
    me = appealed.candidate
    with app.app_context():
        db.session.get(User, me.user.id).set_roles({CANDIDATE, ADMINISTRATOR, ASSESSOR})
        db.session.commit()
    response = seat(me, appealed.appeal_id, make_user(ASSESSOR).id)
    assert response.status_code == 409
    assert "You are the candidate of this application" in response.get_data(as_text=True)
    assert members(app, appealed.appeal_id) == []
    # nor does he see the case page, declare, or record an outcome
    assert me.get(f"/appeals/{appealed.appeal_id}").status_code == 404
    assert declare(me, appealed.appeal_id).status_code == 404
    outcome = {"outcome": "panel_decision", "reasoning": "Mine.", "answer": "Confirmed.", "confirmed": "y"}
    assert me.post(f"/appeals/{appealed.appeal_id}/vote", data=outcome).status_code in (404, 409)
    with app.app_context():
        assert db.session.get(Application, appealed.application_id).state == "appealed"


def round_one(app, application_id: int) -> dict:
    with app.app_context():
        decision = db.session.scalar(
            select(Decision).where(Decision.application_id == application_id).order_by(Decision.id).limit(1)
        )
        return {
            "decision": (decision.id, decision.outcome, decision.decided_at, decision.snapshot, decision.reasons),
            "finals": sorted(
                (f.criterion_key, f.rating)
                for f in db.session.scalars(
                    select(FinalRating).where(FinalRating.application_id == application_id, FinalRating.round == 1)
                )
            ),
            "assignments": sorted(
                (a.assessor_id, a.status, a.submitted_at)
                for a in db.session.scalars(
                    select(Assignment).where(Assignment.application_id == application_id, Assignment.round == 1)
                )
            ),
        }


def seated_panel(app, appealed, login_as):
    """An administrator seats an assessor and an administrator who took no part; both declare no conflict."""
    admin = login_as("admin")
    english(admin)
    assessor, administrator = login_as("assessor"), login_as("admin")
    for member in (assessor, administrator):
        english(member)
        assert seat(admin, appealed.appeal_id, member.user.id).status_code == 302
    # the case file is closed to a member until he declares
    page = assessor.get(f"/appeals/{appealed.appeal_id}").get_data(as_text=True)
    assert "Before you see the case, declare" in page and "case-evidence" not in page
    with app.app_context():
        item_id = db.session.get(Application, appealed.application_id).evidence[0].id
    assert assessor.get(f"/evidence/{item_id}").status_code == 404
    for member in (assessor, administrator):
        assert declare(member, appealed.appeal_id).status_code == 302
    # then it reads the whole case file: the decision, the ratings, the evidence, the history
    page = assessor.get(f"/appeals/{appealed.appeal_id}").get_data(as_text=True)
    assert 'id="case-evidence"' in page and 'id="decision"' in page and "Cast your vote" in page
    assert assessor.get(f"/evidence/{item_id}").status_code == 200
    return admin, assessor, administrator


def test_a_dismissal_leaves_round_one_untouched_and_the_candidate_reads_the_answer(app, appealed, login_as):
    before = round_one(app, appealed.application_id)
    admin, assessor, administrator = seated_panel(app, appealed, login_as)
    outsider = login_as("assessor")
    assert outsider.get(f"/appeals/{appealed.appeal_id}").status_code == 404
    answer = "The practical task was marked against the standard of the qualification."
    data = {"outcome": "dismissed", "reasoning": "The marking followed the standard.", "answer": answer}
    assert outsider.post(f"/appeals/{appealed.appeal_id}/vote", data=data | {"confirmed": "y"}).status_code in (
        403,
        404,
    )
    # the first of two votes decides nothing: the application waits, the candidate is told nothing
    first = vote(assessor, appealed.appeal_id, "dismissed", "The marking followed the standard.", "It stands.")
    assert first.status_code == 302, re.findall(r"flash[^>]*>([^<]*)", first.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Application, appealed.application_id).state == "appealed"
        assert db.session.get(Appeal, appealed.appeal_id).state == "under_review"
        assert not told(appealed)
    response = vote(administrator, appealed.appeal_id, "dismissed", "The standard was applied.", answer)
    assert response.status_code == 302, re.findall(r"flash[^>]*>([^<]*)", response.get_data(as_text=True))
    assert round_one(app, appealed.application_id) == before
    with app.app_context():
        application = db.session.get(Application, appealed.application_id)
        appeal = db.session.get(Appeal, appealed.appeal_id)
        assert application.state == "not_confirmed"
        # the vote that made the majority closed it, with its answer and both members' reasonings
        assert (appeal.state, appeal.outcome, appeal.closed_by_id) == ("dismissed", "dismissed", administrator.user.id)
        assert appeal.answer == answer
        assert appeal.reasoning == (
            f"{assessor.user.full_name}: The marking followed the standard.\n\n"
            f"{administrator.user.full_name}: The standard was applied."
        )
        assert told(appealed)
    page = appealed.candidate.get(f"/applications/{appealed.application_id}").get_data(as_text=True)
    assert "Dismissed: the decision stands" in page and answer in page
    # the vote is final, and so is the outcome
    again = vote(assessor, appealed.appeal_id, "panel_decision", "Changed my mind.", "Confirmed.")
    assert again.status_code == 409
    # the administrator's list shows it among the dismissed
    listing = admin.get("/admin/appeals?state=dismissed").get_data(as_text=True)
    assert f'data-appeal="{appealed.appeal_id}"' in listing


def told(appealed) -> bool:
    return (
        db.session.scalar(
            select(Notification).where(
                Notification.kind == "appeal.answered", Notification.user_id == appealed.candidate.user.id
            )
        )
        is not None
    )


def test_every_member_declares_before_the_outcome(app, appealed, login_as):
    admin = login_as("admin")
    first, second = login_as("assessor"), login_as("assessor")
    for member in (first, second):
        english(member)
        assert seat(admin, appealed.appeal_id, member.user.id).status_code == 302
    assert declare(first, appealed.appeal_id).status_code == 302
    data = {"outcome": "dismissed", "reasoning": "R.", "answer": "A.", "confirmation_asked": "1", "confirmed": "y"}
    response = first.post(f"/appeals/{appealed.appeal_id}/vote", data=data)
    assert response.status_code == 409
    assert "Every member of the panel declares" in response.get_data(as_text=True)
    # nor does the member who has not declared vote: he is not yet sitting
    response = second.post(f"/appeals/{appealed.appeal_id}/vote", data=data)
    assert response.status_code == 403
    assert "Declare your conflicts of interest before you vote." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(AppealVote)).all() == []
        refused = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "appeal.vote_refused")).all()
        assert sorted((entry.actor_id, entry.details["refused"]) for entry in refused) == sorted(
            [(first.user.id, "panel_undeclared"), (second.user.id, "undeclared")]
        )


def test_an_overdue_appeal_is_flagged_on_the_administrators_list(app, appealed, login_as):
    from datetime import timedelta

    from certcenter.core.models import utcnow

    admin = login_as("admin")
    english(admin)
    with app.app_context():
        db.session.get(Appeal, appealed.appeal_id).decide_by = utcnow() - timedelta(days=1)
        db.session.commit()
    listing = admin.get("/admin/appeals?overdue=1").get_data(as_text=True)
    assert f'data-appeal="{appealed.appeal_id}" class="overdue"' in listing and "overdue</span>" in listing


def outcome(members, appeal_id: int, kind: str, reasoning: str, answer: str):
    """Every member votes ``kind``; the last vote makes the majority."""
    for member in members:
        response = vote(member, appeal_id, kind, reasoning, answer)
    return response


def issue(app, admin, application_id: int):
    from certcenter.certificates.models import Certificate

    admin.post("/admin/certificates/issue", data={"application": [str(application_id)]})
    with app.app_context():
        return db.session.scalar(select(Certificate).where(Certificate.application_id == application_id))


def test_upheld_with_the_panels_own_decision_confirms_and_the_certificate_follows(app, appealed, login_as, tmp_path):

    before = round_one(app, appealed.application_id)
    admin, assessor, administrator = seated_panel(app, appealed, login_as)
    said = "The practical result was recorded against the wrong task; the corrected record shows it passed."
    response = outcome(
        [assessor, administrator], appealed.appeal_id, "panel_decision", said, "Your qualification is confirmed."
    )
    reasoning = f"{assessor.user.full_name}: {said}\n\n{administrator.user.full_name}: {said}"
    assert response.status_code == 302
    assert round_one(app, appealed.application_id) == before  # round 1 keeps its decision, snapshot and ratings
    with app.app_context():
        application = db.session.get(Application, appealed.application_id)
        decisions = db.session.scalars(
            select(Decision).where(Decision.application_id == appealed.application_id).order_by(Decision.id)
        ).all()
        assert application.state == "confirmed" and application.current_round == 2
        assert [(d.round, d.outcome) for d in decisions] == [(1, "not_confirmed"), (2, "confirmed")]
        assert decisions[1].decided_by_id == administrator.user.id and decisions[1].deviation_reason == reasoning
        # the confirming decision gives the panel's reasons, not the not-confirmed decision's
        assert (
            decisions[1].reasons
            == [{"code": "appeal_panel", "appeal_id": appealed.appeal_id, "reasoning": reasoning}]
            != decisions[0].reasons
        )
        appeal = db.session.get(Appeal, appealed.appeal_id)
        assert (appeal.state, appeal.outcome, appeal.new_round_number) == ("upheld", "panel_decision", 2)
    certificate = issue(app, admin, appealed.application_id)
    assert certificate is not None
    page = appealed.candidate.get(f"/applications/{appealed.application_id}").get_data(as_text=True)
    assert "Upheld: the panel decides, the facts not being in dispute" in page
    case = html.unescape(page)
    assert f"The appeals panel's reasoning: {reasoning}" in case
    # the assessment report of the panel's decision mentions the appeal
    text = latest_report_text(app, appealed.application_id, tmp_path)
    assert f"A-{appeal.lodged_at.year}-{appealed.appeal_id:05d}" in text


def test_upheld_with_a_new_round_ends_in_a_second_decision_and_a_certificate(app, appealed, login_as):
    from tests.assessments.conftest import declare_no_conflict, judgement

    before = round_one(app, appealed.application_id)
    admin, assessor, administrator = seated_panel(app, appealed, login_as)
    response = outcome(
        [assessor, administrator],
        appealed.appeal_id,
        "new_round",
        "The marking is disputed.",
        "Two new assessors will assess you.",
    )
    assert response.status_code == 302
    with app.app_context():
        application = db.session.get(Application, appealed.application_id)
        assert (application.state, application.current_round) == ("submitted", 2)
    assert round_one(app, appealed.application_id) == before
    # an assessor of round 1 is refused for round 2; two new ones assess, a new administrator decides
    refused = admin.post(
        f"/admin/applications/{appealed.application_id}/assign",
        data={"assessor_id": appealed.scene.assessors[0].user.id},
    )
    assert refused.status_code in (400, 409)
    scene = appealed.scene
    newcomers = [login_as("assessor"), login_as("assessor")]
    for newcomer in newcomers:
        from tests.conftest import give_scopes

        with app.app_context():
            give_scopes(db.session.get(User, newcomer.user.id))
            db.session.commit()
        assigned = admin.post(
            f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": newcomer.user.id}
        )
        assert assigned.status_code == 302
    with app.app_context():
        new_ids = db.session.scalars(
            select(Assignment.id).where(Assignment.application_id == scene.application_id, Assignment.round == 2)
        ).all()
    for newcomer, assignment_id in zip(newcomers, new_ids, strict=True):
        assert declare_no_conflict(newcomer, assignment_id).status_code == 302
        assert newcomer.post(f"/assess/{assignment_id}/submit", data=judgement(scene)).status_code == 302
    decider = login_as("admin")
    with app.app_context():
        version = str(db.session.get(Application, scene.application_id).version)
    decided = decider.post(
        f"/admin/applications/{scene.application_id}/decision", data={"outcome": "confirmed", "version": version}
    )
    assert decided.status_code == 302
    with app.app_context():
        rounds_decided = db.session.scalars(
            select(Decision.round).where(Decision.application_id == scene.application_id).order_by(Decision.round)
        ).all()
        assert rounds_decided == [1, 2]
    assert issue(app, decider, scene.application_id) is not None
    assert round_one(app, appealed.application_id) == before


def test_the_assessment_report_mentions_the_appeal(app, appealed, login_as, tmp_path):
    admin, assessor, administrator = seated_panel(app, appealed, login_as)
    panel = [assessor, administrator]
    assert outcome(panel, appealed.appeal_id, "dismissed", "The marking was right.", "It stands.").status_code == 302
    admin.post("/language", data={"language": "en"})
    assert admin.post(f"/admin/applications/{appealed.application_id}/report").status_code == 302
    text = latest_report_text(app, appealed.application_id, tmp_path)
    with app.app_context():
        reference = db.session.get(Appeal, appealed.appeal_id).reference
    assert f"Appeal {reference}" in text and "Dismissed: the decision stands" in text
    assert "The marking was right." in text
