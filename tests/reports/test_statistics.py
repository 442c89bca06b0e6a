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

import json
from datetime import date

import pytest
from sqlalchemy import event

from certcenter.extensions import db
from certcenter.reports import statistics
from certcenter.reports.statistics import Period

PERIOD = Period(date(2026, 1, 1), date(2026, 3, 31))
TODAY = date(2026, 3, 31)


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
        "surveillance_overdue": 0,
    }
    assert one_query(stats_ctx, statistics.appeals) == {"lodged": 1, "upheld": 1, "dismissed": 0, "pending": 1}


def test_the_whole_set_and_its_headline_figures(stats_ctx):
    stats = statistics.compute(PERIOD, TODAY)
    assert (stats.received, stats.decided, stats.confirmation_rate, stats.agreement_rate) == (4, 3, 66.7, 75.0)
    assert stats.open_applications == 2  # A2 and A3 in assessment
    # kept as JSON in the dashboard's snapshot: plain numbers, whatever the database's numeric types
    assert statistics.CentreStatistics.from_dict(json.loads(json.dumps(stats.to_dict()))) == stats


def test_an_empty_period_gives_zeros_not_errors(stats_ctx):
    empty = Period(date(2020, 1, 1), date(2020, 1, 31))
    stats = statistics.compute(empty, TODAY)
    assert stats.received == 0 and stats.confirmation_rate is None and stats.stage_durations == []
    assert stats.decision_lead_time == {"count": 0, "median_days": None, "p90_days": None}
    assert stats.certificates["issued"] == 0 and stats.certificates["valid"] == 2
