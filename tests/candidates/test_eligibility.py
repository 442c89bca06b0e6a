"""Experience without double counting, and eligibility against the 2013 edition's pathways, with what is missing."""

from datetime import date
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from certcenter.candidates.eligibility import (
    MET,
    NEEDS_REVIEW,
    NOT_MET,
    evaluate_eligibility,
    experience_days,
    format_duration,
)
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition

TODAY = date(2026, 11, 25)


def period(start, end=None):
    return SimpleNamespace(started_on=start, ended_on=end)


def test_overlapping_periods_count_once():
    records = [
        period(date(2020, 1, 1), date(2020, 12, 31)),  # 366 days (leap year)
        period(date(2020, 7, 1), date(2021, 6, 30)),  # overlaps: adds Jan–Jun 2021 = 181 days
        period(date(2020, 3, 1), date(2020, 3, 31)),  # inside the first
    ]
    assert experience_days(records, TODAY) == 366 + 181


def test_adjacent_and_separate_periods():
    records = [
        period(date(2019, 1, 1), date(2019, 1, 31)),
        period(date(2019, 2, 1), date(2019, 2, 28)),
        period(date(2022, 1, 1), date(2022, 1, 10)),
    ]
    assert experience_days(records, TODAY) == 31 + 28 + 10


def test_current_job_runs_to_today_and_future_periods_do_not_count():
    records = [period(date(2026, 11, 1)), period(date(2027, 1, 1), date(2027, 2, 1))]
    assert experience_days(records, TODAY) == 25


def candidate(education, days):
    start = date.fromordinal(TODAY.toordinal() - days + 1) if days else None
    return SimpleNamespace(
        education=[SimpleNamespace(level=level) for level in education],
        experience=[period(start, TODAY)] if days else [],
    )


@pytest.fixture
def levels(app, framework):
    with app.app_context():
        edition = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == framework))
        yield {level.number: level for level in edition.levels}


def test_level_four_needs_three_years_and_says_how_much_is_there(app, levels):
    with app.test_request_context(), force_locale("en"):
        result = evaluate_eligibility(candidate(["technical_vocational"], 365 + 122), levels[4], TODAY)
        assert result.status == NOT_MET
        first = result.pathways[0]
        assert first.code == "4.1" and first.met is False
        assert first.missing == [
            "needs 3 years of practical experience; you have 1 year 4 months, 1 year 8 months short"
        ]
        assert any("Post-secondary education" in line for line in result.pathways[1].missing)


def test_level_four_met_by_the_first_pathway(app, levels):
    with app.test_request_context(), force_locale("en"):
        result = evaluate_eligibility(candidate(["technical_vocational"], 3 * 365 + 1), levels[4], TODAY)
        assert result.status == MET and result.met_pathway.code == "4.1"


def test_messages_follow_the_users_language(app, levels):
    with app.test_request_context(), force_locale("ru"):
        result = evaluate_eligibility(candidate(["technical_vocational"], 365 + 122), levels[4], TODAY)
        assert "3 года" in result.pathways[0].missing[0] and "1 год 4 месяца" in result.pathways[0].missing[0]


def test_a_manual_condition_needs_review(app, levels):
    with app.test_request_context():
        result = evaluate_eligibility(candidate(["master", "additional_professional_education"], 400), levels[8], TODAY)
        # 8.1 (master's) is met outright, so no review is needed
        assert result.status == MET and result.met_pathway.code == "8.1"
        only_recognition = evaluate_eligibility(
            candidate(["specialist", "additional_professional_education"], 400), levels[8], TODAY
        )
        assert only_recognition.status == NEEDS_REVIEW


def test_snapshot_keeps_the_facts(app, levels):
    with app.test_request_context():
        snapshot = evaluate_eligibility(candidate(["higher"], 800), levels[6], TODAY).snapshot()
    assert snapshot["status"] == MET and snapshot["met_pathway"] == "6.1"
    assert snapshot["experience_days"] == 800 and snapshot["education"] == ["higher"]


def test_what_is_lacking_is_told_to_the_nearest_month_and_never_as_nothing(app):
    with app.test_request_context(), force_locale("en"):
        assert format_duration(8, at_least_a_month=True) == "1 month"
        assert format_duration(243, at_least_a_month=True) == "8 months"
        assert format_duration(365 + 243, at_least_a_month=True) == "1 year 8 months"
        assert format_duration(8) == "0 months"  # experience one has is never rounded up
