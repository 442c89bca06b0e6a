"""An administrator releases a panel member who has not voted, with the reason: before any vote for any reason (a
member who never declares would stall the panel), after the first vote only one who can no longer sit (deactivated,
no longer independent) — never one whose seat would change the count a majority needs. The seat is kept as
released, the member is told and can no longer open the case; where the votes already cast are a majority of the
smaller panel, the outcome is carried out. Every refusal through the route, audited."""

from __future__ import annotations

from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.appeals.models import Appeal, AppealPanelMember
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from tests.appeals.test_panel_votes import appealed, audited, declare, page, panel, seat, state, vote  # noqa: F401


def seat_of(app, appeal_id: int, member) -> int:
    with app.app_context():
        return db.session.scalar(
            select(AppealPanelMember.id).where(
                AppealPanelMember.appeal_id == appeal_id, AppealPanelMember.user_id == member.user.id
            )
        )


def release(client, appeal_id: int, seat_id: int, reason: str = "On leave until spring."):
    return client.post(f"/admin/appeals/{appeal_id}/panel/{seat_id}/release", data={"reason": reason})


def test_a_member_who_never_declares_is_released_with_the_reason_and_told(app, appealed, login_as):  # noqa: F811
    admin, (declared,) = panel(app, appealed.appeal_id, login_as, 1)
    silent = login_as("assessor", full_name="Үнсіз Мүше")
    seat(admin, appealed.appeal_id, silent)
    # the silent member has not declared: nobody may vote
    assert vote(declared, appealed.appeal_id, "dismissed").status_code == 409
    seat_id = seat_of(app, appealed.appeal_id, silent)
    no_reason = release(admin, appealed.appeal_id, seat_id, reason="  ")
    assert no_reason.status_code == 409 and "Write why the member is released." in no_reason.get_data(as_text=True)
    assert release(admin, appealed.appeal_id, seat_id).status_code == 302
    seen = page(admin, appealed.appeal_id)
    assert f'data-member="{silent.user.id}" data-seat="released"' in seen
    assert "On leave until spring." in seen
    assert silent.get(f"/appeals/{appealed.appeal_id}").status_code == 404  # no longer his case
    with app.app_context():
        told = db.session.scalars(
            select(Notification.kind).where(Notification.user_id == silent.user.id, Notification.kind.like("appeal.%"))
        ).all()
    assert "appeal.released" in told
    assert audited(app, "appeal.member_released")[-1][1]["reason"] == "On leave until spring."
    # the panel of one now decides
    assert vote(declared, appealed.appeal_id, "dismissed", "The marks stand.").status_code == 302
    assert state(app, appealed)[:2] == ("not_confirmed", "dismissed")
    # a released member is not seated again
    again = admin.post(f"/admin/appeals/{appealed.appeal_id}/panel", data={"member": silent.user.id})
    assert again.status_code == 409


def test_once_voting_has_begun_only_a_member_who_can_no_longer_sit_is_released(app, appealed, login_as):  # noqa: F811
    admin, (first, second, third) = panel(app, appealed.appeal_id, login_as, 3)
    assert vote(first, appealed.appeal_id, "dismissed", "The marks stand.").status_code == 302
    # an administrator cannot shrink the panel to make one vote a majority
    refused = release(admin, appealed.appeal_id, seat_of(app, appealed.appeal_id, second), "Slow to answer.")
    assert refused.status_code == 409
    assert "The panel has begun to vote" in refused.get_data(as_text=True)
    voted = release(admin, appealed.appeal_id, seat_of(app, appealed.appeal_id, first), "Wrong person.")
    assert voted.status_code == 409 and "has voted" in voted.get_data(as_text=True)
    assert [details["member_id"] for _actor, details in audited(app, "appeal.member_release_refused")] == [
        second.user.id,
        first.user.id,
    ]
    assert state(app, appealed)[:2] == ("appealed", "under_review")
    # a member, an assessor: neither releases anyone
    for client in (first, third):
        assert release(client, appealed.appeal_id, seat_of(app, appealed.appeal_id, second)).status_code == 403

    # the third member leaves the centre (deactivated): now he may be released; two votes remain to be counted of
    # two seats, and the second's vote decides
    with app.app_context():
        db.session.get(User, third.user.id).active = False
        db.session.commit()
    assert (
        release(admin, appealed.appeal_id, seat_of(app, appealed.appeal_id, third), "Left the centre.").status_code
        == 302
    )
    assert state(app, appealed)[:2] == ("appealed", "under_review")
    assert vote(second, appealed.appeal_id, "dismissed", "I agree.").status_code == 302
    assert state(app, appealed)[:2] == ("not_confirmed", "dismissed")


def test_releasing_one_who_can_no_longer_sit_carries_out_a_majority_already_cast(app, appealed, login_as):  # noqa: F811
    admin, (first, second) = panel(app, appealed.appeal_id, login_as, 2)
    assert vote(first, appealed.appeal_id, "new_round", "Disputed.", "First answer.").status_code == 302
    assert state(app, appealed) == ("appealed", "under_review", 0)  # 1 of 2 is no majority
    with app.app_context():
        db.session.get(User, second.user.id).active = False  # he leaves the centre before voting
        db.session.commit()
    released = release(admin, appealed.appeal_id, seat_of(app, appealed.appeal_id, second), "Left the centre.")
    assert released.status_code == 302
    # 1 of 1: the vote already cast is the panel's majority, carried out now; the candidate has his answer
    assert state(app, appealed) == ("submitted", "upheld", 1)  # back to the assignment of a new round
    with app.app_context():
        appeal = db.session.get(Appeal, appealed.appeal_id)
        assert appeal.answer == "First answer." and appeal.reasoning == f"{first.user.full_name}: Disputed."
        assert appeal.closed_by_id == admin.user.id


def test_a_stranger_to_the_appeal_cannot_release_through_another_appeals_address(app, appealed, login_as):  # noqa: F811
    admin, (member,) = panel(app, appealed.appeal_id, login_as, 1)
    seat_id = seat_of(app, appealed.appeal_id, member)
    assert release(admin, appealed.appeal_id + 1000, seat_id).status_code == 404  # the seat is not that appeal's
    assert release(appealed.candidate, appealed.appeal_id, seat_id).status_code == 403
