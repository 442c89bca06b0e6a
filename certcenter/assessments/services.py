"""Assessment verbs: assign, declare conflicts, judge, moderate, recommend and decide. None of them commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certcenter.accounts.models import ASSESSOR, User
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.assessments import signals
from certcenter.assessments.competence import Candidacy, assessor_candidacies, refuse_out_of_scope
from certcenter.assessments.models import (
    ACTIVE,
    APPEAL,
    BY_ASSESSORS,
    BY_EXAM,
    BY_MODERATION,
    CONFLICT,
    CONFLICT_KINDS,
    EVIDENCE_RULES,
    INITIAL,
    MET,
    PENDING,
    PRACTICAL,
    RATINGS,
    RESULT_KINDS,
    ROUND_KINDS,
    SUBMITTED,
    THEORY,
    AssessmentResult,
    AssessmentRound,
    AssessorResult,
    Assignment,
    CriterionRating,
    Decision,
    EvidenceReview,
    FinalRating,
    Moderator,
)
from certcenter.assessments.policy import (
    EARLIER_ROUND_REFUSAL,
    can_decide,
    can_pick_moderator,
    current_moderator,
    earlier_participants,
    may_be_moderator,
    moderation_refusal,
    round_participants,  # noqa: F401 - the appeals ask here who took part in a round (panel independence)
)
from certcenter.candidates.eligibility import MET as ELIGIBLE
from certcenter.candidates.models import EducationRecord
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_today
from certcenter.core.ids import parse_id
from certcenter.core.models import utcnow
from certcenter.core.registry import Registry
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition
from certcenter.framework.services import edition_in_force
from certcenter.notifications.services import notify, notify_administrators
from certcenter.qualifications.criteria import Criterion, criteria_for

# The notices assessment sends (told by ``panels.describe_notice``).
ASSIGNED, CONFLICT_DECLARED, READY_FOR_DECISION = "assigned", "conflict_declared", "ready_for_decision"
MODERATOR_PICKED, MODERATOR_CONFLICT = "moderator_picked", "moderator_conflict"
MODERATION_ASKED = "moderation_asked"  # to the administrators: the assessors disagree, pick a moderator


class AssessmentError(UserError):
    """A refused step of an assessment."""


def lock_application(application_id: int) -> Application:
    """Load the application with a row lock (PostgreSQL), so concurrent judgements and decisions serialise."""
    return db.session.execute(
        select(Application)
        .where(Application.id == application_id)
        .with_for_update(of=Application)
        .execution_options(populate_existing=True)
    ).scalar_one()


# Rules from the domains above that ask for another number of assessors for some applications (a renewal by the short
# route: one, unless its rule says two); the first that answers with a number decides.
_assessor_rules = Registry("assessments.assessors_needed")


def register_assessors_rule(app: Flask, name: str, rule: Callable[[Application], int | None]) -> None:
    _assessor_rules.add(app, name, rule)


def required_assessors(application: Application | None = None) -> int:
    if application is not None:
        for rule in _assessor_rules:
            needed = rule(application)
            if needed is not None:
                return int(needed)
    return int(current_app.config["ASSESSORS_PER_APPLICATION"])


def counting_assignments(application: Application) -> list[Assignment]:
    return [assignment for assignment in application.assignments if assignment.counts]


# --- rounds ---------------------------------------------------------------------------------------------------------

# The states from which a new round may be opened, per kind of round.
ROUND_OPENS_FROM = {APPEAL: frozenset({workflow.APPEALED})}


def open_round(
    application: Application, by: User, *, kind: str, reason: str, reference: int | None = None
) -> AssessmentRound:
    """Send the application to a new assessment round (an upheld appeal): the round after the current one, whose
    assessors, moderator and decider must have taken no part in an earlier round. The application goes back to
    the assignment of assessors (``submitted``); the earlier rounds' rows stay as they are. Does not commit."""
    application = lock_application(application.id)
    case.refuse_own_case(application, by, case.ASSIGN)
    if kind not in ROUND_OPENS_FROM:
        raise AssessmentError(_l("An application is sent to a new assessment round only by an upheld appeal."))
    if application.state not in ROUND_OPENS_FROM[kind]:
        raise workflow.TransitionError(
            _l(
                "An application that is “%(state)s” cannot be sent to a new assessment round.",
                state=application.state_label,
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError(_l("A written reason is required for this step."))
    number = (application.current_round or 1) + 1
    workflow.transition(application, workflow.SUBMITTED, by, reason=reason, round=number)
    application.current_round = number
    opened = AssessmentRound(
        application=application, number=number, kind=kind, opened_by=by, reason=reason, reference=reference
    )
    db.session.add(opened)
    db.session.flush()
    audit.record(
        "assessment.round_opened",
        opened,
        actor=by,
        application_id=application.id,
        round=number,
        kind=kind,
        reference=reference,
    )
    return opened


def current_round_opened_at(application: Application) -> datetime | None:
    """When the round under way was opened (None for the first: it began with the application)."""
    opened = next((r for r in application.assessment_rounds if r.number == application.current_round), None)
    return opened.opened_at if opened is not None else None


@dataclass
class RoundView:
    """One assessment round of an application as the pages and the report show it."""

    number: int
    kind: str
    opened_at: datetime | None
    opened_by: User | None
    reason: str
    reference: int | None
    assignments: list[Assignment]
    results: list[AssessmentResult]
    moderators: list[Moderator]
    final_ratings: list[FinalRating]
    decision: Decision | None
    current: bool

    @property
    def kind_label(self) -> str:
        return str(ROUND_KINDS[self.kind])


def rounds_of(application: Application) -> list[RoundView]:
    """The application's assessment rounds in order, each with its own rows; the last is the current one."""
    opened = {row.number: row for row in application.assessment_rounds}
    current = application.current_round or 1
    views = []
    for number in range(1, current + 1):
        row = opened.get(number)
        views.append(
            RoundView(
                number=number,
                kind=row.kind if row else INITIAL,
                opened_at=row.opened_at if row else application.submitted_at,
                opened_by=row.opened_by if row else None,
                reason=row.reason if row else "",
                reference=row.reference if row else None,
                assignments=[a for a in application.all_assignments if a.round == number],
                results=[r for r in application.all_results if r.round == number],
                moderators=[m for m in application.all_moderators if m.round == number],
                final_ratings=[f for f in application.all_final_ratings if f.round == number],
                decision=next((d for d in application.decisions if d.round == number), None),
                current=number == current,
            )
        )
    return views


# --- assignments ----------------------------------------------------------------------------------------------------


def available_assessors(application: Application) -> list[User]:
    """Active assessors not yet assigned to (nor conflicted out of) this application in its current round, who took
    no part in an earlier round, and not its candidate."""
    taken = {assignment.assessor_id for assignment in application.assignments} | earlier_participants(application)
    from certcenter.accounts.models import UserRole

    users = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == ASSESSOR, User.active.is_(True)).order_by(User.full_name)
    )
    return [user for user in users if user.id not in taken and user.id != application.candidate.user_id]


