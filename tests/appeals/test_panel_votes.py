"""The appeals panel decides by a majority of its members: each sitting member casts his own vote (an outcome, his
reasoning, the answer he would give), and the outcome is carried out by the vote that makes more than half of the
sitting members agree (1 of 1, 2 of 2, 2 of 3). Until then the application, the certificate and the candidate hear
nothing; a panel that can no longer reach a majority says so, and the administrators may seat one more member. Every
refused vote is refused through the route and audited; the minority's dissent is kept in the file and shown."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from certcenter.accounts.models import ASSESSOR, CANDIDATE, User
from certcenter.appeals.models import Appeal, AppealVote
from certcenter.applications.models import Application
from certcenter.certificates.models import Certificate
from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from tests.appeals.conftest import appeal_form, english, latest_report_text
from tests.appeals.test_certificate_appeals import changed, heard, public_status  # noqa: F401 - a fixture

ANSWER = "The panel has heard your appeal."


@pytest.fixture
def appealed(app, not_confirmed):
    decided = not_confirmed()
    response = decided.candidate.post(f"/applications/{decided.application_id}/appeal", data=appeal_form(decided))
    assert response.status_code == 302
    with app.app_context():
        decided.appeal_id = db.session.scalar(select(Appeal.id))
    return decided


def seat(admin, appeal_id: int, member) -> None:
    assert admin.post(f"/admin/appeals/{appeal_id}/panel", data={"member": member.user.id}).status_code == 302


def declare(member, appeal_id: int, conflict: str = "no", **fields):
    return member.post(f"/appeals/{appeal_id}/declaration", data={"conflict": conflict, **fields})


def panel(app, appeal_id: int, login_as, size: int):
    """An administrator and ``size`` assessors who took no part, seated and declared free of conflicts."""
    admin = login_as("admin")
    english(admin)
    members = [login_as("assessor") for _ in range(size)]
    for member in members:
        english(member)
        seat(admin, appeal_id, member)
        assert declare(member, appeal_id).status_code == 302
    return admin, members


def vote(member, appeal_id: int, outcome: str, reasoning: str = "My reasoning.", answer: str = ANSWER):
    data = {"outcome": outcome, "reasoning": reasoning, "answer": answer, "confirmation_asked": "1", "confirmed": "y"}
    return member.post(f"/appeals/{appeal_id}/vote", data=data)


def state(app, appealed) -> tuple[str, str, int]:
    """The application's state, the appeal's, and the notices of an answer the candidate has."""
    with app.app_context():
        told = db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "appeal.answered", Notification.user_id == appealed.candidate.user.id)
        )
        return (
            db.session.get(Application, appealed.application_id).state,
            db.session.get(Appeal, appealed.appeal_id).state,
            told,
        )


def audited(app, action: str) -> list[tuple[int, dict]]:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [(entry.actor_id, entry.details) for entry in entries]


def page(client, appeal_id: int) -> str:
    return html.unescape(client.get(f"/appeals/{appeal_id}").get_data(as_text=True))


def test_a_one_member_panel_decides_by_his_vote(app, appealed, login_as):
    _admin, (member,) = panel(app, appealed.appeal_id, login_as, 1)
    assert "Cast your vote" in page(member, appealed.appeal_id)
    assert vote(member, appealed.appeal_id, "dismissed", "The marks stand.").status_code == 302
    assert state(app, appealed) == ("not_confirmed", "dismissed", 1)
    with app.app_context():
        appeal = db.session.get(Appeal, appealed.appeal_id)
        assert appeal.reasoning == f"{member.user.full_name}: The marks stand." and appeal.answer == ANSWER
        assert appeal.dissenting_votes == []


def test_of_three_the_first_vote_decides_nothing_and_the_second_agreeing_one_carries_it_out(app, appealed, login_as):
    admin, (first, second, third) = panel(app, appealed.appeal_id, login_as, 3)
    response = vote(first, appealed.appeal_id, "new_round", "The marking is disputed.", "First answer.")
    assert response.status_code == 302
    assert state(app, appealed) == ("appealed", "under_review", 0)
    # the candidate sees the appeal under review, nothing of the vote
    told = appealed.candidate.get(f"/applications/{appealed.application_id}").get_data(as_text=True)
    assert "Under review by the appeals panel" in told
    assert "First answer." not in told and "The marking is disputed." not in told
    # the panel and the administrators see who voted what; the first voter no longer has the form
    for client in (admin, second):
        seen = page(client, appealed.appeal_id)
        assert f'data-member="{first.user.id}" data-seat="voted"' in seen
        assert "Voted: Upheld: a new assessment by assessors who took no part before" in seen
        assert f'data-member="{third.user.id}" data-seat="declared"' in seen
    mine = page(first, appealed.appeal_id)
    assert "Cast your vote" not in mine and 'id="my-vote"' in mine
    assert "panel-divided" not in page(admin, appealed.appeal_id)

    response = vote(second, appealed.appeal_id, "new_round", "Two assessors disagreed by far.", "Second answer.")
    assert response.status_code == 302
    assert "Your vote makes the majority" in second.get(response.headers["Location"]).get_data(as_text=True)
    assert state(app, appealed) == ("submitted", "upheld", 1)
    with app.app_context():
        appeal = db.session.get(Appeal, appealed.appeal_id)
        application = db.session.get(Application, appealed.application_id)
        assert (appeal.outcome, appeal.new_round_number, application.current_round) == ("new_round", 2, 2)
        assert appeal.closed_by_id == second.user.id and appeal.answer == "Second answer."
        assert appeal.reasoning == (
            f"{first.user.full_name}: The marking is disputed.\n\n"
            f"{second.user.full_name}: Two assessors disagreed by far."
        )
    assert [actor for actor, _details in audited(app, "appeal.vote")] == [first.user.id, second.user.id]
    assert audited(app, "appeal.close")[0][0] == second.user.id
    # the third has nothing left to vote on
    assert vote(third, appealed.appeal_id, "dismissed").status_code == 409
    assert audited(app, "appeal.vote_refused")[-1] == (
        third.user.id,
        {"refused": "not_under_review", "outcome": "dismissed"},
    )
    answer = appealed.candidate.get(f"/applications/{appealed.application_id}").get_data(as_text=True)
    assert "Second answer." in answer and "First answer." not in answer


def test_the_dissent_is_kept_in_the_file_and_shown_where_the_reasoning_is(app, appealed, login_as, tmp_path):
    admin, (first, second, third) = panel(app, appealed.appeal_id, login_as, 3)
    assert vote(first, appealed.appeal_id, "new_round", "The practical sheet is someone else's.").status_code == 302
    assert vote(second, appealed.appeal_id, "dismissed", "The marking followed the standard.").status_code == 302
    assert "panel-divided" not in page(admin, appealed.appeal_id)  # the third may still make a majority
    assert (
        vote(third, appealed.appeal_id, "dismissed", "The sheet is his own.", "The decision stands.").status_code == 302
    )
    assert state(app, appealed) == ("not_confirmed", "dismissed", 1)
    with app.app_context():
        appeal = db.session.get(Appeal, appealed.appeal_id)
        assert [(v.user_id, v.outcome) for v in appeal.dissenting_votes] == [(first.user.id, "new_round")]
        assert "someone else's" not in appeal.reasoning
        votes = db.session.scalars(select(AppealVote).where(AppealVote.appeal_id == appeal.id)).all()
        assert len(votes) == 3
    assert audited(app, "appeal.close")[0][1]["dissent"] == [first.user.id]
    for client in (admin, third):
        seen = page(client, appealed.appeal_id)
        dissent = seen.split('id="dissent"', 1)[1].split("</ul>", 1)[0]
        assert first.user.full_name in dissent and "The practical sheet is someone else's." in dissent
        assert "Upheld: a new assessment" in dissent
    # the candidate reads the answer, not the dissent
    candidate = appealed.candidate.get(f"/applications/{appealed.application_id}").get_data(as_text=True)
    assert "The decision stands." in html.unescape(candidate) and "someone else" not in html.unescape(candidate)
    # the assessment report prints the panel's reasoning and the dissent
    admin.post("/language", data={"language": "en"})
    assert admin.post(f"/admin/applications/{appealed.application_id}/report").status_code == 302
    text = latest_report_text(app, appealed.application_id, tmp_path)
    assert "The sheet is his own." in text
    assert f"Dissent of {first.user.full_name}" in text and "The practical sheet is someone else" in text


def test_three_ways_split_stays_open_and_says_the_panel_is_divided(app, appealed, login_as):
    admin, (first, second, third) = panel(app, appealed.appeal_id, login_as, 3)
    assert vote(first, appealed.appeal_id, "dismissed").status_code == 302
    assert vote(second, appealed.appeal_id, "new_round").status_code == 302
    assert vote(third, appealed.appeal_id, "panel_decision").status_code == 302
    assert state(app, appealed) == ("appealed", "under_review", 0)
    for client in (admin, first):
        seen = page(client, appealed.appeal_id)
        assert "The panel is divided: no outcome can reach a majority of its 3 members." in seen
        assert "The panel has no room for another member." in seen
    with app.app_context():
        divided = db.session.scalars(select(Notification).where(Notification.kind == "appeal.divided")).all()
        assert admin.user.id in {notice.user_id for notice in divided}
        assert not {member.user.id for member in (first, second, third)} & {notice.user_id for notice in divided}
    notices = html.unescape(admin.get("/notifications").get_data(as_text=True))
    assert "is divided: no outcome can reach a majority" in notices
    # a fourth member is not seated: the panel is full; the appeal stays under review
    fourth = login_as("assessor")
    refused = admin.post(f"/admin/appeals/{appealed.appeal_id}/panel", data={"member": fourth.user.id})
    assert refused.status_code == 409 and "at most 3 members" in refused.get_data(as_text=True)
    assert state(app, appealed) == ("appealed", "under_review", 0)


def test_two_who_disagree_are_divided_and_a_third_member_decides(app, appealed, login_as):
    admin, (first, second) = panel(app, appealed.appeal_id, login_as, 2)
    assert vote(first, appealed.appeal_id, "dismissed", "The marks stand.").status_code == 302
    assert state(app, appealed) == ("appealed", "under_review", 0)  # 1 of 2 is no majority
    assert vote(second, appealed.appeal_id, "panel_decision", "The record was wrong.").status_code == 302
    assert state(app, appealed) == ("appealed", "under_review", 0)
    seen = page(admin, appealed.appeal_id)
    assert "The panel is divided: no outcome can reach a majority of its 2 members." in seen
    assert "An administrator may seat one more member, whose vote decides." in seen
    assert "The panel is divided" in page(second, appealed.appeal_id)
    # the third member: seated, then no vote until he declares; his vote makes 2 of 3
    third = login_as("assessor")
    english(third)
    seat(admin, appealed.appeal_id, third)
    assert "panel-divided" not in page(admin, appealed.appeal_id)
    assert vote(third, appealed.appeal_id, "panel_decision").status_code == 403
    assert declare(third, appealed.appeal_id).status_code == 302
    response = vote(third, appealed.appeal_id, "panel_decision", "The record was wrong indeed.", "Confirmed.")
    assert response.status_code == 302
    assert state(app, appealed) == ("confirmed", "upheld", 1)
    with app.app_context():
        appeal = db.session.get(Appeal, appealed.appeal_id)
        assert appeal.outcome == "panel_decision" and appeal.closed_by_id == third.user.id
        assert [vote.user_id for vote in appeal.dissenting_votes] == [first.user.id]
        decision = db.session.get(Application, appealed.application_id).decision
        assert decision.decided_by_id == third.user.id and decision.deviation_reason == appeal.reasoning


def test_every_vote_but_a_sitting_members_first_is_refused_and_audited(app, appealed, login_as, make_user):
    admin, (member, other) = panel(app, appealed.appeal_id, login_as, 2)
    appeal_id = appealed.appeal_id

    def refused(client, status: int, message: str | None, code: str | None) -> None:
        before = len(audited(app, "appeal.vote_refused"))
        response = vote(client, appeal_id, "panel_decision")
        assert response.status_code == status
        if message:
            assert message in html.unescape(response.get_data(as_text=True))
        entries = audited(app, "appeal.vote_refused")
        if code:
            assert entries[before:] == [(client.user.id, {"refused": code, "outcome": "panel_decision"})]
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(AppealVote)) == votes
            assert db.session.get(Appeal, appeal_id).state == "under_review"

    votes = 0
    # an administrator who is not on the panel: he sees the case page, but the vote is not his
    refused(
        admin, 403, "Only a member of this appeal's panel who declared no conflict of interest votes.", "not_on_panel"
    )
    # the member of another appeal's panel
    with app.app_context():
        other_appeal = Appeal(
            application_id=appealed.application_id,
            lodged_by_id=appealed.candidate.user.id,
            grounds="Another appeal.",
            contested=[],
            decide_by=db.session.get(Appeal, appeal_id).decide_by,
        )
        db.session.add(other_appeal)
        db.session.commit()
        other_appeal_id = other_appeal.id
    elsewhere = login_as("assessor")
    english(elsewhere)
    seat(admin, other_appeal_id, elsewhere)
    assert declare(elsewhere, other_appeal_id).status_code == 302
    refused(elsewhere, 403, "You do not have permission", "not_on_panel")  # he does not see this case
    # the candidate: as a candidate the route is not his; as a member of staff, his own case refuses him
    refused(appealed.candidate, 403, None, None)
    with app.app_context():
        db.session.get(User, appealed.candidate.user.id).set_roles({CANDIDATE, ASSESSOR})
        db.session.commit()
    before = len(audited(app, "case.refused"))
    refused(appealed.candidate, 409, "You are the candidate of this application", None)
    assert audited(app, "case.refused")[before:][0][1]["act"] == "hear_appeal"
    # a member seated, not yet declared: refused, and the others may not vote until he declares
    pending = login_as("assessor")
    english(pending)
    seat(admin, appeal_id, pending)
    refused(pending, 403, "Declare your conflicts of interest before you vote.", "undeclared")
    refused(
        member, 409, "Every member of the panel declares his conflicts of interest before any vote.", "panel_undeclared"
    )
    # who declares a conflict leaves the panel: his vote is refused (he no longer sees the case)
    assert declare(pending, appeal_id, "yes", kind="relative").status_code == 302
    refused(pending, 403, "You do not have permission", "not_on_panel")
    # a sitting member votes once; his second vote, even the same, is refused
    assert vote(member, appeal_id, "dismissed").status_code == 302
    votes = 1
    refused(member, 409, "You have already voted on this appeal: a vote is not changed.", "voted")
    with app.app_context():
        (cast,) = db.session.scalars(select(AppealVote)).all()
        assert (cast.user_id, cast.outcome) == (member.user.id, "dismissed")
    assert other.user.id not in {actor for actor, _details in audited(app, "appeal.vote_refused")}


def test_a_certificates_appeal_heard_by_two_reinstates_only_when_both_vote_so(
    app,
    changed,  # noqa: F811 - the fixture imported above
    login_as,
    client,
):
    revoked = changed("suspend")
    appeal_id, first = heard(app, revoked, login_as)
    admin = login_as("admin")
    second = login_as("assessor")
    english(second)
    seat(admin, appeal_id, second)
    assert declare(second, appeal_id).status_code == 302
    assert vote(first, appeal_id, "reinstated", "The complaint concerned another person.").status_code == 302
    with app.app_context():
        assert db.session.get(Certificate, revoked.certificate_id).status == "suspended"
        assert db.session.get(Appeal, appeal_id).is_open
    assert public_status(revoked, client) == "suspended"
    card = revoked.holder.get("/dashboard").get_data(as_text=True)
    assert "Under review by the appeals panel" in card and ANSWER not in card
    assert vote(second, appeal_id, "reinstated", "The suspension rested on a mistake.").status_code == 302
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        assert (appeal.state, appeal.outcome, appeal.closed_by_id) == ("upheld", "reinstated", second.user.id)
        assert db.session.get(Certificate, revoked.certificate_id).status == "valid"
        move = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "certificate.reinstate").order_by(AuditEntry.id.desc())
        ).first()
        assert move.actor_id == second.user.id and move.details["appeal"] == appeal.reference
    assert public_status(revoked, client) == "valid"
    assert ANSWER in revoked.holder.get("/dashboard").get_data(as_text=True)
