"""An appeal against the lower level a not-confirmed decision advises: offered on the lodging form only when the
decision advises one and the centre hears such appeals; counted apart in the statistics, heard like any appeal
against a decision; a forged choice is refused with the reason."""

from __future__ import annotations

from sqlalchemy import func, select

from certcenter.appeals.models import Appeal
from certcenter.applications.models import Application
from certcenter.core.models import AuditEntry
from certcenter.core.settings import save_setting
from certcenter.extensions import db
from tests.appeals.conftest import appeal_form


def advise(app, application_id: int, level: int | None) -> None:
    """The decision as it reads when the evidence met all three descriptors at ``level`` (below the one applied for)."""
    with app.app_context():
        db.session.get(Application, application_id).decision.advice_level = level
        db.session.commit()


def hear_level_appeals(app, on: bool) -> None:
    with app.test_request_context():
        save_setting("appeal_lower_level", on, actor=None)
        db.session.commit()


def lodge(decided, **fields):
    return decided.candidate.post(f"/applications/{decided.application_id}/appeal", data=appeal_form(decided, **fields))


def refusals(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "appeal.lodge_refused")
        )


def test_the_candidate_contests_the_advised_level(app, not_confirmed):
    decided = not_confirmed()
    advise(app, decided.application_id, 2)
    form = decided.candidate.get(f"/applications/{decided.application_id}/appeal").get_data(as_text=True)
    assert 'id="appeal-subject"' in form and "my evidence meets level 2" in form
    assert lodge(decided, subject="lower_level").status_code == 302
    with app.app_context():
        appeal = db.session.scalars(select(Appeal)).one()
        assert appeal.subject == "lower_level" and appeal.decision_id is not None
        assert db.session.get(Application, decided.application_id).state == "appealed"
    page = decided.candidate.get(f"/applications/{decided.application_id}").get_data(as_text=True)
    assert "The lower level the decision found the evidence to meet" in page


def test_without_an_advised_level_there_is_no_level_to_contest(app, not_confirmed):
    decided = not_confirmed()
    form = decided.candidate.get(f"/applications/{decided.application_id}/appeal").get_data(as_text=True)
    assert 'id="appeal-subject"' not in form
    forged = lodge(decided, subject="lower_level")
    assert forged.status_code == 409
    assert "This decision advises no lower level" in forged.get_data(as_text=True)
    assert refusals(app) == 1
    assert lodge(decided).status_code == 302  # against the decision, as always
    with app.app_context():
        assert db.session.scalars(select(Appeal.subject)).all() == ["not_confirmed"]


def test_the_centre_may_hear_no_appeals_against_the_level(app, not_confirmed):
    decided = not_confirmed()
    advise(app, decided.application_id, 2)
    hear_level_appeals(app, False)
    form = decided.candidate.get(f"/applications/{decided.application_id}/appeal").get_data(as_text=True)
    assert 'id="appeal-subject"' not in form
    forged = lodge(decided, subject="lower_level")
    assert forged.status_code == 409
    assert "The centre does not hear appeals against the level" in forged.get_data(as_text=True)
    assert refusals(app) == 1
    # nor anything else it does not know
    assert lodge(decided, subject="certificate_status").status_code == 409
    with app.app_context():
        assert db.session.scalars(select(Appeal)).all() == []
        assert db.session.get(Application, decided.application_id).state == "not_confirmed"
