"""The item analysis of a sitting or a period, from the marked attempts in the database (the statistics themselves
are ``analysis``'s pure functions): what the administrators' page and the PDF report show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from certcenter.core.i18n import select_timezone
from certcenter.exams.analysis import FormStatistics, ItemStatistics, Observation, form_statistics, item_statistics
from certcenter.exams.models import CHOICE_KINDS, MARKED, Attempt, AttemptItem, Question, QuestionVersion, Sitting
from certcenter.extensions import db


@dataclass
class ItemRow:
    statistics: ItemStatistics
    question: Question
    version: QuestionVersion


@dataclass
class SittingForm:
    sitting: Sitting
    statistics: FormStatistics | None


@dataclass
class Analysis:
    title_sittings: list[Sitting]
    items: list[ItemRow] = field(default_factory=list)
    forms: list[SittingForm] = field(default_factory=list)
    attempts: int = 0


def _observations(sitting_ids: list[int]) -> dict[int, list[Observation]]:
    rows = db.session.execute(
        select(
            Attempt.sitting_id,
            AttemptItem.attempt_id,
            AttemptItem.slot,
            AttemptItem.version_id,
            AttemptItem.score,
            AttemptItem.points,
            AttemptItem.response,
            AttemptItem.kind,
            AttemptItem.option_order,
        )
        .join(Attempt, AttemptItem.attempt_id == Attempt.id)
        .where(Attempt.sitting_id.in_(sitting_ids), Attempt.status == MARKED)
        .order_by(AttemptItem.attempt_id, AttemptItem.slot)
    ).all()
    by_sitting: dict[int, list[Observation]] = {}
    for row in rows:
        options = tuple(sorted(row.option_order)) if row.kind in CHOICE_KINDS else ()
        by_sitting.setdefault(row.sitting_id, []).append(
            Observation(row.attempt_id, row.slot, row.version_id, row.score or 0.0, row.points, row.response, options)
        )
    return by_sitting


def analyse(sittings: list[Sitting]) -> Analysis:
    by_sitting = _observations([sitting.id for sitting in sittings])
    result = Analysis(sittings)
    everything = [o for observations in by_sitting.values() for o in observations]
    result.attempts = len({o.attempt_id for o in everything})
    for sitting in sittings:
        result.forms.append(SittingForm(sitting, form_statistics(by_sitting.get(sitting.id, []))))
    statistics = item_statistics(everything)
    versions = {
        v.id: v
        for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_([s.item for s in statistics])))
    }
    result.items = sorted(
        (ItemRow(s, versions[s.item].question, versions[s.item]) for s in statistics),
        key=lambda row: (row.question.code, row.version.number),
    )
    return result


def sitting_analysis(sitting: Sitting) -> Analysis:
    return analyse([sitting])


def period_sittings(date_from: date, date_to: date, qualification_id: int | None = None) -> list[Sitting]:
    zone = ZoneInfo(select_timezone())
    start = datetime.combine(date_from, time(0), tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=zone)
    statement = (
        select(Sitting)
        .where(Sitting.starts_at >= start, Sitting.starts_at < end, Sitting.marked_at.is_not(None))
        .order_by(Sitting.starts_at)
    )
    if qualification_id:
        statement = statement.where(Sitting.qualification_id == qualification_id)
    return list(db.session.scalars(statement))
