"""When things happen in the demo-scale data set: the centre's working hours in Almaty, waiting times, and the
moments candidates open their applications."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

ALMATY = timedelta(hours=5)  # the centre's working day is 09:00-18:00 in Almaty (UTC+5)
MONTH_DEMAND = {1: 0.7, 2: 0.9, 3: 1.1, 4: 1.15, 5: 1.1, 6: 0.95, 7: 0.75, 8: 0.8, 9: 1.05, 10: 1.15, 11: 1.15, 12: 0.9}
GROWTH = 1.0  # demand at the end of the period is (1 + GROWTH) times that at its start


def days(rng: random.Random, median: float, sigma: float = 0.6) -> timedelta:
    """A log-normally distributed waiting time: most close to the median, a few much longer."""
    return timedelta(days=median * math.exp(rng.gauss(0, sigma)))


def office(rng: random.Random, moment: datetime) -> datetime:
    """The same moment if it falls in the centre's working hours, else a moment of the next working day."""
    local = moment + ALMATY
    if local.weekday() < 5 and 9 <= local.hour < 18:
        return moment
    day = local.date() if local.hour < 9 else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) - ALMATY
    return start + timedelta(minutes=rng.randrange(0, 9 * 60))


def awake(rng: random.Random, moment: datetime) -> datetime:
    """Candidates and assessors act between 08:00 and 23:00 Almaty time."""
    local = moment + ALMATY
    if 8 <= local.hour < 23:
        return moment
    day = local.date() if local.hour < 8 else local.date() + timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) - ALMATY
    return start + timedelta(minutes=rng.randrange(0, 15 * 60))


def creation_times(rng: random.Random, count: int, start: datetime, now: datetime) -> list[datetime]:
    """When applications are opened: demand grows over the period, dips in January and the summer, and is lower
    at weekends; candidates apply between 08:00 and 23:00 Almaty time."""
    span = (now - start).total_seconds()
    times = []
    while len(times) < count:
        # inverse of the distribution function of a density growing linearly by GROWTH over the period
        u = rng.random()
        x = (math.sqrt(1 + GROWTH * (2 + GROWTH) * u) - 1) / GROWTH
        moment = start + timedelta(seconds=span * x)
        local = moment + ALMATY
        weekend = 0.45 if local.weekday() >= 5 else 1.0
        if rng.random() * 1.15 > MONTH_DEMAND[local.month] * weekend:
            continue
        hour = rng.choices(range(8, 23), (2, 4, 6, 7, 7, 6, 6, 6, 6, 5, 5, 6, 6, 5, 3))[0]
        local = datetime(local.year, local.month, local.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=UTC)
        moment = local - ALMATY
        if moment < now:
            times.append(moment)
    return times
