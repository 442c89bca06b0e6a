"""Examination verbs: the bank, the specification, sittings and bookings, attempts, marking and the result's way
into the application. None of them commits (the view or the task does)."""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from certcenter.accounts.models import ASSESSOR, User
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_day, select_timezone
from certcenter.core.models import utcnow
from certcenter.exams import kinds, policy
from certcenter.exams.drawing import PoolQuestion, draw_form, shortfalls
from certcenter.exams.models import (
    ACCEPTED,
    ADMITTED,
    APPROVED,
    BOOKED,
    BOOKING_CANCELLED,
    BY_CANDIDATE,
    BY_PROCTOR,
    BY_SERVER,
    CANCELLED,
    CLOSED,
    DRAFT,
    IN_PROGRESS,
    IN_REVIEW,
    MARKED,
    MODES,
    OPEN,
    PENDING,
    REJECTED,
    RETIRED,
    SCHEDULED,
    SUBMITTED,
    TRUE_FALSE,
    VOIDED,
    Attempt,
    AttemptItem,
    Blueprint,
    Booking,
    Question,
    QuestionVersion,
    Sitting,
)
from certcenter.extensions import db
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS
from certcenter.notifications.services import notify, notify_many
from certcenter.qualifications.models import Qualification, QualificationUnit

# Notices (told by ``panels.describe_notice``).
RESULT_READY, SITTING_BOOKED = "exam_result_ready", "exam_booked"


class ExamError(UserError):
    """A refused step of an examination."""


# --- the bank -------------------------------------------------------------------------------------------------------


def _unit_of(qualification: Qualification, unit_id: int) -> QualificationUnit:
    unit = next((unit for unit in qualification.units if unit.id == int(unit_id)), None)
    if unit is None:
        raise ExamError(_l("Choose a unit of this qualification."), field="unit_id")
    return unit


def _check_content(content: kinds.Content) -> None:
    problems = kinds.content_problems(content)
    if problems:
        raise ExamError(problems[0])


def next_code(qualification: Qualification) -> str:
    count = db.session.scalar(select(func.count()).where(Question.qualification_id == qualification.id)) or 0
    code = f"{qualification.code}-Q{count + 1:04d}"
    while db.session.scalar(
        select(Question.id).where(Question.qualification_id == qualification.id, Question.code == code)
    ):
        count += 1
        code = f"{qualification.code}-Q{count + 1:04d}"
    return code


def create_question(
    qualification: Qualification,
    *,
    actor: User | None,
    unit_id: int,
    descriptor: str,
    content: kinds.Content,
    code: str | None = None,
    audit_action: str = "exams.question_create",
) -> Question:
    unit = _unit_of(qualification, unit_id)
    if descriptor not in DESCRIPTOR_KINDS:
        raise ExamError(_l("Choose the NQF descriptor the question tests."), field="descriptor")
    _check_content(content)
    code = (code or "").strip() or next_code(qualification)
    if db.session.scalar(
        select(Question.id).where(Question.qualification_id == qualification.id, Question.code == code)
    ):
        raise ExamError(_l("A question with the code %(code)s is already in the bank.", code=code), field="code")
    question = Question(
        qualification=qualification, unit=unit, descriptor=descriptor, kind=content.kind, code=code, author=actor
    )
    question.versions.append(_version(content, number=1, actor=actor))
    db.session.add(question)
    db.session.flush()
    audit.record(audit_action, question, actor=actor, code=code, kind=content.kind)
    return question


def _version(content: kinds.Content, *, number: int, actor: User | None) -> QuestionVersion:
    options = kinds.TRUE_FALSE_OPTIONS if content.kind == TRUE_FALSE else content.options
    return QuestionVersion(
        number=number,
        stem={language: (content.stem.get(language) or "").strip() for language in kinds.LANGUAGES},
        options=options,
        key=content.key,
        points=content.points,
        created_by=actor,
    )


