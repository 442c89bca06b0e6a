"""The appeals figures of the statistics report (the appeals' own records), against values worked out by hand.

Period: 1 – 31 March 2026 in Asia/Almaty (UTC+5), i.e. [28 Feb 19:00 UTC, 31 Mar 19:00 UTC). "Now": 10 April 12:00.
  P1 lodged 20 Feb (before), dismissed 5 Mar                   -> decided in the period: 13.0 days
  P2 lodged 28 Feb 20:00 UTC (1 Mar in Almaty: inside), the panel's decision 10 Mar 20:00 -> received; 10.0 days
  P3 lodged 10 Mar against the lower level, a new round 31 Mar 20:00 UTC (1 April in Almaty: after) -> received only
  P4 lodged 15 Mar against a suspension, under review, the panel's deadline 14 Apr -> received, open, not overdue
  P5 lodged 1 Mar, no panel yet, the panel's deadline 31 Mar   -> received, open, overdue
  P6 lodged 2 Apr (after), lodged, deadline 2 May              -> open, not overdue
  P7 lodged 20 Mar against a revocation, upheld (valid again) 25 Mar -> received; 5.0 days
received 5 (P2-P5, P7): against the decision 2 (P2, P5), the lower level 1 (P3), a certificate's status 2 (P4, P7);
decided 3 (P1, P2, P7): dismissed 1, the panel's decision 1, a new round 0, valid again 1; mean (13 + 10 + 5) / 3 =
9.3 days; open 3 (P4-P6); overdue 1 (P5).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from certcenter.appeals.models import Appeal
from certcenter.applications.models import Application
from certcenter.extensions import db
from certcenter.reports import statistics
from certcenter.reports.statistics import Period


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def appeal(
    application: Application,
    lodged: datetime,
    state: str,
    *,
    due: datetime,
    closed=None,
    outcome=None,
    subject="not_confirmed",
):
    return Appeal(
        application=application,
        subject=subject,
        certificate_id=1 if subject == "certificate_status" else None,
        lodged_by_id=application.candidate.user_id,
        lodged_at=lodged,
        grounds="…",
        contested=[],
        state=state,
        decide_by=due,
        closed_at=closed,
        outcome=outcome,
    )


def test_appeal_figures_match_the_hand_count(app, not_confirmed):
    decided = not_confirmed()
    with app.app_context():
        application = db.session.get(Application, decided.application_id)
        db.session.add_all(
            [
                appeal(application, at(2, 20), "dismissed", due=at(3, 22), closed=at(3, 5), outcome="dismissed"),
                appeal(
                    application, at(2, 28, 20), "upheld", due=at(3, 30), closed=at(3, 10, 20), outcome="panel_decision"
                ),
                appeal(
                    application,
                    at(3, 10),
                    "upheld",
                    due=at(4, 9),
                    closed=at(3, 31, 20),
                    outcome="new_round",
                    subject="lower_level",
                ),
                appeal(application, at(3, 15), "under_review", due=at(4, 14), subject="certificate_status"),
                appeal(application, at(3, 1), "lodged", due=at(3, 31)),
                appeal(application, at(4, 2), "lodged", due=at(5, 2)),
                appeal(
                    application,
                    at(3, 20),
                    "upheld",
                    due=at(4, 19),
                    closed=at(3, 25),
                    outcome="reinstated",
                    subject="certificate_status",
                ),
            ]
        )
        db.session.commit()
        figures = statistics.appeal_cases(Period(date(2026, 3, 1), date(2026, 3, 31)), now=at(4, 10, 12))
    assert figures == {
        "received": 5,
        "closed": 3,
        "dismissed": 1,
        "panel_decision": 1,
        "new_round": 0,
        "reinstated": 1,
        "mean_days_to_close": 9.3,
        "open": 3,
        "overdue": 1,
        "received_by_subject": {"not_confirmed": 2, "lower_level": 1, "certificate_status": 2},
    }
