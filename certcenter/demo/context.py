"""What every part of one demo-scale batch shares: its random stream, its moment and period, the row writer and
the id blocks. The data follows from the random stream alone, so the parts draw from it in a fixed order."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from certcenter.demo.writer import Ids, Writer

# Tables whose ids the generator needs before writing (children refer to them).
ID_TABLES = ("users", "candidate_profiles", "applications", "assignments", "decisions", "certificates")


@dataclass
class Context:
    seed: int
    batch: int
    years: int
    now: datetime
    rng: random.Random = field(init=False)
    today: date = field(init=False)
    start: datetime = field(init=False)  # the beginning of the period
    writer: Writer = field(init=False, default_factory=Writer)
    ids: dict[str, Ids] = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"certcenter-demo:{self.seed}:{self.batch}")
        self.today = self.now.date()
        self.start = self.now - timedelta(days=round(365.25 * self.years))
        self.ids = {name: Ids(name) for name in ID_TABLES}
