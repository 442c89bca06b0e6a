"""The centre's statistics for a period. Each figure is one SQL aggregate: the database counts, groups and ranks;
Python only shapes the few result rows for the charts and tables.

Percentiles are nearest-rank (the smallest value with at least p % of the values at or below it), computed with
window functions so that SQLite and PostgreSQL give the same numbers. Days run from midnight to midnight in the
centre's time zone; a period's end date is included.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Float, and_, case, cast, exists, func, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from certcenter.accounts.models import User
from certcenter.appeals.models import (
    CERTIFICATE_STATUS,
    CLOSED,
    DISMISSED,
    LOWER_LEVEL,
    NEW_ROUND,
    NOT_CONFIRMED_DECISION,
    OPEN_APPEAL_STATES,
    PANEL_DECISION,
    RECEIVED,
    REINSTATED,
    Appeal,
    Complaint,
)
from certcenter.applications import workflow
from certcenter.applications.models import Application, ApplicationEvent
from certcenter.assessments.models import RATINGS, Assignment, CriterionRating, Decision, FinalRating
from certcenter.certificates.models import Certificate
from certcenter.core.i18n import centre_today
from certcenter.core.models import UTCDateTime, utcnow
from certcenter.extensions import db
from certcenter.framework.models import FrameworkLevel
from certcenter.qualifications.models import Qualification

EXPIRY_HORIZON_DAYS = 90


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants [from, to): whole days in the centre's time zone."""
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        start = datetime.combine(self.start, time.min, zone).astimezone(UTC)
        end = datetime.combine(self.end + timedelta(days=1), time.min, zone).astimezone(UTC)
        return start, end

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> Period:
        today = today or centre_today()
        return cls(today - timedelta(days=days - 1), today)