def edit_question(
    question: Question, *, actor: User, unit_id: int, descriptor: str, content: kinds.Content
) -> QuestionVersion:
    """Change a question. A version that a form has shown, or that was approved, stays as it is: the change is a
    new version (a draft again, to be approved by a second person). A draft never shown is changed in place."""
    if not policy.can_edit_question(question, actor):
        raise ExamError(_l("This question cannot be changed."))
    if content.kind != question.kind:
        raise ExamError(_l("The kind of a question does not change; write a new question instead."))
    question.unit = _unit_of(question.qualification, unit_id)
    if descriptor not in DESCRIPTOR_KINDS:
        raise ExamError(_l("Choose the NQF descriptor the question tests."), field="descriptor")
    question.descriptor = descriptor
    _check_content(content)
    current = question.current
    if current.used_at is None and question.status == DRAFT:
        fresh = _version(content, number=current.number, actor=actor)
        current.stem, current.options, current.key, current.points = fresh.stem, fresh.options, fresh.key, fresh.points
        current.created_by = actor
        version = current
    else:
        version = _version(content, number=current.number + 1, actor=actor)
        question.versions.append(version)
    question.status, question.approved_by, question.approved_at = DRAFT, None, None
    db.session.flush()
    audit.record("exams.question_edit", question, actor=actor, version=version.number)
    return version


def content_of(version: QuestionVersion) -> kinds.Content:
    return kinds.Content(version.question.kind, version.stem, version.options, version.key, version.points)


def approve_question(question: Question, *, actor: User) -> None:
    if question.status == DRAFT and question.current.created_by_id == actor.id:
        raise ExamError(_l("The author of a question does not approve it: a second person does."))
    if not policy.can_approve(question, actor):
        raise ExamError(_l("This question cannot be approved now."))
    problems = kinds.approval_problems(content_of(question.current))
    if problems:
        raise ExamError(problems[0])
    question.status, question.approved_by, question.approved_at = APPROVED, actor, utcnow()
    audit.record("exams.question_approve", question, actor=actor, version=question.current.number)


def retire_question(question: Question, *, actor: User, reason: str = "") -> None:
    if not policy.can_retire(question, actor):
        raise ExamError(_l("This question cannot be retired."))
    question.status = RETIRED
    audit.record("exams.question_retire", question, actor=actor, reason=reason.strip())


def bank_counts(qualification: Qualification) -> dict[tuple[int, str], dict[str, int]]:
    """(unit id, descriptor) -> {status: count}."""
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = db.session.execute(
        select(Question.unit_id, Question.descriptor, Question.status, func.count())
        .where(Question.qualification_id == qualification.id)
        .group_by(Question.unit_id, Question.descriptor, Question.status)
    )
    for unit_id, descriptor, status, count in rows:
        counts[(unit_id, descriptor)][status] = count
    return counts


# --- the specification ----------------------------------------------------------------------------------------------


def blueprint_of(qualification: Qualification) -> Blueprint | None:
    return db.session.scalar(select(Blueprint).where(Blueprint.qualification_id == qualification.id))


def save_blueprint(
    qualification: Qualification, *, actor: User, rows: list[dict[str, Any]], **settings: Any
) -> Blueprint:
    unit_ids = {unit.id for unit in qualification.units}
    clean = []
    for row in rows:
        count = int(row["count"])
        if count < 0 or count > 200:
            raise ExamError(_l("A number of questions is from 0 to 200."))
        if int(row["unit_id"]) not in unit_ids or row["descriptor"] not in DESCRIPTOR_KINDS:
            raise ExamError(_l("Unknown unit or descriptor. Reload the page."))
        if count:
            clean.append({"unit_id": int(row["unit_id"]), "descriptor": row["descriptor"], "count": count})
    if not clean:
        raise ExamError(_l("The test needs at least one question."))
    blueprint = blueprint_of(qualification) or Blueprint(qualification=qualification)
    blueprint.rows = clean
    for name in ("time_limit_minutes", "shuffle_questions", "shuffle_options", "max_attempts", "retake_wait_days"):
        setattr(blueprint, name, settings[name])
    blueprint.reveal_answers = bool(settings.get("reveal_answers"))
    db.session.add(blueprint)
    db.session.flush()
    audit.record("exams.blueprint_save", blueprint, actor=actor, rows=clean, **settings)
    return blueprint


def pool(qualification_id: int) -> list[PoolQuestion]:
    """The approved questions of a qualification, each as its current version."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.qualification_id == qualification_id, Question.status == APPROVED)
        .options(selectinload(Question.versions))
        .order_by(Question.id)
    )
    return [
        PoolQuestion(q.id, q.current.id, q.unit_id, q.descriptor, q.kind, q.current.points, q.current.options)
        for q in questions
    ]


def blueprint_shortfalls(blueprint: Blueprint) -> list[dict[str, Any]]:
    return shortfalls(blueprint.rows, pool(blueprint.qualification_id))


# --- sittings -------------------------------------------------------------------------------------------------------


def centre_datetime(day, moment) -> datetime:
    """A date and a time of day on the centre's clock, as UTC."""
    return datetime.combine(day, moment, tzinfo=ZoneInfo(select_timezone())).astimezone(ZoneInfo("UTC"))


