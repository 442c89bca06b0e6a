"""Agreement beyond chance: Cohen's kappa and the raw agreement, per pair of assessors and per NQF descriptor, checked
against values worked out by hand, on the dashboard and in the statistics report."""

from __future__ import annotations

from sqlalchemy import select

from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.reports import statistics
from certcenter.reports.models import Report
from tests.reports.test_dashboard import pdf_lines
from tests.reports.test_statistics import one_query
from tests.reports.test_statistics import stats_ctx as stats_ctx  # the statement-counting fixture

MET, PARTLY, NOT_MET = "met", "partially_met", "not_met"


def test_kappa_of_a_hand_computed_table():
    """Ten criteria rated by two assessors A and B:

        A \\ B          met  partially  not met   | A's totals
        met              4      1         0       |  5
        partially met    1      2         1       |  4
        not met          0      0         1       |  1
        B's totals       5      3         2       | 10

    observed agreement p_o = (4 + 2 + 1) / 10 = 0.7;
    chance agreement  p_e = (5·5 + 4·3 + 1·2) / 10² = (25 + 12 + 2) / 100 = 0.39;
    kappa = (p_o − p_e) / (1 − p_e) = (0.7 − 0.39) / (1 − 0.39) = 0.31 / 0.61 = 0.5082 (0.508)."""
    table = {
        (MET, MET): 4,
        (MET, PARTLY): 1,
        (PARTLY, MET): 1,
        (PARTLY, PARTLY): 2,
        (PARTLY, NOT_MET): 1,
        (NOT_MET, NOT_MET): 1,
    }
    assert statistics.cohen_kappa(table) == {"items": 10, "agreement": 70.0, "kappa": 0.508}
    # swapping the raters changes nothing
    assert statistics.cohen_kappa({(b, a): n for (a, b), n in table.items()})["kappa"] == 0.508


def test_kappa_where_chance_explains_everything_or_nothing_was_rated():
    """Both always "met": p_o = p_e = 1, kappa = 0/0, not defined. Perfect agreement over two ratings:
    p_o = 1, p_e = 0.5² + 0.5² = 0.5, kappa = 1. Total disagreement with balanced ratings: p_o = 0, p_e = 0.5,
    kappa = −0.5 / 0.5 = −1."""
    assert statistics.cohen_kappa({(MET, MET): 3}) == {"items": 3, "agreement": 100.0, "kappa": None}
    assert statistics.cohen_kappa({(MET, MET): 2, (NOT_MET, NOT_MET): 2})["kappa"] == 1.0
    assert statistics.cohen_kappa({(MET, NOT_MET): 2, (NOT_MET, MET): 2})["kappa"] == -1.0
    assert statistics.cohen_kappa({}) == {"items": 0, "agreement": None, "kappa": None}


def test_kappa_per_pair_and_per_descriptor_from_the_ratings(stats_ctx):
    """The fixed data's ratings (tests/reports/conftest.py), applications decided in the period: A1 and A5 by X then
    Y, A2 by X then Z; four criteria each (three descriptors, one unit).

    X and Y, 8 pairs: 7 alike (A1's unit: met / partially met). X: 8 met; Y: 7 met, 1 partially met.
      p_o = 7/8 = 0.875; p_e = (8/8)(7/8) = 0.875; kappa = 0 / 0.125 = 0 (87.5 % raw agreement is all chance).
    X and Z, 4 pairs: alike on competence and the unit. X: 3 met, 1 partially; Z: 2 met, 1 partially, 1 not met.
      p_o = 2/4 = 0.5; p_e = (3·2 + 1·1 + 0·1) / 16 = 7/16 = 0.4375; kappa = 0.0625 / 0.5625 = 0.111.
    Knowledge, 3 pairs (met/met, partially/not met, met/met): first 2 met, 1 partially; second 2 met, 1 not met.
      p_o = 2/3; p_e = (2·2) / 9 = 4/9; kappa = (2/3 − 4/9) / (1 − 4/9) = (2/9) / (5/9) = 0.4.
    Skills, 3 pairs (met/met, met/partially, met/met): p_o = 2/3; p_e = (3·2) / 9 = 2/3; kappa = 0.
    Competence, 3 pairs all met/met: p_o = p_e = 1, kappa not defined."""
    assert one_query(stats_ctx, statistics.kappa_by_pair) == [
        {"assessors": ["Assessor X", "Assessor Y"], "items": 8, "agreement": 87.5, "kappa": 0.0},
        {"assessors": ["Assessor X", "Assessor Z"], "items": 4, "agreement": 50.0, "kappa": 0.111},
    ]
    assert one_query(stats_ctx, statistics.kappa_by_descriptor) == [
        {"criterion": "descriptor:knowledge", "items": 3, "agreement": 66.7, "kappa": 0.4},
        {"criterion": "descriptor:skills", "items": 3, "agreement": 66.7, "kappa": 0.0},
        {"criterion": "descriptor:competence", "items": 3, "agreement": 100.0, "kappa": None},
    ]


def test_the_dashboard_and_the_statistics_report_show_kappa(app, fixed_data, login_as, tmp_path):
    admin = login_as("admin", locale="en")
    html = admin.get("/admin/dashboard?period=all").get_data(as_text=True)
    kappa = html.split('id="figure-kappa"')[1].split("</section>")[0]
    assert "Cohen&#39;s kappa" in kappa or "Cohen's kappa" in kappa
    assert (
        '<tr data-descriptor="descriptor:knowledge"><td>Knowledge</td><td>3</td><td>66.7 %</td><td>0.40</td>' in kappa
    )
    assert "Assessor X · Assessor Z</td><td>4</td><td>50 %</td><td>0.11</td>" in kappa
    response = admin.post("/admin/reports/statistics", data={"date_from": "2026-01-01", "date_to": "2026-03-31"})
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert report.status == "ready", report.error
        with get_storage().open(report.storage_key) as handle:
            lines = pdf_lines(handle.read(), tmp_path)
    for row in (
        "Knowledge 3 66.7 % 0.40",
        "Abilities and skills 3 66.7 % 0.00",
        "Assessor X · Assessor Y 8 87.5 % 0.00",
    ):
        assert row in lines, (row, [line for line in lines if "%" in line])