def _seconds_between(later: ColumnElement, earlier: ColumnElement) -> ColumnElement:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _count_if(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _within(column: ColumnElement, period: Period) -> ColumnElement:
    start, end = period.bounds()
    return and_(column >= start, column < end)


def _percentiles(group: ColumnElement, value: ColumnElement):
    """SELECT group, count, median, p90 (nearest rank) over a subquery of values."""
    ranked = select(
        group.label("grp"),
        value.label("value"),
        func.row_number().over(partition_by=group, order_by=value).label("rank"),
        func.count().over(partition_by=group).label("n"),
    ).subquery()
    return select(
        ranked.c.grp,
        func.max(ranked.c.n),
        func.min(case((ranked.c.rank >= ranked.c.n * 0.5, ranked.c.value))),
        func.min(case((ranked.c.rank >= ranked.c.n * 0.9, ranked.c.value))),
    ).group_by(ranked.c.grp)


def _final_decision() -> ColumnElement:
    """The decision is its application's latest (of its last round decided): an application assessed again after an
    upheld appeal has its outcome counted once, by the decision that stands; the appeals are counted apart."""
    later = aliased(Decision)
    return ~exists().where(later.application_id == Decision.application_id, later.round > Decision.round)


def applications_by_state(period: Period) -> dict[str, int]:
    """Applications received (submitted, with or without a request for an exception) in the period, by their
    state now."""
    rows = db.session.execute(
        select(Application.state, func.count())
        .where(_within(Application.submitted_at, period))
        .group_by(Application.state)
    )
    counts = dict(rows.all())
    return {state: counts[state] for state in workflow.STATES if state in counts}


def confirmation_by_level(period: Period) -> list[dict[str, Any]]:
    """Decisions made in the period per NQF level: how many, how many confirmed."""
    rows = db.session.execute(
        select(FrameworkLevel.number, func.count(), _count_if(Decision.outcome == "confirmed"))
        .select_from(Decision)
        .join(Application, Decision.application_id == Application.id)
        .join(Qualification, Application.qualification_id == Qualification.id)
        .join(FrameworkLevel, Qualification.level_id == FrameworkLevel.id)
        .where(_within(Decision.decided_at, period), _final_decision())
        .group_by(FrameworkLevel.number)
        .order_by(FrameworkLevel.number)
    )
    return [_rate(level=level, decided=decided, confirmed=confirmed) for level, decided, confirmed in rows]


def confirmation_by_qualification(period: Period) -> list[dict[str, Any]]:
    per_qualification = (
        select(
            Application.qualification_id.label("qualification_id"),
            func.count().label("decided"),
            _count_if(Decision.outcome == "confirmed").label("confirmed"),
        )
        .select_from(Decision)
        .join(Application, Decision.application_id == Application.id)
        .where(_within(Decision.decided_at, period), _final_decision())
        .group_by(Application.qualification_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Qualification.code,
            Qualification.title,
            FrameworkLevel.number,
            per_qualification.c.decided,
            per_qualification.c.confirmed,
        )
        .join(per_qualification, per_qualification.c.qualification_id == Qualification.id)
        .join(FrameworkLevel, Qualification.level_id == FrameworkLevel.id)
        .order_by(FrameworkLevel.number, Qualification.code)
    )
    return [
        _rate(code=code, title=title, level=level, decided=decided, confirmed=confirmed)
        for code, title, level, decided, confirmed in rows
    ]


def _rate(*, decided: int, confirmed: int, **keys: Any) -> dict[str, Any]:
    return {**keys, "decided": decided, "confirmed": confirmed, "rate": round(100 * confirmed / decided, 1)}


def stage_durations(period: Period) -> list[dict[str, Any]]:
    """Time spent in each workflow stage, for stays that ended in the period: from the event that entered the
    state to the next event of the same application."""
    spans = select(
        ApplicationEvent.to_state.label("stage"),
        ApplicationEvent.at.label("entered"),
        func.lead(ApplicationEvent.at, type_=UTCDateTime())
        .over(partition_by=ApplicationEvent.application_id, order_by=(ApplicationEvent.at, ApplicationEvent.id))
        .label("left"),
    ).subquery()
    stays = (
        select(spans.c.stage, cast(_seconds_between(spans.c.left, spans.c.entered), Float).label("seconds"))
        .where(_within(spans.c.left, period))
        .subquery()
    )
    rows = db.session.execute(_percentiles(stays.c.stage, stays.c.seconds))
    found = {stage: (n, median, p90) for stage, n, median, p90 in rows}
    return [
        {
            "stage": stage,
            "count": found[stage][0],
            "median_days": _days(found[stage][1]),
            "p90_days": _days(found[stage][2]),
        }
        for stage in workflow.STATES
        if stage in found
    ]


def decision_lead_time(period: Period) -> dict[str, Any]:
    """From submission to the decision that stands (after an appeal, the later round's), for those made in the
    period."""
    waits = (
        select(
            literal("all").label("grp"),
            cast(_seconds_between(Decision.decided_at, Application.submitted_at), Float).label("seconds"),
        )
        .select_from(Decision)
        .join(Application, Decision.application_id == Application.id)
        .where(_within(Decision.decided_at, period), _final_decision(), Application.submitted_at.is_not(None))
        .subquery()
    )
    row = db.session.execute(_percentiles(waits.c.grp, waits.c.seconds)).first()
    if row is None:
        return {"count": 0, "median_days": None, "p90_days": None}
    return {"count": row[1], "median_days": _days(row[2]), "p90_days": _days(row[3])}


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 1)