def eligible_proctors() -> list[User]:
    from certcenter.accounts.models import UserRole

    return list(
        db.session.scalars(
            select(User).join(UserRole).where(UserRole.role == ASSESSOR, User.active.is_(True)).order_by(User.full_name)
        )
    )


def schedule_sitting(
    qualification: Qualification,
    *,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    mode: str,
    room: str,
    capacity: int,
    proctor: User,
) -> Sitting:
    blueprint = blueprint_of(qualification)
    if blueprint is None:
        raise ExamError(_l("Write the test specification of this qualification first."))
    if blueprint_shortfalls(blueprint):
        raise ExamError(_l("The question bank does not have enough approved questions for the test specification."))
    if ends_at <= starts_at:
        raise ExamError(_l("The sitting ends after it starts."), field="end_time")
    if ends_at - starts_at < timedelta(minutes=blueprint.time_limit_minutes):
        raise ExamError(_l("The time window is shorter than the test's time limit."), field="end_time")
    if mode not in MODES:
        raise ExamError(_l("Choose where the test is sat."), field="mode")
    if not proctor.active or not proctor.has_role(ASSESSOR):
        raise ExamError(_l("The proctor is an active assessor."), field="proctor_id")
    if not 1 <= capacity <= 1000:
        raise ExamError(_l("The capacity is from 1 to 1000 places."), field="capacity")
    sitting = Sitting(
        qualification=qualification,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        room=room.strip(),
        capacity=capacity,
        proctor=proctor,
        created_by_id=actor.id,
        spec={
            "rows": blueprint.rows,
            "time_limit_minutes": blueprint.time_limit_minutes,
            "shuffle_questions": blueprint.shuffle_questions,
            "shuffle_options": blueprint.shuffle_options,
            "max_attempts": blueprint.max_attempts,
            "retake_wait_days": blueprint.retake_wait_days,
            "reveal_answers": blueprint.reveal_answers,
            "pass_mark": qualification.theory_pass_mark,
        },
    )
    db.session.add(sitting)
    db.session.flush()
    audit.record(
        "exams.sitting_schedule",
        sitting,
        actor=actor,
        starts_at=starts_at.isoformat(),
        mode=mode,
        capacity=capacity,
        proctor_id=proctor.id,
    )
    return sitting