def assessors_on_offer(application: Application) -> list[Candidacy]:
    """The assessors who could be assigned, each with his standing for the qualification (in scope, expired, no
    scope) and his workload: the form offers those in scope."""
    return assessor_candidacies(available_assessors(application), application.qualification)


def assign_assessor(application: Application, assessor: User, *, actor: User, lead: bool = False) -> Assignment:
    case.refuse(application, actor, case.ASSIGN)
    if application.state not in (workflow.SUBMITTED, workflow.IN_ASSESSMENT):
        raise AssessmentError(_l("Assessors are assigned to submitted applications only."))
    if assessor.id in earlier_participants(application):
        audit.record_refusal(
            "assessment.assign_refused",
            application,
            actor=actor,
            assessor_id=assessor.id,
            round=application.current_round,
        )
        raise AssessmentError(EARLIER_ROUND_REFUSAL)
    if assessor not in available_assessors(application):
        raise AssessmentError(
            _l(
                "This person cannot be assigned: not an active assessor, already assigned, "
                "conflicted out, or the candidate."
            )
        )
    refuse_out_of_scope(assessor, application.qualification)
    current = counting_assignments(application)
    if len(current) >= required_assessors(application):
        raise AssessmentError(
            _l("The application already has its %(count)s assessors.", count=required_assessors(application))
        )
    if lead or not any(assignment.is_lead for assignment in current):
        for assignment in current:
            assignment.is_lead = False
        lead = True
    assignment = Assignment(application=application, assessor=assessor, assigned_by=actor, is_lead=lead)
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "assessment.assign", assignment, actor=actor, application_id=application.id, assessor_id=assessor.id, lead=lead
    )
    notify(assessor.id, ASSIGNED, application)
    if application.state == workflow.SUBMITTED and len(counting_assignments(application)) >= required_assessors(
        application
    ):
        workflow.transition(application, workflow.IN_ASSESSMENT, actor)
    return assignment