def assessor_workload(period: Period) -> list[dict[str, Any]]:
    """Per assessor, the assignments made in the period: how many, completed, declined for a conflict, and how
    often the final ratings of those applications were agreed without moderation."""
    agreement = (
        select(
            FinalRating.application_id.label("application_id"),
            FinalRating.round.label("round"),
            func.count().label("ratings"),
            _count_if(FinalRating.agreed.is_(True)).label("agreed"),
        )
        .group_by(FinalRating.application_id, FinalRating.round)
        .subquery()
    )
    rows = db.session.execute(
        select(
            User.id,
            User.full_name,
            func.count(Assignment.id),
            _count_if(Assignment.status == "submitted"),
            _count_if(Assignment.status == "conflict"),
            func.coalesce(func.sum(agreement.c.ratings), 0),
            func.coalesce(func.sum(agreement.c.agreed), 0),
        )
        .select_from(Assignment)
        .join(User, Assignment.assessor_id == User.id)
        .outerjoin(
            agreement,
            and_(agreement.c.application_id == Assignment.application_id, agreement.c.round == Assignment.round),
        )
        .where(_within(Assignment.assigned_at, period))
        .group_by(User.id, User.full_name)
        .order_by(func.count(Assignment.id).desc(), User.full_name)
    )
    return [
        {
            "assessor": name,
            "assigned": assigned,
            "completed": completed,
            "conflicts": conflicts,
            "ratings": int(ratings),  # PostgreSQL sums bigints to numeric
            "agreement": round(100 * int(agreed) / int(ratings), 1) if ratings else None,
        }
        for _, name, assigned, completed, conflicts, ratings, agreed in rows
    ]


def agreement_by_criterion(period: Period) -> list[dict[str, Any]]:
    """How often the two assessors agreed, per descriptor and for the qualification's units together, over the
    assessment rounds decided in the period (each round its own assessors)."""
    group = case((FinalRating.criterion_key.like("descriptor:%"), FinalRating.criterion_key), else_=literal("units"))
    rows = db.session.execute(
        select(group, func.count(), _count_if(FinalRating.agreed.is_(True)))
        .select_from(FinalRating)
        .join(
            Decision, and_(Decision.application_id == FinalRating.application_id, Decision.round == FinalRating.round)
        )
        .where(_within(Decision.decided_at, period))
        .group_by(group)
        .order_by(group)
    )
    return [
        {"criterion": key, "ratings": total, "agreed": agreed, "rate": round(100 * agreed / total, 1)}
        for key, total, agreed in rows
    ]


def cohen_kappa(table: dict[tuple[str, str], int]) -> dict[str, Any]:
    """Cohen's kappa of two raters from their contingency table {(rating of A, rating of B): count}:
    kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of items both rated alike (the raw agreement) and
    p_e = sum over the ratings k of (share A gave k) x (share B gave k), the agreement expected by chance. Where
    chance alone explains every agreement (p_e = 1, both raters always gave the same single rating) kappa is not
    defined (None)."""
    n = sum(table.values())
    if not n:
        return {"items": 0, "agreement": None, "kappa": None}
    observed = sum(count for (a, b), count in table.items() if a == b) / n
    expected = sum(
        sum(c for (a, _), c in table.items() if a == k) * sum(c for (_, b), c in table.items() if b == k)
        for k in RATINGS
    ) / (n * n)
    kappa = None if expected >= 1 else (observed - expected) / (1 - expected)
    return {
        "items": n,
        "agreement": round(100 * observed, 1),
        "kappa": None if kappa is None else round(kappa, 3),
    }


def _rating_pairs(period: Period, group: str) -> list[tuple]:
    """The pairs of ratings two assessors gave the same criterion of the same application decided in the period,
    counted per (group, rating of the first, rating of the second); the first is the one assigned first.
    ``group`` is "assessors" (each row led by the first assessor's id and name, then the second's) or
    "descriptor" (the descriptor's key; units left out)."""
    one, other = aliased(Assignment), aliased(Assignment)
    first, second = aliased(CriterionRating), aliased(CriterionRating)
    one_user, other_user = aliased(User), aliased(User)
    if group == "assessors":
        groups = (one.assessor_id, one_user.full_name, other.assessor_id, other_user.full_name)
    else:
        groups = (first.criterion_key,)
    query = (
        select(*groups, first.rating, second.rating, func.count())
        .select_from(first)
        .join(one, one.id == first.assignment_id)
        .join(second, and_(second.criterion_key == first.criterion_key, second.assignment_id != first.assignment_id))
        .join(
            other,
            and_(
                other.id == second.assignment_id,
                other.application_id == one.application_id,
                other.round == one.round,
            ),
        )
        .join(Decision, and_(Decision.application_id == one.application_id, Decision.round == one.round))
        .join(one_user, one_user.id == one.assessor_id)
        .join(other_user, other_user.id == other.assessor_id)
        .where(
            one.id < other.id,
            one.status == "submitted",
            other.status == "submitted",
            first.rating.is_not(None),
            second.rating.is_not(None),
            _within(Decision.decided_at, period),
        )
        .group_by(*groups, first.rating, second.rating)
    )
    if group == "descriptor":
        query = query.where(first.criterion_key.like("descriptor:%"))
    return db.session.execute(query).all()


