"""The transition table: every allowed move succeeds for its roles, every other move is refused."""

import itertools

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications import workflow
from certcenter.applications.models import Application, ApplicationEvent
from certcenter.assessments.models import Assignment
from certcenter.core.models import AuditEntry
from certcenter.extensions import db

ALL_MOVES = list(itertools.permutations(workflow.STATES, 2))
ROLES = ("candidate", "administrator", "lead_assessor", "system")  # roles in the case (applications.policy)


@pytest.fixture
def actors(app, submitted, login_as):
    """An application of a candidate, an administrator, and a lead assessor assigned to it."""
    scene = submitted()
    lead = login_as("assessor")
    with app.app_context():
        db.session.add(
            Assignment(application_id=scene.application_id, assessor_id=lead.user.id, is_lead=True, status="active")
        )
        db.session.commit()
    return {
        "application": scene.application_id,
        "candidate": scene.candidate.user.id,
        "administrator": scene.admin.user.id,
        "lead_assessor": lead.user.id,
    }


def attempt(app, actors, from_state, to_state, role):
    with app.test_request_context(), force_locale("en"):
        application = db.session.get(Application, actors["application"])
        application.state = from_state  # test set-up: place the application in the state under test
        db.session.commit()
        actor = None if role == "system" else db.session.get(User, actors[role])
        try:
            workflow.transition(application, to_state, actor, reason="Because.")
        except workflow.TransitionError as error:
            db.session.rollback()
            return str(error)
        db.session.commit()
        event = db.session.scalars(select(ApplicationEvent).order_by(ApplicationEvent.id.desc())).first()
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (event.from_state, event.to_state, event.reason) == (from_state, to_state, "Because.")
        assert entry.action == "application.transition" and entry.details["to_state"] == to_state
        assert db.session.get(Application, actors["application"]).state == to_state
        return None


@pytest.mark.parametrize(("from_state", "to_state"), list(workflow.TRANSITIONS))
def test_every_allowed_move_succeeds_for_its_roles_only(app, actors, from_state, to_state):
    allowed = workflow.TRANSITIONS[(from_state, to_state)]
    for role in ROLES:
        refusal = attempt(app, actors, from_state, to_state, role)
        if role in allowed:
            assert refusal is None, (role, refusal)
        else:
            assert refusal == "You are not allowed to make this change to the application.", role


@pytest.mark.parametrize(("from_state", "to_state"), [move for move in ALL_MOVES if move not in workflow.TRANSITIONS])
def test_every_other_move_is_refused_for_everyone(app, actors, from_state, to_state):
    for role in ROLES:
        refusal = attempt(app, actors, from_state, to_state, role)
        assert refusal is not None and "cannot become" in refusal


def test_a_reason_is_required_where_the_table_says_so(app, actors):
    with app.test_request_context(), force_locale("en"):
        application = db.session.get(Application, actors["application"])
        application.state = workflow.EXCEPTION_REQUESTED
        db.session.commit()
        admin = db.session.get(User, actors["administrator"])
        with pytest.raises(workflow.TransitionError, match="written reason"):
            workflow.transition(application, workflow.NOT_ELIGIBLE, admin, reason="  ")


def test_every_state_has_a_label_and_a_next_step():
    assert set(workflow.STATE_LABELS) == set(workflow.STATES) == set(workflow.NEXT_STEPS)
    assert all(frm in workflow.STATES and to in workflow.STATES for frm, to in workflow.TRANSITIONS)