def declare_conflict(
    assignment: Assignment, *, actor: User, conflict: bool, kind: str | None = None, note: str = ""
) -> None:
    """The assessor's declaration on first opening. A conflict removes the assignment and tells the admin."""
    case.refuse(assignment.application, actor, case.DECLARE)
    if assignment.status != PENDING or not assignment.in_current_round:
        raise AssessmentError(_l("The declaration has already been made."))
    assignment.declared_at = utcnow()
    if not conflict:
        assignment.status = ACTIVE
        audit.record("assessment.no_conflict", assignment, actor=actor, application_id=assignment.application_id)
        return
    if kind not in CONFLICT_KINDS:
        raise AssessmentError(_l("Choose the kind of conflict."))
    if kind == "other" and not note.strip():
        raise AssessmentError(_l("Describe the conflict."))
    assignment.status = CONFLICT
    assignment.conflict_kind = kind
    assignment.conflict_note = note.strip() or None
    if assignment.is_lead:
        assignment.is_lead = False
        others = [other for other in counting_assignments(assignment.application) if other is not assignment]
        if others:
            others[0].is_lead = True
    audit.record("assessment.conflict", assignment, actor=actor, application_id=assignment.application_id, kind=kind)
    if assignment.assigned_by_id:
        notify(assignment.assigned_by_id, CONFLICT_DECLARED, assignment.application)


# --- judging --------------------------------------------------------------------------------------------------------


def _criteria(application: Application) -> dict[str, Criterion]:
    return {criterion.key: criterion for criterion in criteria_for(application)}


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


def result_tolerance() -> int:
    return int(current_app.config["RESULT_TOLERANCE_POINTS"])


def results_agree(percents: list[int], pass_mark: int) -> bool:
    """The assessors' results agree when they lie within the tolerance of one another and on the same side of
    the pass mark."""
    return max(percents) - min(percents) <= result_tolerance() and len({p >= pass_mark for p in percents}) == 1


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


def marking_closed(application: Application) -> bool:
    return bool(application.final_ratings)


# --- moderation -----------------------------------------------------------------------------------------------------


def moderator_candidates(application: Application) -> list[User]:
    """Whom an administrator may pick to moderate: active assessors and administrators the policy allows."""
    from certcenter.accounts.models import ADMINISTRATOR, UserRole

    users = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role.in_((ASSESSOR, ADMINISTRATOR)), User.active.is_(True))
        .order_by(User.full_name)
        .distinct()
    )
    return [user for user in users if may_be_moderator(application, user) is None]


def pick_moderator(application: Application, moderator: User, *, actor: User) -> Moderator:
    """An administrator picks the moderator of the application's disagreements; he declares his conflicts of
    interest before he may moderate."""
    application = lock_application(application.id)
    case.refuse(application, actor, case.ASSIGN)  # picking the moderator of one's own case is assigning him
    if not can_pick_moderator(application, actor):
        raise AssessmentError(_l("An administrator picks the moderator while the application is in moderation."))
    if current_moderator(application) is not None:
        raise AssessmentError(_l("A moderator has already been picked for this application."))
    reason = may_be_moderator(application, moderator)
    if reason is not None:
        raise AssessmentError(reason)
    picked = Moderator(application=application, user=moderator, picked_by=actor)
    db.session.add(picked)
    db.session.flush()
    audit.record(
        "assessment.moderator_pick", picked, actor=actor, application_id=application.id, moderator_id=moderator.id
    )
    notify(moderator.id, MODERATOR_PICKED, application)
    return picked