def kappa_by_pair(period: Period) -> list[dict[str, Any]]:
    """Cohen's kappa and the raw agreement of each pair of assessors who judged the same applications, over every
    criterion they both rated. The pair's order does not change kappa; names are shown alphabetically."""
    tables: dict[tuple[int, int], dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    names: dict[int, str] = {}
    for a_id, a_name, b_id, b_name, a_rating, b_rating, count in _rating_pairs(period, "assessors"):
        names |= {a_id: a_name, b_id: b_name}
        if a_id > b_id:  # one table per pair of people, whoever was assigned first
            a_id, b_id, a_rating, b_rating = b_id, a_id, b_rating, a_rating
        tables[(a_id, b_id)][(a_rating, b_rating)] += count
    rows = [{"assessors": sorted((names[a], names[b]))} | cohen_kappa(table) for (a, b), table in tables.items()]
    return sorted(rows, key=lambda row: (-row["items"], row["assessors"]))


def kappa_by_descriptor(period: Period) -> list[dict[str, Any]]:
    """Cohen's kappa and the raw agreement per NQF descriptor (knowledge, skills, competence), the first and the
    second assessor of each application taken as the two raters."""
    tables: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for key, a_rating, b_rating, count in _rating_pairs(period, "descriptor"):
        tables[key][(a_rating, b_rating)] = count
    order = ("descriptor:knowledge", "descriptor:skills", "descriptor:competence")
    return [{"criterion": key} | cohen_kappa(tables[key]) for key in order if key in tables]


def exceptions(period: Period) -> dict[str, int]:
    """Requests for an exception submitted in the period and what became of them."""
    row = db.session.execute(
        select(
            func.count(),
            _count_if(Application.exception_granted.is_(True)),
            _count_if(Application.exception_granted.is_(False)),
            _count_if(Application.exception_granted.is_(None)),
        ).where(_within(Application.submitted_at, period), Application.exception_request.is_not(None))
    ).one()
    return dict(zip(("requested", "granted", "refused", "pending"), row, strict=True))


def certificates(period: Period, today: date | None = None) -> dict[str, int]:
    """Certificates issued in the period, suspended or revoked in it (as they stand now), valid today,
    expiring within the next 90 days, and valid ones whose surveillance check is overdue."""
    from certcenter.certificates.surveillance import overdue_count_subquery

    today = today or centre_today()
    start, end = period.bounds()
    changed = and_(Certificate.status_changed_at >= start, Certificate.status_changed_at < end)
    in_force = and_(Certificate.status == "valid", Certificate.expires_on >= today)
    row = db.session.execute(
        select(
            _count_if(Certificate.issued_on.between(period.start, period.end)),
            _count_if(and_(Certificate.status == "suspended", changed)),
            _count_if(and_(Certificate.status == "revoked", changed)),
            _count_if(in_force),
            _count_if(and_(in_force, Certificate.expires_on <= today + timedelta(days=EXPIRY_HORIZON_DAYS))),
            overdue_count_subquery(today),
        )
    ).one()
    return dict(zip(("issued", "suspended", "revoked", "valid", "expiring", "surveillance_overdue"), row, strict=True))


def appeals(period: Period) -> dict[str, int]:
    """Appeals lodged in the period and outcomes reached in it, as the workflow's moves tell them: upheld (assessed
    again, or confirmed by the panel) or dismissed; pending is every appeal still open today."""
    lodged = ApplicationEvent.to_state == workflow.APPEALED
    decided = ApplicationEvent.from_state == workflow.APPEALED
    pending = (
        select(func.count()).select_from(Application).where(Application.state == workflow.APPEALED).scalar_subquery()
    )
    row = db.session.execute(
        select(
            _count_if(lodged),
            _count_if(
                and_(
                    decided,
                    ApplicationEvent.to_state.in_((workflow.IN_ASSESSMENT, workflow.SUBMITTED, workflow.CONFIRMED)),
                )
            ),
            _count_if(and_(decided, ApplicationEvent.to_state == workflow.NOT_CONFIRMED)),
            pending,
        ).where(_within(ApplicationEvent.at, period))
    ).one()
    return dict(zip(("lodged", "upheld", "dismissed", "pending"), row, strict=True))


def complaints(period: Period, now: datetime | None = None) -> dict[str, Any]:
    """Complaints received in the period; those closed in it, by outcome, with the mean days from filing to the
    answer; and, as they stand at ``now``, the open ones and the overdue (not acknowledged in time, or open past
    their answer's deadline)."""
    now = now or utcnow()
    closed = and_(_within(Complaint.closed_at, period), Complaint.state == CLOSED)
    is_open = Complaint.state != CLOSED
    overdue = and_(
        is_open,
        case((Complaint.state == RECEIVED, Complaint.acknowledge_by < now), else_=False) | (Complaint.resolve_by < now),
    )
    row = db.session.execute(
        select(
            _count_if(_within(Complaint.created_at, period)),
            _count_if(closed),
            *(_count_if(and_(closed, Complaint.outcome == outcome)) for outcome in COMPLAINT_OUTCOMES),
            func.avg(case((closed, _seconds_between(Complaint.closed_at, Complaint.created_at)))),
            _count_if(is_open),
            _count_if(overdue),
        )
    ).one()
    received, closed_count, *outcomes, mean_seconds, open_count, overdue_count = row
    return {
        "received": int(received),
        "closed": int(closed_count),
        **{outcome: int(count) for outcome, count in zip(COMPLAINT_OUTCOMES, outcomes, strict=True)},
        "mean_days_to_close": round(float(mean_seconds) / 86400, 1) if mean_seconds is not None else None,
        "open": int(open_count),
        "overdue": int(overdue_count),
    }


COMPLAINT_OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "withdrawn")
APPEAL_OUTCOMES = (DISMISSED, PANEL_DECISION, NEW_ROUND, REINSTATED)
APPEAL_SUBJECTS = (NOT_CONFIRMED_DECISION, LOWER_LEVEL, CERTIFICATE_STATUS)


