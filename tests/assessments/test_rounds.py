"""Assessment rounds: an upheld appeal sends the application to a new round with people who took no part before;
round 1 stays as it was (its decision and its snapshot never touched), the second round ends in its own decision
and, confirmed, a certificate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.applications.policy import SeparationOfDutiesError
from certcenter.assessments.models import AssessmentResult, AssessmentRound, Assignment, Decision, FinalRating
from certcenter.assessments.services import AssessmentError, open_round, round_participants, rounds_of
from certcenter.certificates.models import Certificate
from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from tests.assessments.conftest import application_state, declare_no_conflict, judgement


def assign_two(app, scene, login_as, names=("Бағалаушы 1", "Бағалаушы 2")):
    """Two new assessors assigned through the admin's route, both declaring no conflict; the scene follows them."""
    scene.assessors = []
    for name in names:
        assessor = login_as("assessor", full_name=name)
        response = scene.admin.post(
            f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": assessor.user.id}
        )
        assert response.status_code == 302
        scene.assessors.append(assessor)
    with app.app_context():
        current = db.session.get(Application, scene.application_id).current_round
        scene.assignment_ids = db.session.scalars(
            select(Assignment.id)
            .where(Assignment.application_id == scene.application_id, Assignment.round == current)
            .order_by(Assignment.id)
        ).all()
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assert declare_no_conflict(assessor, assignment_id).status_code == 302


def judge_all(app, scene, ratings):
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        response = assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene, ratings))
        assert response.status_code == 302
    assert application_state(app, scene.application_id) == "awaiting_decision"


def decide(decider, scene, outcome):
    return decider.post(f"/admin/applications/{scene.application_id}/decision", data={"outcome": outcome})


def round_one(app, application_id):
    """What round 1 holds, as plain values, to compare before and after a second round."""
    with app.app_context():
        decision = db.session.scalar(select(Decision).where(Decision.application_id == application_id))
        finals = db.session.scalars(
            select(FinalRating).where(FinalRating.application_id == application_id).order_by(FinalRating.id)
        ).all()
        results = db.session.scalars(
            select(AssessmentResult).where(
                AssessmentResult.application_id == application_id, AssessmentResult.round == 1
            )
        ).all()
        assignments = db.session.scalars(
            select(Assignment).where(Assignment.application_id == application_id, Assignment.round == 1)
        ).all()
        return {
            "decision": (decision.id, decision.round, decision.outcome, decision.decided_at, decision.snapshot),
            "finals": [(f.round, f.criterion_key, f.rating, f.agreed, f.positions) for f in finals if f.round == 1],
            "results": sorted((r.kind, r.percent, r.source, r.positions) for r in results),
            "assignments": sorted(
                (a.assessor_id, a.status, a.submitted_at, sorted((r.criterion_key, r.rating) for r in a.ratings))
                for a in assignments
            ),
        }


def appeal_upheld(app, scene, reason="The evidence of unit 3 was not read."):
    """The candidate appeals (the appeals domain's route will do this) and an administrator sends the application to
    a new round."""
    with app.app_context():
        application = db.session.get(Application, scene.application_id)
        candidate = db.session.get(User, scene.candidate.user.id)
        workflow.transition(application, workflow.APPEALED, candidate, reason="I disagree.")
        opened = open_round(
            application, db.session.get(User, scene.admin.user.id), kind="appeal", reason=reason, reference=7
        )
        db.session.commit()
        return opened.number


@pytest.fixture
def not_confirmed(app, in_assessment, login_as):
    """An application assessed and not confirmed in round 1 (every criterion partially met)."""

    def _make():
        scene = in_assessment()
        judge_all(app, scene, "partially_met")
        decider = login_as("admin", full_name="Шешуші Бірінші")
        assert decide(decider, scene, "not_confirmed").status_code == 302
        assert application_state(app, scene.application_id) == "not_confirmed"
        return scene, decider

    return _make