def declare_moderator_conflict(
    moderator: Moderator, *, actor: User, conflict: bool | None, kind: str | None = None, note: str = ""
) -> None:
    """The moderator's declaration before he sees the case. A conflict removes him and tells the administrator."""
    case.refuse(moderator.application, actor, case.DECLARE)
    if moderator.user_id != actor.id:
        raise AssessmentError(_l("Only the moderator an administrator picked for this application moderates it."))
    if moderator.status != PENDING:
        raise AssessmentError(_l("The declaration has already been made."))
    if conflict is None:
        raise AssessmentError(_l("Answer whether you have a conflict of interest."))
    moderator.declared_at = utcnow()
    if not conflict:
        moderator.status = ACTIVE
        audit.record(
            "assessment.moderator_no_conflict", moderator, actor=actor, application_id=moderator.application_id
        )
        return
    if kind not in CONFLICT_KINDS:
        raise AssessmentError(_l("Choose the kind of conflict."))
    if kind == "other" and not note.strip():
        raise AssessmentError(_l("Describe the conflict."))
    moderator.status = CONFLICT
    moderator.conflict_kind = kind
    moderator.conflict_note = note.strip() or None
    audit.record(
        "assessment.moderator_conflict", moderator, actor=actor, application_id=moderator.application_id, kind=kind
    )
    if moderator.picked_by_id:
        notify(moderator.picked_by_id, MODERATOR_CONFLICT, moderator.application)


def _may_moderate(application: Application, actor: User) -> Application:
    application = lock_application(application.id)
    case.refuse(application, actor, case.MODERATE)
    reason = moderation_refusal(application, actor)
    if reason is not None:
        raise AssessmentError(reason)
    return application


def moderate(
    application: Application,
    criterion_key: str,
    *,
    actor: User,
    rating: str,
    reason: str,
    met_at_level: int | None = None,
) -> None:
    """The moderator settles a criterion the assessors disagree on, with his reason; what each assessor said stays
    on the final rating."""
    application = _may_moderate(application, actor)
    final = next((final for final in application.final_ratings if final.criterion_key == criterion_key), None)
    if final is None or final.agreed:
        raise AssessmentError(_l("This criterion needs no moderation."))
    if rating not in RATINGS:
        raise AssessmentError(_l("Choose the moderated rating."))
    if not reason.strip():
        raise AssessmentError(_l("Write the reason for the moderated rating."))
    target = application.qualification.level.number
    final.rating = rating
    final.met_at_level = met_at_level if met_at_level and rating != MET and 1 <= met_at_level < target else None
    final.moderated_by = actor
    final.moderated_at = utcnow()
    final.moderation_reason = reason.strip()
    db.session.flush()
    audit.record(
        "assessment.moderate", application, actor=actor, criterion=criterion_key, rating=rating, reason=reason.strip()
    )
    _moderation_done(application, actor)


def moderate_result(application: Application, kind: str, *, actor: User, percent: int | None, reason: str) -> None:
    """The moderator sets a result the assessors disagree on, with his reason; what each assessor gave stays on
    the result."""
    application = _may_moderate(application, actor)
    result = next((result for result in application.results if result.kind == kind), None)
    if result is None or result.agreed:
        raise AssessmentError(_l("This result needs no moderation."))
    if percent is None or not 0 <= percent <= 100:
        raise AssessmentError(_l("A result is a percentage from 0 to 100."))
    if not reason.strip():
        raise AssessmentError(_l("Write the reason for the moderated result."))
    result.percent, result.recorded_by, result.moderation_reason = percent, actor, reason.strip()
    db.session.flush()
    audit.record("assessment.moderate_result", application, actor=actor, kind=kind, percent=percent, reason=reason)
    _moderation_done(application, actor)


def _moderation_done(application: Application, actor: User) -> None:
    if all(final.rating for final in application.final_ratings) and all(
        result.percent is not None for result in application.results
    ):
        workflow.transition(application, workflow.AWAITING_DECISION, actor)
        notify_administrators(READY_FOR_DECISION, application)
        notify_administrators(READY_FOR_DECISION, application)


def moderation_outstanding(application: Application) -> bool:
    return any(not final.rating for final in application.final_ratings) or any(
        result.percent is None for result in application.results
    )


# --- recommendation and decision ------------------------------------------------------------------------------------


@dataclass
class Recommendation:
    outcome: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    advice_level: int | None = None


