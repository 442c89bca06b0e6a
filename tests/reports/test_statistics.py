"""Centre statistics on a small fixed data set, every figure checked against values worked out by hand, and each
figure made by exactly one SQL statement.

The period is 1 January – 31 March 2026 in the centre's time zone (Asia/Almaty, UTC+5). Applications:
  A1 WELD-3   submitted 10 Jan → assessment 12 Jan → decision awaited 22 Jan → confirmed 25 Jan → certified 26 Jan
  A2 WELD-3   submitted 1 Feb → assessment 5 Feb → moderation 15 Feb → awaited 19 Feb → not confirmed 20 Feb
              → appealed 25 Feb → assessed again from 2 Mar (the appeal upheld)
  A3 ACC-4    exception requested 1 Mar → granted 4 Mar → assessment 6 Mar
  A4 ACC-4    exception requested 31 Dec 20:00 UTC (1 Jan 01:00 in Almaty: inside) → refused 3 Jan
  A5 ACC-4    submitted 15 Dec 2025 → assessment 20 Dec → awaited 5 Jan → confirmed 7 Jan (received before the period)
  A6 WELD-3   submitted 5 Apr (after the period)
  A7 ACC-4    a draft, never submitted
  A8 WELD-3   appealed on 1 Dec 2025, still open
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from certcenter.accounts.models import User
from certcenter.assessments.models import Assignment, Decision, FinalRating
from certcenter.candidates.models import Application, ApplicationEvent, CandidateProfile
from certcenter.certificates.models import Certificate
from certcenter.extensions import db
from certcenter.qualifications.models import Qualification
from certcenter.reports import statistics
from certcenter.reports.statistics import Period
from tests.samples import make_iin

PERIOD = Period(date(2026, 1, 1), date(2026, 3, 31))
TODAY = date(2026, 3, 31)


def at(month: int, day: int, hour: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def fixed_data(app, catalogue):
    with app.app_context():
        weld, accountant = (
            db.session.get(Qualification, catalogue["WELD-3"]),
            db.session.get(Qualification, catalogue["ACCOUNTANT-4"]),
        )
        admin = User(email="stats-admin@example.kz", full_name="Admin", password_hash="x")
        x, y, z = (User(email=f"{n}@example.kz", full_name=f"Assessor {n}", password_hash="x") for n in "XYZ")
        db.session.add_all([admin, x, y, z])
        apps = {}

        def application(name, qualification, state, submitted_at, events, **fields):
            number = len(apps) + 1
            user = User(email=f"cand{number}@example.kz", full_name=name, password_hash="x")
            profile = CandidateProfile(
                user=user,
                full_name=name,
                full_name_latin=name,
                iin=make_iin(date(1990, 1, number)),
                birth_date=date(1990, 1, number),
                phone="+7 700 000 00 00",
            )
            record = Application(
                candidate=profile,
                qualification=qualification,
                edition_id=qualification.level.edition_id,
                state=state,
                submitted_at=submitted_at,
                **fields,
            )
            for from_state, to_state, moment in events:
                record.events.append(ApplicationEvent(from_state=from_state, to_state=to_state, at=moment))
            apps[name] = record
            db.session.add(record)
            return record

        a1 = application(
            "A1",
            weld,
            "certified",
            at(1, 10),
            [
                ("draft", "submitted", at(1, 10)),
                ("submitted", "in_assessment", at(1, 12)),
                ("in_assessment", "awaiting_decision", at(1, 22)),
                ("awaiting_decision", "confirmed", at(1, 25)),
                ("confirmed", "certified", at(1, 26)),
            ],
        )
        a2 = application(
            "A2",
            weld,
            "in_assessment",
            at(2, 1),
            [
                ("draft", "submitted", at(2, 1)),
                ("submitted", "in_assessment", at(2, 5)),
                ("in_assessment", "moderation", at(2, 15)),
                ("moderation", "awaiting_decision", at(2, 19)),
                ("awaiting_decision", "not_confirmed", at(2, 20)),
                ("not_confirmed", "appealed", at(2, 25)),
                ("appealed", "in_assessment", at(3, 2)),
            ],
        )
        a3 = application(
            "A3",
            accountant,
            "in_assessment",
            at(3, 1),
            [
                ("draft", "exception_requested", at(3, 1)),
                ("exception_requested", "submitted", at(3, 4)),
                ("submitted", "in_assessment", at(3, 6)),
            ],
            exception_request="Twenty years in the trade",
            exception_granted=True,
        )
        application(
            "A4",
            accountant,
            "not_eligible",
            at(12, 31, 20, year=2025),
            [
                ("draft", "exception_requested", at(12, 31, 20, year=2025)),
                ("exception_requested", "not_eligible", at(1, 3)),
            ],
            exception_request="Please",
            exception_granted=False,
        )
        a5 = application(
            "A5",
            accountant,
            "confirmed",
            at(12, 15, year=2025),
            [
                ("draft", "submitted", at(12, 15, year=2025)),
                ("submitted", "in_assessment", at(12, 20, year=2025)),
                ("in_assessment", "awaiting_decision", at(1, 5)),
                ("awaiting_decision", "confirmed", at(1, 7)),
            ],
        )
        application("A6", weld, "submitted", at(4, 5), [("draft", "submitted", at(4, 5))])
        application("A7", accountant, "draft", None, [])
        application(
            "A8",
            weld,
            "appealed",
            at(11, 1, year=2025),
            [("not_confirmed", "appealed", at(12, 1, year=2025))],
        )
        db.session.flush()

        def decide(record, outcome, moment):
            decision = Decision(
                application=record,
                edition_id=record.edition_id,
                outcome=outcome,
                recommended_outcome=outcome,
                decided_by=admin,
                decided_at=moment,
                snapshot={},
            )
            db.session.add(decision)
            return decision

        d1, _d2, d5 = (
            decide(a1, "confirmed", at(1, 25)),
            decide(a2, "not_confirmed", at(2, 20)),
            decide(a5, "confirmed", at(1, 7)),
        )
        for record, assessor, status, moment in [
            (a1, x, "submitted", at(1, 12)),
            (a1, y, "submitted", at(1, 12)),
            (a2, x, "submitted", at(2, 5)),
            (a2, z, "submitted", at(2, 5)),
            (a3, y, "active", at(3, 6)),
            (a3, z, "conflict", at(3, 6)),
            (a5, x, "submitted", at(12, 20, year=2025)),
            (a5, y, "submitted", at(12, 20, year=2025)),
        ]:
            db.session.add(Assignment(application=record, assessor=assessor, status=status, assigned_at=moment))
        unit = "unit:1"
        for record, agreed in [
            (a1, {"descriptor:competence": True, "descriptor:skills": True, "descriptor:knowledge": True, unit: False}),
            (
                a2,
                {"descriptor:competence": True, "descriptor:skills": False, "descriptor:knowledge": False, unit: True},
            ),
            (a5, {"descriptor:competence": True, "descriptor:skills": True, "descriptor:knowledge": True, unit: True}),
        ]:
            for key, value in agreed.items():
                db.session.add(FinalRating(application=record, criterion_key=key, agreed=value, rating="met"))

        def certificate(record, decision, generation, issued_on, expires_on, status="valid", changed=None):
            db.session.add(
                Certificate(
                    decision=decision,
                    generation=generation,
                    application=record,
                    number=f"T-{record.id}-{generation}",
                    verification_code=f"code-{record.id}-{generation}",
                    holder_name="H",
                    holder_name_latin="H",
                    iin_last4="0000",
                    qualification_code=record.qualification.code,
                    qualification_title={"kk": "t"},
                    nqf_level=record.qualification.level.number,
                    edition_code="e",
                    edition_title={"kk": "e"},
                    centre={},
                    decided_on=issued_on,
                    issued_on=issued_on,
                    expires_on=expires_on,
                    status=status,
                    status_reason="fraud" if status == "revoked" else None,
                    status_changed_at=changed,
                    render_status="ready",
                )
            )

        certificate(a1, d1, 1, date(2026, 1, 26), date(2031, 1, 26))
        certificate(a5, d5, 1, date(2025, 6, 1), date(2030, 6, 1), "suspended", at(2, 10))
        certificate(a5, d5, 2, date(2026, 2, 1), date(2026, 5, 15))
        certificate(a1, d1, 2, date(2026, 1, 26), date(2031, 1, 26), "revoked", at(3, 3))
        db.session.commit()
    return apps


@pytest.fixture
def stats_ctx(app, fixed_data):
    with app.app_context():
        statements = []

        def count(*args, **kwargs):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        yield statements
        event.remove(db.engine, "before_cursor_execute", count)


def one_query(statements, figure, *args):
    statements.clear()
    value = figure(PERIOD, *args)
    assert len(statements) == 1, statements
    return value


def test_applications_by_state_counts_the_received_in_the_centres_days(stats_ctx):
    # A4 was submitted at 20:00 UTC on 31 December: already 1 January in Almaty, so it is inside the period.
    assert one_query(stats_ctx, statistics.applications_by_state) == {
        "not_eligible": 1,
        "in_assessment": 2,
        "certified": 1,
    }


def test_confirmation_rate_by_level_and_by_qualification(stats_ctx):
    assert one_query(stats_ctx, statistics.confirmation_by_level) == [
        {"level": 3, "decided": 2, "confirmed": 1, "rate": 50.0},
        {"level": 4, "decided": 1, "confirmed": 1, "rate": 100.0},
    ]
    rows = one_query(stats_ctx, statistics.confirmation_by_qualification)
    assert [(r["code"], r["level"], r["decided"], r["confirmed"], r["rate"]) for r in rows] == [
        ("WELD-3", 3, 2, 1, 50.0),
        ("ACCOUNTANT-4", 4, 1, 1, 100.0),
    ]
    assert rows[0]["title"]["kk"]


def test_time_in_each_stage_median_and_90th_percentile(stats_ctx):
    stages = {row["stage"]: row for row in one_query(stats_ctx, statistics.stage_durations)}
    # submitted: A1 2 d, A2 4 d, A3 2 d -> [2, 2, 4]; A5's stay ended in 2025 and does not count
    assert stages["submitted"] == {"stage": "submitted", "count": 3, "median_days": 2.0, "p90_days": 4.0}
    # in assessment: A1 10, A2 10, A5 16 (20 Dec -> 5 Jan, ended inside); A2's second stay has not ended
    assert stages["in_assessment"] == {"stage": "in_assessment", "count": 3, "median_days": 10.0, "p90_days": 16.0}
    assert (stages["awaiting_decision"]["median_days"], stages["awaiting_decision"]["p90_days"]) == (2.0, 3.0)
    # exception requested: A4 2 d 16 h, A3 3 d
    assert (stages["exception_requested"]["median_days"], stages["exception_requested"]["p90_days"]) == (2.7, 3.0)
    assert stages["moderation"]["median_days"] == 4.0 and stages["confirmed"]["count"] == 1
    assert stages["not_confirmed"]["median_days"] == 5.0 and stages["appealed"]["median_days"] == 5.0
    assert "certified" not in stages and "draft" not in stages


def test_days_from_submission_to_decision(stats_ctx):
    # A1 15 days, A2 19, A5 23 (submitted before the period, decided inside it)
    assert one_query(stats_ctx, statistics.decision_lead_time) == {"count": 3, "median_days": 19.0, "p90_days": 23.0}


def test_assessor_workload_and_agreement(stats_ctx):
    assert one_query(stats_ctx, statistics.assessor_workload) == [
        {"assessor": "Assessor X", "assigned": 2, "completed": 2, "conflicts": 0, "ratings": 8, "agreement": 62.5},
        {"assessor": "Assessor Y", "assigned": 2, "completed": 1, "conflicts": 0, "ratings": 4, "agreement": 75.0},
        {"assessor": "Assessor Z", "assigned": 2, "completed": 1, "conflicts": 1, "ratings": 4, "agreement": 50.0},
    ]
    assert one_query(stats_ctx, statistics.agreement_by_criterion) == [
        {"criterion": "descriptor:competence", "ratings": 3, "agreed": 3, "rate": 100.0},
        {"criterion": "descriptor:knowledge", "ratings": 3, "agreed": 2, "rate": 66.7},
        {"criterion": "descriptor:skills", "ratings": 3, "agreed": 2, "rate": 66.7},
        {"criterion": "units", "ratings": 3, "agreed": 2, "rate": 66.7},
    ]


def test_exceptions_certificates_and_appeals(stats_ctx):
    assert one_query(stats_ctx, statistics.exceptions) == {"requested": 2, "granted": 1, "refused": 1, "pending": 0}
    assert one_query(stats_ctx, statistics.certificates, TODAY) == {
        "issued": 3,
        "suspended": 1,
        "revoked": 1,
        "valid": 2,
        "expiring": 1,
    }
    assert one_query(stats_ctx, statistics.appeals) == {"lodged": 1, "upheld": 1, "dismissed": 0, "pending": 1}


def test_the_whole_set_and_its_headline_figures(stats_ctx):
    stats = statistics.compute(PERIOD, TODAY)
    assert (stats.received, stats.decided, stats.confirmation_rate, stats.agreement_rate) == (4, 3, 66.7, 75.0)
    assert stats.open_applications == 2  # A2 and A3 in assessment
    assert statistics.CentreStatistics.from_dict(stats.to_dict()) == stats


def test_an_empty_period_gives_zeros_not_errors(stats_ctx):
    empty = Period(date(2020, 1, 1), date(2020, 1, 31))
    stats = statistics.compute(empty, TODAY)
    assert stats.received == 0 and stats.confirmation_rate is None and stats.stage_durations == []
    assert stats.decision_lead_time == {"count": 0, "median_days": None, "p90_days": None}
    assert stats.certificates["issued"] == 0 and stats.certificates["valid"] == 2
