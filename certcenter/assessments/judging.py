"""Judging: what the assessor reads (the evidence), his draft and his submitted judgement (evidence reviews,
criterion ratings and his own results), and the close of marking when the last judgement is in: the final
ratings, agreed or left to moderation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from certcenter.accounts.models import User
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.assessments.common import (
    MODERATION_ASKED,
    READY_FOR_DECISION,
    AssessmentError,
    _criteria,
    counting_assignments,
    lock_application,
    required_assessors,
)
from certcenter.assessments.models import (
    EVIDENCE_RULES,
    MET,
    PRACTICAL,
    RATINGS,
    RESULT_KINDS,
    SUBMITTED,
    THEORY,
    Assignment,
    CriterionRating,
    EvidenceReview,
    FinalRating,
)
from certcenter.assessments.results import _close_results, exam_result, record_own_result
from certcenter.candidates.models import EducationRecord
from certcenter.core import audit
from certcenter.core.i18n import centre_today
from certcenter.core.ids import parse_id
from certcenter.core.models import utcnow
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from certcenter.notifications.services import notify_administrators
from certcenter.qualifications.criteria import Criterion, criteria_for


def _evidence_ids(application: Application) -> set[int]:
    ids = {item.id for item in application.evidence}
    ids |= {record.document_id for record in application.candidate.education if record.document_id}
    return ids


def save_draft(assignment: Assignment, data: dict[str, Any], *, actor: User) -> None:
    """Store what the assessor has entered so far (an autosave, or before a submission)."""
    case.refuse(assignment.application, actor, case.ASSESS)
    if not assignment.can_score(actor):
        raise AssessmentError(_l("This judgement can no longer be changed."))
    application = assignment.application
    criteria = _criteria(application)
    evidence_ids = _evidence_ids(application)
    for raw_id, values in (data.get("reviews") or {}).items():
        evidence_id = parse_id(raw_id)
        if evidence_id not in evidence_ids:
            raise AssessmentError(_l("Unknown evidence item. Reload the page."))
        review = assignment.review(evidence_id)
        if review is None:
            review = EvidenceReview(evidence_id=evidence_id)
            assignment.evidence_reviews.append(review)
        for rule in EVIDENCE_RULES:
            setattr(review, rule, bool(values.get(rule)))
        review.comment = (values.get("comment") or "").strip()
    for key, values in (data.get("ratings") or {}).items():
        if key not in criteria:
            raise AssessmentError(_l("Unknown criterion. Reload the page."))
        rating = assignment.rating(key)
        if rating is None:
            rating = CriterionRating(criterion_key=key)
            assignment.ratings.append(rating)
        value = values.get("rating") or None
        if value is not None and value not in RATINGS:
            raise AssessmentError(_l("Unknown rating. Reload the page."))
        rating.rating = value
        rating.justification = (values.get("justification") or "").strip()
        rating.evidence_ids = sorted({parse_id(item) for item in values.get("evidence_ids") or []} & evidence_ids)
        level = parse_id(values.get("met_at_level") or None)
        target = application.qualification.level.number
        rating.met_at_level = (
            level if level and criteria[key].kind == "descriptor" and value != MET and 1 <= level < target else None
        )
    for kind, values in (data.get("results") or {}).items():
        if kind not in RESULT_KINDS or not values or values.get("percent") in (None, ""):
            continue
        percent = parse_id(values["percent"])
        if percent is None:
            raise AssessmentError(_l("A result is a percentage from 0 to 100."))
        record_own_result(
            assignment,
            kind,
            percent=percent,
            taken_on=values.get("taken_on") or centre_today(),
            notes=values.get("notes") or "",
        )
    assignment.draft_saved_at = utcnow()
    db.session.flush()


def judgement_problems(assignment: Assignment) -> list[Any]:
    """What must be completed before the judgement can be submitted."""
    problems = []
    application = assignment.application
    for criterion in criteria_for(application):
        rating = assignment.rating(criterion.key)
        label = criterion.code if criterion.kind == "unit" else str(criterion.title)
        if rating is None or rating.rating is None:
            problems.append(_l("Rate the criterion “%(criterion)s”.", criterion=label))
        elif not rating.justification:
            problems.append(_l("Write a justification for the rating of “%(criterion)s”.", criterion=label))
        elif not rating.evidence_ids:
            problems.append(_l("Choose the evidence the rating of “%(criterion)s” rests on.", criterion=label))
    for item in application.evidence:
        review = assignment.review(item.id)
        if review is not None and not review.all_rules_met and not review.comment:
            problems.append(
                _l("Explain in a comment why “%(name)s” fails a rule of evidence.", name=item.original_filename)
            )
    for kind in (THEORY, PRACTICAL):
        if assignment.result(kind) is None and exam_result(application, kind) is None:
            problems.append(_l("Record the result of the %(kind)s.", kind=str(RESULT_KINDS[kind]).lower()))
    return problems


def submit_judgement(assignment: Assignment, data: dict[str, Any], *, actor: User) -> None:
    """Lock the judgement. The last assessor to submit moves the application on: to moderation where the
    assessors disagree on a criterion, otherwise to the decision."""
    application = lock_application(assignment.application_id)
    case.refuse(application, actor, case.ASSESS)
    if assignment.status == SUBMITTED:
        return  # a second click
    save_draft(assignment, data, actor=actor)
    problems = judgement_problems(assignment)
    if problems:
        raise AssessmentError(problems[0])
    assignment.status = SUBMITTED
    assignment.submitted_at = utcnow()
    db.session.flush()
    audit.record(
        "assessment.submit",
        assignment,
        actor=actor,
        application_id=application.id,
        ratings={rating.criterion_key: rating.rating for rating in assignment.ratings},
        results={result.kind: result.percent for result in assignment.results},
    )
    assignments = counting_assignments(application)
    if len(assignments) >= required_assessors(application) and all(a.status == SUBMITTED for a in assignments):
        _close_marking(application, assignments)


def _close_marking(application: Application, assignments: list[Assignment]) -> None:
    disagreements = 0
    for key in _criteria(application):
        ratings = [assignment.rating(key) for assignment in assignments]
        values = {rating.rating for rating in ratings}
        agreed = len(values) == 1
        levels = [rating.met_at_level for rating in ratings if rating.met_at_level]
        db.session.add(
            FinalRating(
                application=application,
                criterion_key=key,
                agreed=agreed,
                rating=values.pop() if agreed else None,
                met_at_level=min(levels) if agreed and levels else None,
                positions=[
                    {
                        "assessor_id": a.assessor_id,
                        "assessor": a.assessor.full_name,
                        "rating": rating.rating,
                        "met_at_level": rating.met_at_level,
                    }
                    for a, rating in zip(assignments, ratings, strict=True)
                ],
            )
        )
        disagreements += not agreed
    disagreements += _close_results(application, assignments)
    db.session.flush()
    target = workflow.MODERATION if disagreements else workflow.AWAITING_DECISION
    workflow.transition(application, target, None, disagreements=disagreements)
    notify_administrators(MODERATION_ASKED if target == workflow.MODERATION else READY_FOR_DECISION, application)


@dataclass
class Agreement:
    criterion: Criterion
    ratings: list[CriterionRating]
    final: FinalRating | None

    @property
    def agreed(self) -> bool:
        return len({rating.rating for rating in self.ratings}) == 1


def agreement(application: Application) -> list[Agreement]:
    """Per criterion: each assessor's rating and the final one. Only once every judgement is in (blind marking)."""
    assignments = [a for a in counting_assignments(application) if a.status == SUBMITTED]
    finals = {final.criterion_key: final for final in application.final_ratings}
    return [
        Agreement(criterion, [a.rating(criterion.key) for a in assignments], finals.get(criterion.key))
        for criterion in criteria_for(application)
    ]


def marking_closed(application: Application) -> bool:
    return bool(application.final_ratings)


def evidence_for_assessor(application: Application) -> list[EvidenceItem]:
    """The application's items, then the profile documents (diplomas) behind its education records. A diploma the
    candidate also uploaded to the application (the same content) is shown once: as the application's item, which
    carries his mapping to the criteria, labelled with its education record (``education_documents``)."""
    uploaded = {item.sha256 for item in application.evidence}
    documents = [
        record.document
        for record in application.candidate.education
        if record.document and record.document.sha256 not in uploaded
    ]
    return list(application.evidence) + documents


def education_documents(application: Application) -> dict[int, EducationRecord]:
    """Evidence item id -> the education record whose document it is (the profile's own item, or the application's
    item with the same content)."""
    records = {
        record.document.sha256: record for record in application.candidate.education if record.document is not None
    }
    labels = {record.document_id: record for record in records.values()}
    for item in application.evidence:
        if item.sha256 in records:
            labels[item.id] = records[item.sha256]
    return labels
