"""The period to lodge an appeal: ``centre_settings().appeal_days`` whole days of the centre's calendar after the day
of the decision (in the centre's time zone, whatever the server's clock is on). An appeal is lodged in time until
the centre's midnight that ends the last day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from certcenter.core.i18n import centre_day, centre_midnight
from certcenter.core.models import utcnow
from certcenter.core.settings import centre_settings


def last_day_to_appeal(decided_at: datetime) -> date:
    """The last day of the centre's calendar on which an appeal against a decision taken at ``decided_at`` is lodged."""
    return centre_day(decided_at) + timedelta(days=int(centre_settings().appeal_days))


def appeal_closes_at(decided_at: datetime) -> datetime:
    """The moment the period ends: the centre's midnight after the last day."""
    return centre_midnight(last_day_to_appeal(decided_at) + timedelta(days=1))


def within_appeal_period(decided_at: datetime, now: datetime | None = None) -> bool:
    return (now or utcnow()) < appeal_closes_at(decided_at)