def appeal_cases(period: Period, now: datetime | None = None) -> dict[str, Any]:
    """Appeals (the appeals' own records) received in the period; those decided in it, by outcome, with the mean
    days from lodging to the panel's outcome; and, as they stand at ``now``, the open ones and the overdue (open past
    the panel's deadline)."""
    now = now or utcnow()
    closed = and_(_within(Appeal.closed_at, period), Appeal.outcome.is_not(None))
    received = _within(Appeal.lodged_at, period)
    is_open = Appeal.state.in_(OPEN_APPEAL_STATES)
    row = db.session.execute(
        select(
            _count_if(received),
            _count_if(closed),
            *(_count_if(and_(closed, Appeal.outcome == outcome)) for outcome in APPEAL_OUTCOMES),
            func.avg(case((closed, _seconds_between(Appeal.closed_at, Appeal.lodged_at)))),
            _count_if(is_open),
            _count_if(and_(is_open, Appeal.decide_by < now)),
            *(_count_if(and_(received, Appeal.subject == subject)) for subject in APPEAL_SUBJECTS),
        )
    ).one()
    received_count, closed_count, *rest = row
    outcomes, (mean_seconds, open_count, overdue_count), by_subject = (
        rest[: len(APPEAL_OUTCOMES)],
        rest[len(APPEAL_OUTCOMES) : len(APPEAL_OUTCOMES) + 3],
        rest[len(APPEAL_OUTCOMES) + 3 :],
    )
    return {
        "received": int(received_count),
        "closed": int(closed_count),
        **{outcome: int(count) for outcome, count in zip(APPEAL_OUTCOMES, outcomes, strict=True)},
        "mean_days_to_close": round(float(mean_seconds) / 86400, 1) if mean_seconds is not None else None,
        "open": int(open_count),
        "overdue": int(overdue_count),
        # what the appeals received were against: the decision not to confirm, the lower level it advised, a
        # certificate's suspension or revocation
        "received_by_subject": dict(zip(APPEAL_SUBJECTS, map(int, by_subject), strict=True)),
    }


