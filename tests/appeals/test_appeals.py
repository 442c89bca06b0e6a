"""Lodging an appeal, as the candidate meets it: the period to appeal is counted in the centre's calendar (Almaty,
five hours ahead of UTC) and shown on his application's page while it runs; the appeal, lodged with its grounds, the
criteria contested and a new document, turns the application "appealed" and tells the administrators."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from certcenter.appeals import services
from certcenter.appeals.models import Appeal
from certcenter.applications.models import Application
from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from tests import samples
from tests.appeals.conftest import APPEAL_GROUNDS, appeal_form

# Decided at 20:00 UTC on 1 October: already 2 October in Almaty. With 30 days, the last day to appeal is
# 1 November (Almaty); the period ends at midnight Almaty, 19:00 UTC on 1 November. A clock read in UTC would
# count from 1 October and end a day early.
DECIDED_AT = datetime(2026, 10, 1, 20, 0, tzinfo=UTC)
A_DAY_BEFORE = datetime(2026, 10, 31, 7, 0, tzinfo=UTC)  # 31 October, 12:00 in Almaty
ON_THE_DAY = datetime(2026, 11, 1, 18, 30, tzinfo=UTC)  # 1 November, 23:30 in Almaty
A_DAY_AFTER = datetime(2026, 11, 1, 19, 30, tzinfo=UTC)  # 2 November, 00:30 in Almaty (still 1 November in UTC)


def at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(services, "now", lambda: moment)


def lodge(decided, **fields):
    return decided.candidate.post(f"/applications/{decided.application_id}/appeal", data=appeal_form(decided, **fields))


def state(app, application_id: int) -> str:
    with app.app_context():
        return db.session.get(Application, application_id).state


@pytest.mark.parametrize(
    ("moment", "in_time"), [(A_DAY_BEFORE, True), (ON_THE_DAY, True), (A_DAY_AFTER, False)], ids=str
)
def test_the_period_to_appeal_ends_with_its_last_day_in_the_centres_time_zone(
    app, not_confirmed, monkeypatch, moment, in_time
):
    decided = not_confirmed(decided_at=DECIDED_AT)
    at(monkeypatch, moment)
    page = decided.candidate.get(f"/applications/{decided.application_id}").get_data(as_text=True)
    form = decided.candidate.get(f"/applications/{decided.application_id}/appeal").get_data(as_text=True)
    response = lodge(decided)
    if in_time:
        assert "You may appeal against this decision until November 1, 2026" in page
        assert "Lodge an appeal" in page and "The period to appeal" not in form
        assert response.status_code == 302
        assert state(app, decided.application_id) == "appealed"
    else:
        assert "The period to appeal ended on November 1, 2026." in page
        assert "Lodge an appeal</a>" not in page
        assert response.status_code == 409
        assert "The period to appeal against this decision has ended." in response.get_data(as_text=True)
        assert state(app, decided.application_id) == "not_confirmed"
        with app.app_context():
            assert db.session.scalars(select(Appeal)).all() == []


def test_the_candidate_lodges_an_appeal_with_grounds_criteria_and_a_new_document(app, not_confirmed, login_as):
    decided = not_confirmed()
    other_admin = login_as("admin")
    response = lodge(decided, attachment=(io.BytesIO(samples.PDF), "new certificate of training.pdf"))
    assert response.status_code == 302
    with app.app_context():
        appeal = db.session.scalar(select(Appeal))
        application = db.session.get(Application, decided.application_id)
        assert application.state == "appealed"
        assert appeal.contested == [decided.scene.criteria[0]] and appeal.grounds == APPEAL_GROUNDS
        assert appeal.decision_id == application.decision.id and appeal.round_number == 1
        assert appeal.attachment_type == "application/pdf" and appeal.state == "lodged"
        told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "appeal.lodged")).all()
        assert other_admin.user.id in told
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "appeal.lodge")) is not None
        appeal_id = appeal.id
    page = decided.candidate.get(f"/applications/{decided.application_id}").get_data(as_text=True)
    assert "Lodged: the centre forms an appeals panel" in page and APPEAL_GROUNDS in page
    document = decided.candidate.get(f"/appeals/{appeal_id}/attachment")
    assert document.status_code == 200 and document.data == samples.PDF
    # once is enough: the same decision is not appealed against twice
    assert lodge(decided).status_code == 409


def test_an_appeal_needs_the_confirmation_the_grounds_and_a_criterion_of_the_decision(app, not_confirmed):
    decided = not_confirmed()
    unconfirmed = appeal_form(decided)
    del unconfirmed["confirmed"]
    path = f"/applications/{decided.application_id}/appeal"
    assert decided.candidate.post(path, data=unconfirmed).status_code == 400
    assert lodge(decided, grounds="").status_code == 400
    nothing_contested = lodge(decided, contested=[])
    assert nothing_contested.status_code == 409
    assert "Choose the criteria of the decision you contest." in nothing_contested.get_data(as_text=True)
    assert lodge(decided, contested=["descriptor:nonsense"]).status_code == 409
    assert state(app, decided.application_id) == "not_confirmed"


def test_nobody_else_appeals_and_a_confirmed_application_has_nothing_to_appeal(app, not_confirmed, make_candidate):
    decided = not_confirmed()
    stranger = make_candidate()
    assert stranger.post(f"/applications/{decided.application_id}/appeal", data=appeal_form(decided)).status_code == 404
    assert decided.scene.admin.post(
        f"/applications/{decided.application_id}/appeal", data=appeal_form(decided)
    ).status_code in (302, 403)
    assert state(app, decided.application_id) == "not_confirmed"