def test_a_second_round_ends_in_its_own_decision_and_a_certificate_round_one_untouched(app, not_confirmed, login_as):
    scene, first_decider = not_confirmed()
    first_assessors = list(scene.assessors)
    before = round_one(app, scene.application_id)

    assert appeal_upheld(app, scene) == 2
    assert application_state(app, scene.application_id) == "submitted"
    with app.app_context():
        application = db.session.get(Application, scene.application_id)
        assert application.current_round == 2 and application.decision is None
        assert application.latest_decision.round == 1
        assert [view.number for view in rounds_of(application)] == [1, 2]
        assert round_participants(application, 1) == {a.user.id for a in first_assessors} | {first_decider.user.id}
        assert round_participants(application, 2) == set()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assessment.round_opened"))
        assert entry.details["round"] == 2 and entry.details["reference"] == 7

    # an assessor of round 1 is refused, and told why
    english(scene.admin)
    refused = scene.admin.post(
        f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": first_assessors[0].user.id}
    )
    assert refused.status_code == 409
    assert "took part in an earlier assessment round" in refused.get_data(as_text=True)
    # so is the decider of round 1, were he also an assessor
    with app.app_context():
        db.session.get(User, first_decider.user.id).set_roles({"administrator", "assessor"})
        db.session.commit()
    refused = scene.admin.post(
        f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": first_decider.user.id}
    )
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(Assignment).where(Assignment.round == 2)) is None
        refusals = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "assessment.assign_refused")).all()
        assert {entry.details["assessor_id"] for entry in refusals} == {
            first_assessors[0].user.id,
            first_decider.user.id,
        }

    assign_two(app, scene, login_as, names=("Жаңа Бағалаушы", "Екінші Бағалаушы"))
    judge_all(app, scene, "met")
    # the decider of round 1 does not decide round 2
    assert decide(first_decider, scene, "confirmed").status_code == 409
    assert application_state(app, scene.application_id) == "awaiting_decision"
    second_decider = login_as("admin", full_name="Шешуші Екінші")
    assert decide(second_decider, scene, "confirmed").status_code == 302
    assert application_state(app, scene.application_id) == "confirmed"

    assert round_one(app, scene.application_id) == before
    with app.app_context():
        decisions = db.session.scalars(
            select(Decision).where(Decision.application_id == scene.application_id).order_by(Decision.round)
        ).all()
        assert [(d.round, d.outcome) for d in decisions] == [(1, "not_confirmed"), (2, "confirmed")]
        application = db.session.get(Application, scene.application_id)
        assert application.decision.id == decisions[1].id
        # the second round's snapshot names its own assessors only
        names = {a["assessor"] for c in decisions[1].snapshot["criteria"] for a in c["assessors"]}
        assert names == {"Жаңа Бағалаушы", "Екінші Бағалаушы"}

    issuer = login_as("admin")
    response = issuer.post("/admin/certificates/issue", data={"application": [str(scene.application_id)]})
    assert response.status_code == 302
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == scene.application_id))
        assert certificate is not None and certificate.decision_id == decisions[1].id
    assert application_state(app, scene.application_id) == "certified"


def test_a_round_is_opened_only_for_an_appealed_application_with_a_reason(app, not_confirmed):
    scene, _decider = not_confirmed()
    with app.app_context():
        application = db.session.get(Application, scene.application_id)
        admin = db.session.get(User, scene.admin.user.id)
        with pytest.raises(workflow.TransitionError):
            open_round(application, admin, kind="appeal", reason="Upheld.")  # not appealed
        workflow.transition(application, workflow.APPEALED, db.session.get(User, scene.candidate.user.id), "No.")
        with pytest.raises(AssessmentError):
            open_round(application, admin, kind="appeal", reason="  ")
        with pytest.raises(AssessmentError):
            open_round(application, admin, kind="initial", reason="Again.")
        with pytest.raises(SeparationOfDutiesError):
            open_round(application, db.session.get(User, scene.candidate.user.id), kind="appeal", reason="Mine.")
        with pytest.raises(workflow.TransitionError):  # only an administrator
            open_round(application, db.session.get(User, scene.assessors[0].user.id), kind="appeal", reason="Yes.")
        db.session.rollback()
        assert db.session.scalar(select(AssessmentRound)) is None
        assert db.session.get(Application, scene.application_id).current_round == 1


def english(*clients):
    for client in clients:
        client.post("/language", data={"language": "en"})