def recommend(application: Application) -> Recommendation:
    """Confirmed only if eligibility is met (or an exception granted), every final rating is "met", and both
    results reach the pass marks. Otherwise not confirmed, with every reason, and where the three NQF descriptors
    are met at a lower level, the highest such level as advice."""
    qualification = application.qualification
    reasons: list[dict[str, Any]] = []
    if not (application.eligibility_status == ELIGIBLE or application.exception_granted):
        reasons.append({"code": "eligibility", "status": application.eligibility_status})
    criteria = _criteria(application)
    finals = {final.criterion_key: final for final in application.final_ratings}
    for key, criterion in criteria.items():
        final = finals.get(key)
        if final is None or final.rating != MET:
            reasons.append(
                {
                    "code": "criterion",
                    "key": key,
                    "unit": criterion.code if criterion.kind == "unit" else None,
                    "rating": final.rating if final else None,
                }
            )
    results = {result.kind: result for result in application.results if result.percent is not None}
    for kind, pass_mark in ((THEORY, qualification.theory_pass_mark), (PRACTICAL, qualification.practical_pass_mark)):
        result = results.get(kind)
        if result is None:
            reasons.append({"code": "result_missing", "kind": kind})
        elif result.percent < pass_mark:
            reasons.append({"code": "result_below", "kind": kind, "percent": result.percent, "pass_mark": pass_mark})
    if not reasons:
        return Recommendation("confirmed")
    return Recommendation("not_confirmed", reasons, _advice_level(application, finals))


def _advice_level(application: Application, finals: dict[str, FinalRating]) -> int | None:
    """The highest lower level at which all three descriptors are met, by the final ratings."""
    target = application.qualification.level.number
    levels = []
    for key in ("descriptor:competence", "descriptor:skills", "descriptor:knowledge"):
        final = finals.get(key)
        if final is None:
            return None
        levels.append(target if final.rating == MET else (final.met_at_level or 0))
    advice = min(levels)
    return advice if 1 <= advice < target else None


def decide(
    application: Application, *, actor: User, outcome: str, deviation_reason: str = "", comment: str = ""
) -> Decision:
    application = lock_application(application.id)
    case.refuse(application, actor, case.DECIDE)
    if application.state != workflow.AWAITING_DECISION:
        raise workflow.TransitionError(_l("A decision is recorded only when the application awaits it."))
    if not can_decide(application, actor):
        raise AssessmentError(_l("Those who assessed or moderated an application do not decide it."))
    if outcome not in ("confirmed", "not_confirmed"):
        raise AssessmentError(_l("Choose the decision."))
    recommendation = recommend(application)
    deviation_reason = deviation_reason.strip()
    if outcome != recommendation.outcome and not deviation_reason:
        raise AssessmentError(_l("A decision that differs from the recommendation needs a written reason."))
    edition, edition_note = decision_edition(application)
    decision = Decision(
        application=application,
        edition_id=edition.id,
        outcome=outcome,
        recommended_outcome=recommendation.outcome,
        reasons=recommendation.reasons,
        advice_level=recommendation.advice_level,
        deviation_reason=deviation_reason if outcome != recommendation.outcome else None,
        comment=comment.strip(),
        decided_by=actor,
        snapshot=decision_snapshot(application, recommendation) | edition_note,
    )
    db.session.add(decision)
    db.session.flush()
    audit.record(
        "assessment.decide",
        decision,
        actor=actor,
        application_id=application.id,
        outcome=outcome,
        recommended=recommendation.outcome,
    )
    target = workflow.CONFIRMED if outcome == "confirmed" else workflow.NOT_CONFIRMED
    workflow.transition(application, target, actor, reason=deviation_reason or comment.strip() or None)
    signals.decision_recorded.send(decision, actor=actor)
    return decision


def decision_edition(application: Application) -> tuple[FrameworkEdition, dict[str, Any]]:
    """The edition the decision is made under, and what its snapshot says when the application's own edition is no
    longer in force: that it was replaced (by which edition, if one is in force) and which the centre's rule
    (``DECISION_EDITION``) chose."""
    own = application.edition
    today = centre_today()
    if own.in_force_on(today):
        return own, {}
    in_force = edition_in_force(today)
    rule = current_app.config["DECISION_EDITION"]
    used = in_force if rule == "in_force" and in_force is not None else own

    def named(edition: FrameworkEdition | None) -> dict[str, Any] | None:
        return None if edition is None else {"id": edition.id, "code": edition.code, "title": edition.title}

    return used, {
        "edition": named(used),
        "edition_replaced": {"own": named(own), "in_force": named(in_force), "rule": rule},
    }