@dataclass
class CentreStatistics:
    period_start: str
    period_end: str
    computed_at: str
    applications_by_state: dict[str, int]
    confirmation_by_level: list[dict[str, Any]]
    confirmation_by_qualification: list[dict[str, Any]]
    stage_durations: list[dict[str, Any]]
    decision_lead_time: dict[str, Any]
    assessor_workload: list[dict[str, Any]]
    agreement_by_criterion: list[dict[str, Any]]
    exceptions: dict[str, int]
    certificates: dict[str, int]
    appeals: dict[str, int]
    complaints: dict[str, Any] = field(default_factory=dict)  # absent from snapshots made before complaints
    appeal_cases: dict[str, Any] = field(default_factory=dict)  # absent from snapshots made before appeals' records
    # statistics cached before kappa was computed have none
    kappa_by_pair: list[dict[str, Any]] = field(default_factory=list)
    kappa_by_descriptor: list[dict[str, Any]] = field(default_factory=list)

    @property
    def received(self) -> int:
        return sum(self.applications_by_state.values())

    @property
    def decided(self) -> int:
        return sum(row["decided"] for row in self.confirmation_by_level)

    @property
    def confirmation_rate(self) -> float | None:
        confirmed = sum(row["confirmed"] for row in self.confirmation_by_level)
        return round(100 * confirmed / self.decided, 1) if self.decided else None

    @property
    def agreement_rate(self) -> float | None:
        total = sum(row["ratings"] for row in self.agreement_by_criterion)
        agreed = sum(row["agreed"] for row in self.agreement_by_criterion)
        return round(100 * agreed / total, 1) if total else None

    @property
    def open_applications(self) -> int:
        closed = workflow.FINAL_STATES | {workflow.CONFIRMED, workflow.NOT_CONFIRMED}
        return sum(count for state, count in self.applications_by_state.items() if state not in closed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CentreStatistics:
        return cls(**data)


def compute(period: Period, today: date | None = None) -> CentreStatistics:
    return CentreStatistics(
        period_start=period.start.isoformat(),
        period_end=period.end.isoformat(),
        computed_at=utcnow().isoformat(),
        applications_by_state=applications_by_state(period),
        confirmation_by_level=confirmation_by_level(period),
        confirmation_by_qualification=confirmation_by_qualification(period),
        stage_durations=stage_durations(period),
        decision_lead_time=decision_lead_time(period),
        assessor_workload=assessor_workload(period),
        agreement_by_criterion=agreement_by_criterion(period),
        exceptions=exceptions(period),
        certificates=certificates(period, today),
        appeals=appeals(period),
        complaints=complaints(period),
        appeal_cases=appeal_cases(period),
        kappa_by_pair=kappa_by_pair(period),
        kappa_by_descriptor=kappa_by_descriptor(period),
    )