def lock_sitting(sitting_id: int) -> Sitting:
    return db.session.execute(
        select(Sitting).where(Sitting.id == sitting_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def open_sitting(sitting: Sitting, *, actor: User) -> None:
    """The proctor opens the session: each booked candidate gets a one-time admission code."""
    if not policy.can_proctor(sitting, actor):
        raise ExamError(_l("Only the sitting's proctor or an administrator runs it."))
    if sitting.status != SCHEDULED:
        raise ExamError(_l("Only a scheduled sitting is opened."))
    sitting.status, sitting.opened_at = OPEN, utcnow()
    for booking in sitting.active_bookings:
        booking.admission_code = new_admission_code()
    audit.record("exams.sitting_open", sitting, actor=actor)


def new_admission_code() -> str:
    return "".join(secrets.choice("23456789") for _ in range(6))


def close_sitting(sitting: Sitting, *, actor: User | None) -> None:
    """End the sitting: attempts still open are submitted as they are (then the sitting is marked)."""
    if actor is not None and not policy.can_proctor(sitting, actor):
        raise ExamError(_l("Only the sitting's proctor or an administrator runs it."))
    if sitting.status != OPEN:
        raise ExamError(_l("Only an open sitting is closed."))
    now = utcnow()
    for attempt in db.session.scalars(
        select(Attempt).where(Attempt.sitting_id == sitting.id, Attempt.status == IN_PROGRESS)
    ):
        _submit(attempt, BY_SERVER if attempt.deadline_at <= now else BY_PROCTOR, actor)
    sitting.status, sitting.closed_at = CLOSED, now
    audit.record("exams.sitting_close", sitting, actor=actor)


def cancel_sitting(sitting: Sitting, *, actor: User, reason: str) -> None:
    if sitting.status != SCHEDULED:
        raise ExamError(_l("Only a sitting that has not opened is cancelled."))
    if not reason.strip():
        raise ExamError(_l("Give the reason."), field="reason")
    sitting.status = CANCELLED
    for booking in sitting.active_bookings:
        booking.status = BOOKING_CANCELLED
    audit.record("exams.sitting_cancel", sitting, actor=actor, reason=reason.strip())


# --- bookings -------------------------------------------------------------------------------------------------------


def attempts_of(application: Application) -> list[Attempt]:
    return list(
        db.session.scalars(select(Attempt).where(Attempt.application_id == application.id).order_by(Attempt.id))
    )


def active_booking(application: Application) -> Booking | None:
    """The booking the candidate has not sat yet (or is sitting)."""
    for booking in db.session.scalars(
        select(Booking).where(Booking.application_id == application.id, Booking.status != BOOKING_CANCELLED)
    ):
        unsat = booking.attempt is None or booking.attempt.status == IN_PROGRESS
        if unsat and booking.sitting.status in (SCHEDULED, OPEN):
            return booking
    return None


def booking_problem(application: Application, sitting: Sitting | None = None) -> Any:
    """Why the candidate cannot book (a message), or None."""
    if application.state != workflow.IN_ASSESSMENT:
        return _l("The theory test is booked once the application is in assessment.")
    if active_booking(application) is not None:
        return _l("You already have a place in a sitting.")
    blueprint = blueprint_of(application.qualification)
    spec = sitting.spec if sitting is not None else None
    max_attempts = spec["max_attempts"] if spec else (blueprint.max_attempts if blueprint else 1)
    wait_days = spec["retake_wait_days"] if spec else (blueprint.retake_wait_days if blueprint else 0)
    counted = [a for a in attempts_of(application) if a.status != VOIDED]
    if len(counted) >= max_attempts:
        return _l("You have used all %(count)s attempts at the theory test.", count=max_attempts)
    if counted and any(a.passed for a in counted):
        return _l("You have passed the theory test.")
    if counted and sitting is not None:
        last = max(a.submitted_at or a.started_at for a in counted)
        if sitting.starts_at < last + timedelta(days=wait_days):
            return _l("A new attempt is possible %(days)s days after the last one.", days=wait_days)
    if sitting is not None:
        if sitting.qualification_id != application.qualification_id or sitting.status != SCHEDULED:
            return _l("This sitting cannot be booked.")
        if sitting.starts_at <= utcnow():
            return _l("This sitting has already started.")
        if sitting.proctor_id == application.candidate.user_id:
            return _l("This sitting cannot be booked.")
        if len(sitting.active_bookings) >= sitting.capacity:
            return _l("This sitting is full.")
    return None


def bookable_sittings(application: Application) -> list[Sitting]:
    if booking_problem(application) is not None:
        return []
    sittings = db.session.scalars(
        select(Sitting)
        .where(
            Sitting.qualification_id == application.qualification_id,
            Sitting.status == SCHEDULED,
            Sitting.starts_at > utcnow(),
        )
        .order_by(Sitting.starts_at)
    )
    return [sitting for sitting in sittings if booking_problem(application, sitting) is None]


def book(application: Application, sitting_id: int, *, actor: User) -> Booking:
    if db.session.get(Sitting, sitting_id) is None:
        raise ExamError(_l("This sitting cannot be booked."))
    sitting = lock_sitting(sitting_id)  # places are counted under the sitting's lock
    problem = booking_problem(application, sitting)
    if problem is not None:
        raise ExamError(problem)
    booking = Booking(sitting=sitting, application=application, user_id=application.candidate.user_id)
    db.session.add(booking)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ExamError(_l("You already have a place in this sitting.")) from None
    audit.record("exams.book", booking, actor=actor, sitting_id=sitting.id, application_id=application.id)
    notify(booking.user_id, SITTING_BOOKED, application, sitting_id=sitting.id)
    return booking


def cancel_booking(booking: Booking, *, actor: User) -> None:
    if booking.status != BOOKED or booking.sitting.status != SCHEDULED:
        raise ExamError(_l("A place is given up only before the sitting opens."))
    booking.status = BOOKING_CANCELLED
    audit.record("exams.booking_cancel", booking, actor=actor)


def admit(booking: Booking, *, actor: User, code: str | None = None) -> None:
    """Admitted by the proctor, or by the candidate with the one-time code the proctor gives him."""
    if code is None:
        case.refuse(booking.application, actor, case.PROCTOR)
    sitting = booking.sitting
    if sitting.status != OPEN:
        raise ExamError(_l("The sitting is not open."))
    if booking.status == ADMITTED:
        return
    if booking.status != BOOKED:
        raise ExamError(_l("This place was given up."))
    if code is not None:
        if not booking.admission_code or not secrets.compare_digest(code.strip(), booking.admission_code):
            raise ExamError(_l("The admission code is not right. Ask the proctor."), field="code")
    elif not policy.can_proctor(sitting, actor):
        raise ExamError(_l("Only the sitting's proctor or an administrator runs it."))
    booking.status, booking.admitted_at, booking.admitted_by_id = ADMITTED, utcnow(), actor.id
    booking.admission_code = None  # used once
    audit.record("exams.admit", booking, actor=actor, by_code=code is not None)


# --- attempts -------------------------------------------------------------------------------------------------------


def start_attempt(booking: Booking, *, actor: User) -> Attempt:
    """The candidate starts: his form is drawn (the seed recorded) and the server's clock starts. Starting again
    (a second tab, a double click) gives the same attempt."""
    if booking.attempt is not None:
        return booking.attempt
    sitting = booking.sitting
    if booking.user_id != actor.id or booking.status != ADMITTED or sitting.status != OPEN:
        raise ExamError(_l("You have not been admitted to this sitting."))
    if booking.application.state != workflow.IN_ASSESSMENT:
        raise ExamError(_l("The application is no longer in assessment."))
    if utcnow() >= sitting.ends_at:
        raise ExamError(_l("The sitting's time window has passed."))
    spec = sitting.spec
    seed = secrets.randbits(63)
    drawn = draw_form(
        spec["rows"],
        pool(sitting.qualification_id),
        seed,
        shuffle_questions=spec["shuffle_questions"],
        shuffle_options=spec["shuffle_options"],
    )
    now = utcnow()
    attempt = Attempt(
        booking=booking,
        sitting=sitting,
        application=booking.application,
        user_id=booking.user_id,
        seed=seed,
        started_at=now,
        deadline_at=now + timedelta(minutes=spec["time_limit_minutes"]),
        client_token=secrets.token_urlsafe(24),
    )
    for item in drawn:
        attempt.items.append(
            AttemptItem(
                position=item.position,
                slot=item.slot,
                version_id=item.question.version_id,
                unit_id=item.question.unit_id,
                descriptor=item.question.descriptor,
                kind=item.question.kind,
                points=item.question.points,
                option_order=item.option_order,
            )
        )
    db.session.add(attempt)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        db.session.expire_all()
        existing = db.session.scalar(select(Attempt).where(Attempt.booking_id == booking.id))
        if existing is not None:
            return existing
        raise ExamError(_l("You already have a test open.")) from None
    db.session.execute(
        update(QuestionVersion)
        .where(QuestionVersion.id.in_({item.question.version_id for item in drawn}), QuestionVersion.used_at.is_(None))
        .values(used_at=now)
    )
    audit.record("exams.attempt_start", attempt, actor=actor, seed=seed, sitting_id=sitting.id)
    return attempt


def remaining_seconds(attempt: Attempt, now: datetime | None = None) -> int:
    return max(0, int((attempt.deadline_at - (now or utcnow())).total_seconds()))


def expire_if_due(attempt: Attempt, now: datetime | None = None) -> bool:
    """Submit an attempt whose time is up (on any access, and by the periodic sweep). Whether it was."""
    if attempt.status == IN_PROGRESS and attempt.deadline_at <= (now or utcnow()):
        _submit(attempt, BY_SERVER, None)
        return True
    return False


def resume(attempt: Attempt) -> int:
    """The window that opens the test takes it over (an older tab stops saving); gives the last sequence number
    saved, from which the page counts on."""
    attempt.client_token = secrets.token_urlsafe(24)
    return db.session.scalar(select(func.max(AttemptItem.seq)).where(AttemptItem.attempt_id == attempt.id)) or 0


def submit_attempt(attempt: Attempt, *, actor: User) -> None:
    if not policy.owns_attempt(attempt, actor):
        raise ExamError(_l("This is not your test."))
    if expire_if_due(attempt):
        return
    if attempt.status != IN_PROGRESS:
        return  # a second click
    _submit(attempt, BY_CANDIDATE, actor)


def _submit(attempt: Attempt, by: str, actor: User | None) -> None:
    attempt.status = SUBMITTED
    attempt.submitted_by = by
    # Time that ran out ends at the deadline, however late the server noticed.
    attempt.submitted_at = min(utcnow(), attempt.deadline_at)
    audit.record("exams.attempt_submit", attempt, actor=actor, by=by)


def submit_expired_attempts() -> int:
    """The sweep: every attempt past its deadline is submitted."""
    expired = db.session.scalars(
        select(Attempt).where(Attempt.status == IN_PROGRESS, Attempt.deadline_at <= utcnow())
    ).all()
    for attempt in expired:
        _submit(attempt, BY_SERVER, None)
    return len(expired)


def add_time(attempt: Attempt, *, actor: User, minutes: int, reason: str) -> None:
    case.refuse(attempt.application, actor, case.PROCTOR)
    if not policy.can_proctor(attempt.sitting, actor):
        raise ExamError(_l("Only the sitting's proctor or an administrator runs it."))
    if expire_if_due(attempt) or attempt.status != IN_PROGRESS:
        raise ExamError(_l("Time is added only to a test in progress."))
    if not 1 <= minutes <= 120:
        raise ExamError(_l("Add from 1 to 120 minutes."), field="minutes")
    if not reason.strip():
        raise ExamError(_l("Give the reason."), field="reason")
    attempt.extra_seconds += minutes * 60
    attempt.deadline_at = attempt.deadline_at + timedelta(minutes=minutes)
    audit.record("exams.add_time", attempt, actor=actor, minutes=minutes, reason=reason.strip())


def void_attempt(attempt: Attempt, *, actor: User, reason: str) -> None:
    case.refuse(attempt.application, actor, case.PROCTOR)
    if not policy.can_proctor(attempt.sitting, actor):
        raise ExamError(_l("Only the sitting's proctor or an administrator runs it."))
    if attempt.status in (VOIDED, MARKED):
        raise ExamError(_l("A marked or voided attempt is not voided."))
    if not reason.strip():
        raise ExamError(_l("Give the reason."), field="reason")
    attempt.status, attempt.voided_at, attempt.voided_by_id, attempt.void_reason = (
        VOIDED,
        utcnow(),
        actor.id,
        reason.strip(),
    )
    audit.record("exams.attempt_void", attempt, actor=actor, reason=reason.strip())


# --- marking --------------------------------------------------------------------------------------------------------


def mark_sitting(sitting_id: int) -> int:
    """Mark every submitted attempt of the sitting: the attempts with their answers, applications and results in
    four queries and the keys in one, marks written by one flush, the notices and audit entries one statement each.
    Attempts with short-text answers no accepted answer matches wait for an assessor. Gives the number of attempts
    marked (a second run finds none)."""
    import certcenter.assessments.models  # noqa: F401 - declares Application.all_results, loaded here with the attempts

    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.sitting_id == sitting_id, Attempt.status == SUBMITTED)
        .options(
            selectinload(Attempt.items),
            selectinload(Attempt.application).selectinload(Application.all_results),
        )
        .order_by(Attempt.id)
    ).all()
    if not attempts:
        return 0
    version_ids = {item.version_id for attempt in attempts for item in attempt.items}
    keys = dict(
        db.session.execute(
            select(QuestionVersion.id, QuestionVersion.key).where(QuestionVersion.id.in_(version_ids))
        ).all()
    )
    marked, notices = [], []
    for attempt in attempts:
        waiting = False
        for item in attempt.items:
            result = kinds.mark(item.kind, keys[item.version_id], item.points, item.response)
            item.score, item.review_status = result.score, PENDING if result.needs_review else None
            waiting = waiting or result.needs_review
        if waiting:
            attempt.status = IN_REVIEW
            continue
        _totals(attempt)
        marked.append(("Attempt", attempt.id, {"percent": attempt.percent, "passed": attempt.passed}))
        if publish_result(attempt, actor=None):
            notices.append((attempt.user_id, RESULT_READY, attempt.application, {"attempt_id": attempt.id}))
    db.session.flush()
    audit.record_many("exams.attempt_mark", marked, actor=None)
    notify_many(notices)
    sitting = db.session.get(Sitting, sitting_id)
    sitting.marked_at = utcnow()
    audit.record("exams.sitting_mark", sitting, actor=None, attempts=len(attempts), marked=len(marked))
    return len(attempts)