@pytest.fixture
def second_round_confirmed(app, not_confirmed, login_as):
    """Round 1 not confirmed, the appeal upheld, round 2 assessed by new assessors and confirmed."""
    scene, first_decider = not_confirmed()
    scene.first_assessors, scene.first_assignment_ids = list(scene.assessors), list(scene.assignment_ids)
    scene.first_decider = first_decider
    appeal_upheld(app, scene)
    assign_two(app, scene, login_as, names=("Жаңа Бағалаушы", "Екінші Бағалаушы"))
    judge_all(app, scene, "met")
    assert decide(login_as("admin", full_name="Шешуші Екінші"), scene, "confirmed").status_code == 302
    return scene


def test_the_pages_show_the_rounds_in_order_earlier_ones_read_only(app, second_round_confirmed):
    scene = second_round_confirmed
    english(scene.admin, scene.candidate, *scene.assessors, *scene.first_assessors)
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    rounds = page[page.index('id="rounds"') :]
    assert rounds.index('id="round-1"') < rounds.index('id="round-2"')
    first = rounds[rounds.index('id="round-1"') : rounds.index('id="round-2"')]
    assert "First assessment" in first and "read-only" in first
    assert "Бағалаушы 1" in first and "Бағалаушы 2" in first and "Шешуші Бірінші" in first
    assert "Qualification not confirmed" in first
    second = rounds[rounds.index('id="round-2"') :]
    assert "Upheld appeal" in second and "The evidence of unit 3 was not read." in second
    # the candidate sees the rounds and their decisions, not who assessed them
    mine = scene.candidate.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    first = mine[mine.index('id="round-1"') : mine.index('id="round-2"')]
    assert "Qualification not confirmed" in first and "Бағалаушы 1" not in first and "Шешуші" not in first
    # the assessors of round 2 see which round they assess; those of round 1 no longer open their old assignment
    judge = scene.assessors[0].get(f"/assess/{scene.assignment_ids[0]}").get_data(as_text=True)
    assert 'id="rounds"' in judge and "You assess round 2 of this application (Upheld appeal)." in judge
    assert scene.first_assessors[0].get(f"/assess/{scene.first_assignment_ids[0]}").status_code == 404
    workspace = scene.first_assessors[0].get("/assess").get_data(as_text=True)
    assert f'data-assignment="{scene.first_assignment_ids[0]}"' not in workspace


def test_the_assessment_report_covers_every_round(app, second_round_confirmed, tmp_path):
    from tests.reports.test_assessment_report import report_text, reports

    scene = second_round_confirmed
    latest = [r for r in reports(app) if r.application_id == scene.application_id and r.status == "ready"][-1]
    text = report_text(app, latest, tmp_path)
    for expected in (
        "The evidence of unit 3 was not read.",  # why round 2 was opened
        "Бағалаушы 1",  # round 1's assessors and decider, kept
        "Шешуші Бірінші",
        "Жаңа Бағалаушы",  # round 2's, set out in full
        "Шешуші Екінші",
    ):
        assert expected in text, expected


def test_statistics_count_the_application_once_by_the_decision_that_stands(app, second_round_confirmed):
    from datetime import timedelta

    from certcenter.core.i18n import centre_today
    from certcenter.reports import statistics

    with app.test_request_context():
        today = centre_today()
        period = statistics.Period(today - timedelta(days=1), today + timedelta(days=1))
        (level,) = statistics.confirmation_by_level(period)
        assert (level["decided"], level["confirmed"]) == (1, 1)
        (qualification,) = statistics.confirmation_by_qualification(period)
        assert (qualification["decided"], qualification["confirmed"]) == (1, 1)
        assert statistics.decision_lead_time(period)["count"] == 1
        # each round's own final ratings, once: WELD-3 has three descriptors and two units, in two rounds
        assert {row["criterion"]: row["ratings"] for row in statistics.agreement_by_criterion(period)} == {
            "descriptor:competence": 2,
            "descriptor:knowledge": 2,
            "descriptor:skills": 2,
            "units": 4,
        }
        workload = statistics.assessor_workload(period)
        assert len(workload) == 4
        assert all((row["assigned"], row["completed"], row["ratings"]) == (1, 1, 5) for row in workload)
        assert statistics.appeals(period) == {"lodged": 1, "upheld": 1, "dismissed": 0, "pending": 0}


