"""The demo-scale data set: every workflow state occurs, every history is a path the workflow allows, and the
assessments, decisions and certificates agree with the histories; the command adds batches and prints true counts."""

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from certcenter.accounts.models import User
from certcenter.applications import workflow as wf
from certcenter.applications.models import Application, ApplicationEvent
from certcenter.assessments.models import Assignment, Decision, FinalRating, Moderator
from certcenter.candidates.iin import parse_iin
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates.models import FAILED, SUPERSEDED, Certificate, CertificateSeries
from certcenter.certificates.services import expire_due
from certcenter.certificates.tasks import sweep_render_queue
from certcenter.demo import DEMO_PASSWORD, TABLES, generate
from certcenter.extensions import db
from certcenter.framework.models import FrameworkLevel
from certcenter.qualifications.models import Qualification
from tests.conftest import empty_database, load_bundled_framework, login

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
DECIDED = {wf.CONFIRMED, wf.NOT_CONFIRMED}


@pytest.fixture(scope="class")
def generated(app):
    """1,500 applications over three years up to a fixed moment: enough for recent ones in every open state. Made
    once for the class of tests that only read them (it takes tens of seconds), emptied after the last of them."""
    load_bundled_framework(app)
    with app.app_context():
        summary = generate(1500, seed=7, years=3, now=NOW)
        db.session.commit()
    yield summary
    empty_database(app)


def histories() -> dict[int, list[ApplicationEvent]]:
    events = defaultdict(list)
    for event in db.session.scalars(select(ApplicationEvent).order_by(ApplicationEvent.id)):
        events[event.application_id].append(event)
    return events