def _totals(attempt: Attempt) -> None:
    """Totals per unit and descriptor, the percentage and the pass: the attempt is marked."""
    units: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    descriptors: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    score = maximum = 0.0
    for item in attempt.items:
        for totals, key in ((units, str(item.unit_id)), (descriptors, item.descriptor)):
            totals[key][0] += item.score or 0
            totals[key][1] += item.points
        score += item.score or 0
        maximum += item.points
    attempt.unit_scores, attempt.descriptor_scores = dict(units), dict(descriptors)
    attempt.score, attempt.max_score = score, maximum
    attempt.percent = round(100 * score / maximum) if maximum else 0
    attempt.passed = attempt.percent >= int(attempt.sitting.spec["pass_mark"])
    attempt.status, attempt.marked_at = MARKED, utcnow()


def finish_marking(attempt: Attempt, *, actor: User | None) -> None:
    """The marking of one attempt ends (the last short answer decided): its totals, then its result."""
    _totals(attempt)
    audit.record("exams.attempt_mark", attempt, actor=actor, percent=attempt.percent, passed=attempt.passed)
    if publish_result(attempt, actor=actor):
        notify(attempt.user_id, RESULT_READY, attempt.application, attempt_id=attempt.id)


def pending_reviews(user: User) -> list[AttemptItem]:
    items = db.session.scalars(
        select(AttemptItem)
        .join(Attempt)
        .where(AttemptItem.review_status == PENDING, Attempt.status == IN_REVIEW)
        .order_by(AttemptItem.id)
    ).all()
    return [item for item in items if policy.can_review(item, user)]


