"""The demo-scale data set (``certcenter demo --applications 100000``): candidates with profiles, education and
experience; their applications in every workflow state, each with a history that is a valid path through
``workflow.TRANSITIONS``; assignments, judgements, results, final ratings, decisions with their snapshot, and
certificates numbered from the yearly series. It feeds the admin dashboard, the statistics and the benchmarks.

Rows are written in bulk (``writer``: COPY on PostgreSQL, Core executemany elsewhere; ids taken from the tables'
sequences in blocks), not through the ORM and its verbs, so neither an audit entry nor a notification is written per
row: one audit entry records the batch. 100,000 applications (some three million rows) take about two and a half
minutes on PostgreSQL, most of it for the decisions' snapshots.

The data follows from ``random.Random`` seeded with the seed and the batch number; only the dates move with the
day it runs (the last ``years`` up to now). Each domain's part draws from that one stream in turn
(``people``, ``applications``, ``assessments``, ``certificates``), so their order of calls is the data set.

Every generated account has the password ``DEMO_PASSWORD`` (one hash, computed once). Certificates are issued
without a PDF (see ``certificates``).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, text

from certcenter.applications import workflow as wf
from certcenter.core import audit
from certcenter.core.models import AuditEntry, utcnow
from certcenter.demo.applications import Applications
from certcenter.demo.assessments import Assessments
from certcenter.demo.certificates import Certificates
from certcenter.demo.clock import creation_times
from certcenter.demo.context import Context
from certcenter.demo.people import Candidate, People
from certcenter.demo.qualifications import active_qualifications, ensure_reference_data
from certcenter.demo.writer import TABLES
from certcenter.extensions import db

__all__ = ["TABLES", "Summary", "generate"]

AUDIT_ACTION = "demo.generate"
CHUNK = 5000  # applications generated and written at a time


@dataclass
class Summary:
    batch: int
    seed: int
    applications: int
    rows: dict[str, int]
    states: dict[str, int]
    certificate_statuses: dict[str, int]
    seconds: float
    new_qualifications: list[str] = field(default_factory=list)


def generate(
    applications: int,
    seed: int = 1,
    *,
    years: int = 3,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Add a batch of ``applications`` applications (with their candidates and everything that follows from them)
    dated over the last ``years`` years up to ``now``. Loads the framework and catalogues first if missing.
    Does not commit."""
    if applications < 1:
        raise ValueError("the number of applications must be positive")
    started = time.perf_counter()
    new_qualifications = ensure_reference_data()
    db.session.flush()
    batches = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == AUDIT_ACTION))
    context = Context(seed=seed, batch=1 + (batches or 0), years=years, now=now or utcnow())
    people = People(context)
    qualifications = active_qualifications(context.rng)
    if not qualifications:
        raise ValueError("no active qualification to apply for")
    staff = people.staff()
    context.writer.flush()
    certificates = Certificates(context, staff)
    apps = Applications(context, qualifications, staff, Assessments(context, staff), certificates)

    plan = _plan(context.rng, applications, context.start, context.now)
    _generate(context, people, apps, plan, progress)
    certificates.write()
    _lock_what_was_submitted()

    rows = {name: context.writer.counts[name] for name in TABLES}
    summary = Summary(
        batch=context.batch,
        seed=seed,
        applications=len(plan),
        rows=rows,
        states=dict(sorted(apps.states.items(), key=lambda item: wf.STATES.index(item[0]))),
        certificate_statuses=certificates.statuses(),
        seconds=0.0,
        new_qualifications=new_qualifications,
    )
    audit.record(
        AUDIT_ACTION,
        actor=None,
        batch=context.batch,
        seed=seed,
        years=years,
        applications=len(plan),
        rows=rows,
        qualifications_created=new_qualifications,
    )
    db.session.flush()
    summary.seconds = time.perf_counter() - started
    return summary


# The flags a submission sets (the identity locked, the criteria frozen), set in one statement each for the rows that
# had an application submitted: from the first submission, as the migration that introduced them sets them.
FIRST_SUBMISSION = (
    "SELECT MIN(COALESCE(a.submitted_at, a.state_changed_at)) FROM applications a "
    "WHERE a.{column} = {table}.id AND a.state != 'draft'"
)


def _lock_what_was_submitted() -> None:
    for table, column, flag in (
        ("candidate_profiles", "candidate_id", "identity_locked_at"),
        ("qualifications", "qualification_id", "criteria_frozen_at"),
    ):
        first = FIRST_SUBMISSION.format(column=column, table=table)
        db.session.execute(text(f"UPDATE {table} SET {flag} = ({first}) WHERE {flag} IS NULL"))


def _plan(rng: random.Random, applications: int, start: datetime, now: datetime) -> list[tuple[datetime, int]]:
    """Who applies when, in order of time: most candidates (numbered) apply once, some again later (a retry or the
    next level)."""
    plan: list[tuple[datetime, int]] = []
    for number, first in enumerate(creation_times(rng, applications, start, now)):
        if len(plan) >= applications:
            break
        times = [first]
        for _ in range(rng.choices((0, 1, 2), (0.88, 0.1, 0.02))[0]):
            later = times[-1] + timedelta(days=rng.uniform(90, 540))
            if later < now and len(plan) + len(times) < applications:
                times.append(later)
        plan.extend((moment, number) for moment in times)
    plan.sort()
    return plan


def _generate(
    context: Context,
    people: People,
    apps: Applications,
    plan: list[tuple[datetime, int]],
    progress: Callable[[str], None] | None,
) -> None:
    """The applications of the plan, a chunk at a time; a candidate is made at their first application and
    forgotten after their last."""
    remaining = Counter(number for _, number in plan)
    candidates: dict[int, Candidate] = {}
    for start in range(0, len(plan), CHUNK):
        for created, number in plan[start : start + CHUNK]:
            candidate = candidates.get(number)
            qualification = apps.choose_qualification(candidate, created)
            if candidate is None:
                candidate = candidates[number] = people.candidate(number, created, qualification, remaining[number])
            apps.application(candidate, qualification, created)
            candidate.remaining -= 1
            if not candidate.remaining:
                del candidates[number]
        context.writer.flush()
        if progress:
            progress(f"  {min(start + CHUNK, len(plan)):>7} / {len(plan)} applications")