def qualification_snapshot(qualification) -> dict[str, Any]:
    """What a decision keeps of the qualification: enough to print the certificate and the report as they were."""
    level = qualification.level
    return {
        "id": qualification.id,
        "code": qualification.code,
        "title": qualification.title,
        "level": level.number,
        "eqf_level": level.eqf_level,
        "professional_standard": qualification.professional_standard,
        "theory_pass_mark": qualification.theory_pass_mark,
        "practical_pass_mark": qualification.practical_pass_mark,
        "validity_years": qualification.validity_years,
    }


def criterion_snapshot(criterion: Criterion) -> dict[str, Any]:
    """What a decision's snapshot copies of a criterion (its judgements follow it there)."""
    return {
        "key": criterion.key,
        "kind": criterion.kind,
        "code": criterion.code,
        "title": criterion.title if isinstance(criterion.title, dict) else descriptor_titles(criterion.key),
        "text": criterion.text,
        "skills": criterion.skills,
        "knowledge": criterion.knowledge,
    }


def decision_snapshot(application: Application, recommendation: Recommendation) -> dict[str, Any]:
    """Everything the decision rests on, copied, so later edits to the framework or the qualification never
    change what it says."""
    qualification = application.qualification
    finals = {final.criterion_key: final for final in application.final_ratings}
    assignments = [a for a in counting_assignments(application) if a.status == SUBMITTED]
    return {
        "edition": {"id": application.edition.id, "code": application.edition.code, "title": application.edition.title},
        "qualification": qualification_snapshot(qualification)
        | {"version": application.qualification_version.number if application.qualification_version else None},
        "eligibility": application.eligibility,
        "exception_granted": application.exception_granted,
        "criteria": [
            criterion_snapshot(criterion)
            | {
                "final": finals[criterion.key].rating if criterion.key in finals else None,
                "agreed": finals[criterion.key].agreed if criterion.key in finals else None,
                "moderation_reason": finals[criterion.key].moderation_reason if criterion.key in finals else None,
                "moderated_by": _name(finals[criterion.key].moderated_by) if criterion.key in finals else None,
                "assessors": [
                    {
                        "assessor": a.assessor.full_name,
                        "rating": a.rating(criterion.key).rating,
                        "justification": a.rating(criterion.key).justification,
                        "evidence_ids": a.rating(criterion.key).evidence_ids,
                    }
                    for a in assignments
                    if a.rating(criterion.key)
                ],
            }
            for criterion in criteria_for(application)
        ],
        "results": [
            {
                "kind": r.kind,
                "percent": r.percent,
                "taken_on": r.taken_on.isoformat(),
                "notes": r.notes,
                "source": r.source,
                "set_by": _name(r.recorded_by),
                "sitting_id": r.sitting_id,
                "positions": r.positions,
                "moderation_reason": r.moderation_reason,
            }
            for r in application.results
        ],
        "moderator": _moderator_snapshot(application),
        "evidence": [
            {
                "id": item.id,
                "kind": item.kind,
                "filename": item.original_filename,
                "sha256": item.sha256,
                "document_date": item.document_date.isoformat() if item.document_date else None,
            }
            for item in application.evidence
        ],
        "recommendation": {
            "outcome": recommendation.outcome,
            "reasons": recommendation.reasons,
            "advice_level": recommendation.advice_level,
        },
    }


def _name(user: User | None) -> str | None:
    return user.full_name if user is not None else None


def _moderator_snapshot(application: Application) -> dict[str, Any] | None:
    moderator = current_moderator(application)
    if moderator is None or moderator.status != ACTIVE:
        return None
    return {"id": moderator.user_id, "name": moderator.user.full_name, "picked_by": _name(moderator.picked_by)}


def descriptor_titles(key: str) -> dict[str, str]:
    from flask_babel import force_locale

    from certcenter.framework.vocabulary import DESCRIPTOR_LABELS

    kind = key.split(":", 1)[1]
    titles = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            titles[language] = str(DESCRIPTOR_LABELS[kind])
    return titles


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