def review_answer(item: AttemptItem, *, actor: User, accept: bool) -> None:
    """An assessor's decision on a short-text answer no accepted answer matched; the last decision finishes the
    attempt's marking."""
    case.refuse(item.attempt.application, actor, case.RECORD_RESULT)
    if not policy.can_review(item, actor):
        raise ExamError(_l("You do not mark this answer."))
    if item.review_status != PENDING or item.attempt.status != IN_REVIEW:
        raise ExamError(_l("This answer has already been decided."))
    item.review_status = ACCEPTED if accept else REJECTED
    item.score = float(item.points) if accept else 0.0
    item.reviewed_by, item.reviewed_at = actor, utcnow()
    audit.record("exams.answer_review", item.attempt, actor=actor, position=item.position, accepted=accept)
    if not any(other.review_status == PENDING for other in item.attempt.items):
        item.attempt.status = SUBMITTED
        finish_marking(item.attempt, actor=actor)


def publish_result(attempt: Attempt, *, actor: User | None) -> bool:
    """The marked theory test becomes the application's theory result of record, its source the sitting (the
    assessors then record no theory result of their own). The one place where exams writes into assessment. Only
    while the application is in assessment: once it has moved on, the recorded result is not changed."""
    from certcenter.assessments.services import current_round_opened_at, record_exam_result

    application = attempt.application
    if attempt.status != MARKED:
        return False
    if application.state != workflow.IN_ASSESSMENT:
        audit.record(
            "exams.result_not_recorded", attempt, actor=actor, application_id=application.id, state=application.state
        )
        return False
    opened_at = current_round_opened_at(application)
    if opened_at is not None and (attempt.started_at or attempt.submitted_at) < opened_at:
        # a test taken for an earlier assessment round is not the result of the round now under way
        audit.record(
            "exams.result_not_recorded",
            attempt,
            actor=actor,
            application_id=application.id,
            state=application.state,
            round=application.current_round,
        )
        return False
    sitting = attempt.sitting
    taken_on = centre_day(attempt.submitted_at or attempt.started_at)
    record_exam_result(
        application,
        "theory",
        actor=actor,
        percent=int(attempt.percent),
        taken_on=taken_on,
        sitting_id=sitting.id,
        notes=f"exam sitting {sitting.id}, attempt {attempt.id}",
    )
    attempt.result_recorded_at = utcnow()
    return True


def config_grace() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("EXAM_SAVE_GRACE_SECONDS", 3)))