@pytest.mark.shared_data
class TestTheGeneratedDataSet:
    """Read-only checks of one data set: none of them adds, changes or removes rows the others count."""

    def test_every_state_and_level_occurs(self, app, generated):
        with app.app_context():
            states = Counter(db.session.scalars(select(Application.state)))
            levels = db.session.scalars(
                select(FrameworkLevel.number).join(Qualification).join(Application).distinct()
            ).all()
            assert set(states) == set(wf.STATES), set(wf.STATES) - set(states)
            assert states == Counter(generated.states)
            assert sorted(levels) == list(range(1, 9))

    def test_every_history_is_an_allowed_path_ending_in_the_state(self, app, generated):
        with app.app_context():
            admins = set(db.session.scalars(text("SELECT user_id FROM user_roles WHERE role = 'administrator'")))
            moderators = defaultdict(set)
            for moderator in db.session.scalars(select(Moderator).where(Moderator.status == "active")):
                moderators[moderator.application_id].add(moderator.user_id)
            events = histories()
            applications = db.session.scalars(select(Application).join(Application.candidate)).all()
            for application in applications:
                path = events[application.id]
                state, at = wf.DRAFT, application.created_at
                for event in path:
                    assert (event.from_state, event.to_state) in wf.TRANSITIONS, (application.id, event)
                    assert event.from_state == state
                    assert event.at >= at and event.at <= NOW
                    if (event.from_state, event.to_state) in wf.REASON_REQUIRED:
                        assert event.reason
                    roles = set()
                    if event.actor_id is None:
                        roles.add(wf.SYSTEM)
                    if event.actor_id == application.candidate.user_id:
                        roles.add(wf.CANDIDATE)
                    if event.actor_id in admins:
                        roles.add(wf.ADMINISTRATOR)
                    if event.actor_id in moderators[application.id]:
                        roles.add(wf.MODERATOR)
                    assert roles & wf.TRANSITIONS[(event.from_state, event.to_state)], (application.id, event)
                    state, at = event.to_state, event.at
                assert state == application.state
                assert application.state_changed_at == at
                assert (application.submitted_at is None) == (not path or path[0].to_state == wf.WITHDRAWN)
                if path and path[0].to_state == wf.EXCEPTION_REQUESTED:
                    assert application.eligibility_status == "not_met" and application.exception_request
                elif application.submitted_at:
                    assert application.eligibility_status in ("met", "needs_review")
                    assert application.profile_snapshot["iin"] == application.candidate.iin
                    # what a submission locks: the person's identity and the qualification's criteria
                    assert application.candidate.identity_locked_at is not None
                    assert application.qualification.criteria_frozen_at is not None

    def test_assessments_and_decisions_follow_the_histories(self, app, generated):
        with app.app_context():
            moderators = defaultdict(set)
            for moderator in db.session.scalars(select(Moderator).where(Moderator.status == "active")):
                moderators[moderator.application_id].add(moderator.user_id)
            events = histories()
            decisions = {decision.application_id: decision for decision in db.session.scalars(select(Decision))}
            finals = Counter(db.session.scalars(select(FinalRating.application_id)))
            assignments = defaultdict(list)
            for assignment in db.session.scalars(select(Assignment)):
                assignments[assignment.application_id].append(assignment)
            for application in db.session.scalars(select(Application)):
                moves = {(event.from_state, event.to_state): event for event in events[application.id]}
                criteria = 3 + len(application.qualification.units)
                if (wf.SUBMITTED, wf.IN_ASSESSMENT) in moves:
                    counting = [a for a in assignments[application.id] if a.status != "conflict"]
                    assert len(counting) == 2 and sum(a.is_lead for a in counting) == 1
                closed = any(
                    frm == wf.IN_ASSESSMENT and to in (wf.MODERATION, wf.AWAITING_DECISION) for frm, to in moves
                )
                assert finals[application.id] == (criteria if closed else 0)
                decided = [event for (frm, to), event in moves.items() if frm == wf.AWAITING_DECISION]
                decision = decisions.get(application.id)
                assert (decision is not None) == bool(decided)
                if decision:
                    assert decision.outcome == decided[0].to_state and decision.decided_at == decided[0].at
                    assert decision.decided_by_id == decided[0].actor_id
                    assert decision.snapshot["qualification"]["code"] == application.qualification.code
                    assert len(decision.snapshot["criteria"]) == criteria
                    assert (decision.outcome == "confirmed") == (decision.recommended_outcome == "confirmed") or (
                        decision.deviation_reason
                    )
            agreed = db.session.scalar(select(func.avg(func.cast(FinalRating.agreed, db.Integer))))
            assert 0.8 < agreed < 0.92

    def test_certificates_one_current_per_certified_application_numbered_from_the_series(self, app, generated):
        with app.app_context():
            certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
            certified = set(db.session.scalars(select(Application.id).where(Application.state == wf.CERTIFIED)))
            current = Counter(c.application_id for c in certificates if c.status != SUPERSEDED)
            assert set(current) == certified and set(current.values()) == {1}
            statuses = Counter(c.status for c in certificates)
            assert set(statuses) == {"valid", "expired", "suspended", "revoked", "superseded"}, statuses
            for certificate in certificates:
                assert certificate.current_status(NOW.date()) == certificate.status
                assert certificate.render_status == FAILED and certificate.storage_key is None
                if certificate.replaces_id:
                    replaced = db.session.get(Certificate, certificate.replaces_id)
                    assert replaced.status == SUPERSEDED and replaced.application_id == certificate.application_id
                    assert certificate.expires_on == replaced.expires_on
            series = {row.year: row.last_number for row in db.session.scalars(select(CertificateSeries))}
            numbers = defaultdict(list)
            for certificate in certificates:
                prefix, year, number = certificate.number.split("-")
                assert prefix == app.config["CERTIFICATE_NUMBER_PREFIX"] and int(year) == certificate.issued_on.year
                numbers[int(year)].append(int(number))
            assert {year: sorted(found) for year, found in numbers.items()} == {
                year: list(range(1, last + 1)) for year, last in series.items()
            }
            assert len({c.verification_code for c in certificates}) == len(certificates)
            # Nothing for the workers: no rendering to re-send, nothing valid past its date.
            assert expire_due(NOW.date()) == 0
        # this app's own task: the shared task runs in whichever app was created last (another test's, maybe)
        assert app.extensions["celery"].tasks[sweep_render_queue.name]() == 0

    def test_candidates_have_valid_iins_and_can_sign_in(self, app, client, generated):
        with app.app_context():
            profiles = db.session.scalars(select(CandidateProfile)).all()
            for profile in profiles:
                assert parse_iin(profile.iin).birth_date == profile.birth_date
            email = db.session.scalar(select(User.email).where(User.id == profiles[0].user_id))
        assert login(client, email, DEMO_PASSWORD).status_code == 302

    def test_summary_counts_the_rows_written(self, app, generated):
        with app.app_context():
            for table in TABLES:
                count = db.session.scalar(select(func.count()).select_from(db.metadata.tables[table]))
                assert count == generated.rows[table], table
            assert generated.applications == 1500


def test_command_loads_what_is_missing_and_adds_batches(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--applications", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "batch 1 (seed 3): 120 applications" in result.output
    assert "AUX-WORKER-1" in result.output and "RESEARCH-DIR-8" in result.output
    printed = dict(re.findall(r"^  (\w+) +(\d+)$", result.output.split("applications by state:")[0], re.M))
    with app.app_context():
        for table in TABLES:
            count = db.session.scalar(select(func.count()).select_from(db.metadata.tables[table]))
            assert int(printed[table]) == count, table

    again = runner.invoke(args=["demo", "--applications", "80"])
    assert again.exit_code == 0, again.output
    assert "batch 2 (seed 1): 80 applications" in again.output
    assert "qualifications added" not in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 200
        # the assessor pool and the administrators are shared by the batches
        assert db.session.scalar(text("SELECT count(*) FROM user_roles WHERE role = 'assessor'")) == 60
