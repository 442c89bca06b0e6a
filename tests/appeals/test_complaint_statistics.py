"""The complaints figures of the statistics report, against values worked out by hand.

Period: 1 – 31 March 2026 in Asia/Almaty (UTC+5), i.e. [28 Feb 19:00 UTC, 31 Mar 19:00 UTC). "Now": 10 April 12:00.
  K1 filed 20 Feb (before), closed 5 Mar upheld            -> closed in the period: 13.0 days
  K2 filed 28 Feb 20:00 UTC (1 Mar in Almaty: inside), closed 11 Mar 20:00 not upheld   -> received; 11.0 days
  K3 filed 10 Mar, closed 31 Mar 20:00 UTC (1 April in Almaty: after), withdrawn         -> received only
  K4 filed 15 Mar, still "received", acknowledge by 20 Mar -> received, open, overdue (not acknowledged in time)
  K5 filed 25 Mar, investigating, answer by 24 Apr          -> received, open, not overdue
  K6 filed 2 Apr (after), received, acknowledge by 7 Apr    -> open, overdue
received 4 (K2-K5); closed 2 (K1, K2): upheld 1, not upheld 1; mean (13 + 11) / 2 = 12.0 days; open 3 (K4-K6);
overdue 2 (K4, K6). K3 is closed, so neither open nor overdue, and counts in no outcome of this period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from certcenter.appeals.models import Complaint
from certcenter.extensions import db
from certcenter.reports import statistics
from certcenter.reports.statistics import Period


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def complaint(n: int, filed: datetime, state: str, *, ack: datetime, due: datetime, closed=None, outcome=None):
    return Complaint(
        reference=f"C-2026-{n:05d}",
        secret_hash="0" * 64,
        category="service",
        subject_kind="centre",
        text="…",
        contact_name="Test",
        contact_phone="1",
        state=state,
        acknowledge_by=ack,
        resolve_by=due,
        created_at=filed,
        closed_at=closed,
        outcome=outcome,
    )


def test_complaint_figures_match_the_hand_count(app):
    with app.app_context():
        db.session.add_all(
            [
                complaint(1, at(2, 20), "closed", ack=at(2, 25), due=at(3, 22), closed=at(3, 5), outcome="upheld"),
                complaint(
                    2,
                    at(2, 28, 20),
                    "closed",
                    ack=at(3, 5),
                    due=at(3, 30),
                    closed=at(3, 11, 20),
                    outcome="not_upheld",
                ),
                complaint(
                    3,
                    at(3, 10),
                    "closed",
                    ack=at(3, 15),
                    due=at(4, 9),
                    closed=at(3, 31, 20),
                    outcome="withdrawn",
                ),
                complaint(4, at(3, 15), "received", ack=at(3, 20), due=at(4, 14)),
                complaint(5, at(3, 25), "investigating", ack=at(3, 30), due=at(4, 24)),
                complaint(6, at(4, 2), "received", ack=at(4, 7), due=at(5, 2)),
            ]
        )
        db.session.commit()
        figures = statistics.complaints(Period(date(2026, 3, 1), date(2026, 3, 31)), now=at(4, 10, 12))
    assert figures == {
        "received": 4,
        "closed": 2,
        "upheld": 1,
        "partly_upheld": 0,
        "not_upheld": 1,
        "withdrawn": 0,
        "mean_days_to_close": 12.0,
        "open": 3,
        "overdue": 2,
    }


def test_the_statistics_report_pdf_carries_them(app, login_as, tmp_path):
    from sqlalchemy import select

    from certcenter.core.storage import get_storage
    from certcenter.reports.models import Report
    from tests.reports.test_dashboard import pdf_lines

    test_complaint_figures_match_the_hand_count(app)
    admin = login_as("admin", locale="ru")
    response = admin.post("/admin/reports/statistics", data={"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert report.status == "ready", report.error
        with get_storage().open(report.storage_key) as handle:
            text = " ".join(pdf_lines(handle.read(), tmp_path))
    assert "Жалобы" in text
    for row in ("Поступило за период 4", "Закрыто за период 2", "Среднее число дней от подачи до ответа 12"):
        assert row in text