def carry_through_the_rounds_migration(app):
    """Rows written before the rounds migration are round 1 after it; going back is refused while a later round
    exists (its rows would have nowhere to go), and works once there is none."""
    from datetime import UTC, date, datetime

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from certcenter.accounts.services import create_user
    from certcenter.candidates.models import CandidateProfile
    from certcenter.framework.services import bundled_edition_files, load_edition, read_edition_file
    from certcenter.qualifications.services import DATA_DIR, load_catalogue
    from tests.samples import make_iin

    with app.app_context():
        upgrade()
        for path in bundled_edition_files():
            load_edition(read_edition_file(path))
        welding = load_catalogue(DATA_DIR / "demo-qualifications.yaml")[0]
        user = create_user("r@example.kz", "Тест", "correct-horse-battery", {"candidate"})
        profile = CandidateProfile(
            user=user, full_name="Тест", full_name_latin="Test", iin=make_iin(date(1990, 1, 1), 3),
            birth_date=date(1990, 1, 1), phone="+7 701 000 00 00",
        )  # fmt: skip
        application = Application(
            candidate=profile,
            qualification=welding,
            edition_id=welding.level.edition_id,
            state="in_assessment",
            submitted_at=datetime(2026, 3, 2, tzinfo=UTC),
        )
        assessor = create_user("a@example.kz", "A", "correct-horse-battery", {"assessor"})
        db.session.add_all([application, Assignment(application=application, assessor=assessor, status="active")])
        db.session.commit()
        application_id, assessor_id = application.id, assessor.id
        db.session.remove()
        downgrade(revision="cf721d3d1c4b")
        assert "round" not in {c["name"] for c in inspect(db.engine).get_columns("assignments")}
        upgrade()
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT round FROM assignments")).scalars().all() == [1]
            assert connection.execute(text("SELECT current_round FROM applications")).scalars().all() == [1]
            # the same assessor may now be assigned in round 2 (a row the old unique constraint refused)
            connection.execute(
                text(
                    "INSERT INTO assignments (application_id, assessor_id, assigned_at, is_lead, status, round) "
                    "VALUES (:a, :u, :t, false, 'pending', 2)"
                ),
                {"a": application_id, "u": assessor_id, "t": datetime(2026, 4, 1, tzinfo=UTC)},
            )
        with pytest.raises(SystemExit):  # Flask-Migrate reports the migration's refusal and exits
            downgrade(revision="cf721d3d1c4b")
        assert "round" in {c["name"] for c in inspect(db.engine).get_columns("assignments")}  # nothing went back
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM assignments WHERE round = 2"))
        downgrade(revision="cf721d3d1c4b")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM assignments")).scalar() == 1
        upgrade()


def test_the_rounds_migration_on_sqlite(make_app, tmp_path):
    carry_through_the_rounds_migration(make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'r.sqlite3'}"))


@pytest.mark.postgres
def test_the_rounds_migration_on_postgresql(make_app):
    from tests.core.test_migrations import postgresql_schema

    with postgresql_schema(make_app, "rounds_migration") as app:
        carry_through_the_rounds_migration(app)


def test_nobody_of_an_earlier_round_moderates_or_decides_a_later_one(app, not_confirmed, login_as):
    scene, first_decider = not_confirmed()
    first_assessors = list(scene.assessors)
    appeal_upheld(app, scene)
    assign_two(app, scene, login_as, names=("Жаңа Бағалаушы", "Екінші Бағалаушы"))
    for assessor, assignment_id, rating in zip(
        scene.assessors, scene.assignment_ids, ("met", "partially_met"), strict=True
    ):
        assert assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene, rating)).status_code == 302
    assert application_state(app, scene.application_id) == "moderation"
    english(scene.admin)
    for earlier in (first_assessors[0], first_decider):
        refused = scene.admin.post(
            f"/admin/applications/{scene.application_id}/moderator", data={"moderator_id": earlier.user.id}
        )
        assert refused.status_code == 409
        assert "took part in an earlier assessment round" in refused.get_data(as_text=True)
    with app.app_context():
        application = db.session.get(Application, scene.application_id)
        assert application.moderators == []
        from certcenter.assessments.services import moderator_candidates

        offered = {user.id for user in moderator_candidates(application)}
        assert first_assessors[0].user.id not in offered and first_decider.user.id not in offered
    fresh = login_as("assessor", full_name="Тәуелсіз Модератор")
    assert (
        scene.admin.post(
            f"/admin/applications/{scene.application_id}/moderator", data={"moderator_id": fresh.user.id}
        ).status_code
        == 302
    )
