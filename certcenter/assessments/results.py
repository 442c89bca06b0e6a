"""Results of the theory test and the practical task: each assessor's own (blind until all have submitted), the
one a marked exam sitting gives, and the result of record the assessors' own make when marking closes, where
they agree within the tolerance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.assessments.common import AssessmentError, counting_assignments
from certcenter.assessments.models import (
    BY_ASSESSORS,
    BY_EXAM,
    BY_MODERATION,
    PRACTICAL,
    SUBMITTED,
    THEORY,
    AssessmentResult,
    AssessorResult,
    Assignment,
)
from certcenter.core import audit
from certcenter.extensions import db


def _parse_result(percent: int, taken_on: date | str) -> date:
    if not 0 <= percent <= 100:
        raise AssessmentError(_l("A result is a percentage from 0 to 100."))
    if isinstance(taken_on, str):
        try:
            return date.fromisoformat(taken_on)
        except ValueError:
            raise AssessmentError(_l("Enter the date of the test as YYYY-MM-DD.")) from None
    return taken_on


def exam_result(application: Application, kind: str) -> AssessmentResult | None:
    """The result of record a marked exam sitting gave, if any: the assessors then record no result of that kind."""
    return next((r for r in application.results if r.kind == kind and r.source == BY_EXAM), None)


def record_own_result(
    assignment: Assignment, kind: str, *, percent: int, taken_on: date | str, notes: str = ""
) -> AssessorResult | None:
    """The assessor's own result of the theory test or the practical task, seen by no one else until every
    assessor has submitted. Where an exam sitting gave the result, there is nothing for the assessor to record."""
    taken_on = _parse_result(percent, taken_on)
    if exam_result(assignment.application, kind) is not None:
        return None
    result = assignment.result(kind)
    if result is None:
        result = AssessorResult(kind=kind, percent=percent, taken_on=taken_on)
        assignment.results.append(result)
    result.percent, result.taken_on, result.notes = percent, taken_on, notes.strip()
    return result


def record_exam_result(
    application: Application,
    kind: str,
    *,
    actor: User | None,
    percent: int,
    taken_on: date | str,
    sitting_id: int,
    notes: str = "",
) -> AssessmentResult:
    """A marked exam sitting sets the result of record directly (source: the sitting); the assessors' own entries
    of that kind no longer count."""
    taken_on = _parse_result(percent, taken_on)
    result = next((result for result in application.results if result.kind == kind), None)
    if result is None:
        result = AssessmentResult(application=application, kind=kind, percent=percent, taken_on=taken_on)
        db.session.add(result)
    values = (BY_EXAM, percent, taken_on, notes.strip(), sitting_id)
    if (result.source, result.percent, result.taken_on, result.notes, result.sitting_id) != values:
        result.source, result.percent, result.taken_on, result.notes, result.sitting_id = values
        result.recorded_by, result.positions, result.moderation_reason = actor, None, None
        db.session.flush()
        audit.record(
            "assessment.result",
            application,
            actor=actor,
            kind=kind,
            percent=percent,
            source=BY_EXAM,
            sitting_id=sitting_id,
        )
    return result


def result_tolerance() -> int:
    return int(current_app.config["RESULT_TOLERANCE_POINTS"])


def results_agree(percents: list[int], pass_mark: int) -> bool:
    """The assessors' results agree when they lie within the tolerance of one another and on the same side of
    the pass mark."""
    return max(percents) - min(percents) <= result_tolerance() and len({p >= pass_mark for p in percents}) == 1


def _close_results(application: Application, assignments: list[Assignment]) -> int:
    """The result of record of each kind from the assessors' own results: where they agree, their mean (rounded
    down, so no candidate is credited with more than the assessors together gave); where not, one to moderate.
    A result an exam sitting gave stands. Gives the number of results to moderate."""
    qualification = application.qualification
    pass_marks = {THEORY: qualification.theory_pass_mark, PRACTICAL: qualification.practical_pass_mark}
    disagreements = 0
    for kind in (THEORY, PRACTICAL):
        if exam_result(application, kind) is not None:
            continue
        own = [(a, a.result(kind)) for a in assignments if a.result(kind) is not None]
        if not own:
            continue
        percents = [result.percent for _, result in own]
        agreed = results_agree(percents, pass_marks[kind])
        record = next((result for result in application.results if result.kind == kind), None)
        if record is None:
            record = AssessmentResult(application=application, kind=kind, taken_on=own[0][1].taken_on)
            db.session.add(record)
        record.source = BY_ASSESSORS if agreed else BY_MODERATION
        record.percent = sum(percents) // len(percents) if agreed else None
        record.taken_on = max(result.taken_on for _, result in own)
        record.notes, record.recorded_by, record.sitting_id, record.moderation_reason = "", None, None, None
        record.positions = [
            {"assessor_id": a.assessor_id, "assessor": a.assessor.full_name, "percent": r.percent, "notes": r.notes}
            for a, r in own
        ]
        disagreements += not agreed
    return disagreements


@dataclass
class ResultAgreement:
    kind: str
    own: list[tuple[Assignment, AssessorResult]]
    record: AssessmentResult | None


def result_agreement(application: Application) -> list[ResultAgreement]:
    """Per kind of result: each assessor's own result and the result of record. Only once every judgement is in."""
    assignments = [a for a in counting_assignments(application) if a.status == SUBMITTED]
    records = {result.kind: result for result in application.results}
    return [
        ResultAgreement(kind, [(a, a.result(kind)) for a in assignments if a.result(kind)], records.get(kind))
        for kind in (THEORY, PRACTICAL)
    ]
