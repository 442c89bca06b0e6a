"""Examinations: the question bank (questions and their versions), the test specification of a qualification, the
sittings with their bookings, the attempts with the form each candidate was given, answers and marks."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.core.models import LocalizedText, TimestampMixin, UTCDateTime, one_of, utcnow
from certcenter.extensions import db
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS
from certcenter.qualifications.models import Qualification, QualificationUnit

SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC, MATCHING, SHORT_TEXT = (
    "single",
    "multiple",
    "true_false",
    "numeric",
    "matching",
    "short_text",
)
KINDS = {
    SINGLE: _l("Single choice"),
    MULTIPLE: _l("Multiple choice"),
    TRUE_FALSE: _l("True or false"),
    NUMERIC: _l("Numeric answer"),
    MATCHING: _l("Matching"),
    SHORT_TEXT: _l("Short text"),
}
CHOICE_KINDS = (SINGLE, MULTIPLE, TRUE_FALSE)

DRAFT, APPROVED, RETIRED = "draft", "approved", "retired"
QUESTION_STATUSES = {DRAFT: _l("Draft"), APPROVED: _l("Approved"), RETIRED: _l("Retired")}

ROOM, ONLINE = "room", "online"
MODES = {ROOM: _l("In the exam room"), ONLINE: _l("Online")}
SCHEDULED, OPEN, CLOSED, CANCELLED = "scheduled", "open", "closed", "cancelled"
SITTING_STATUSES = {SCHEDULED: _l("Scheduled"), OPEN: _l("Open"), CLOSED: _l("Closed"), CANCELLED: _l("Cancelled")}

BOOKED, ADMITTED, BOOKING_CANCELLED = "booked", "admitted", "cancelled"
BOOKING_STATUSES = {BOOKED: _l("Booked"), ADMITTED: _l("Admitted"), BOOKING_CANCELLED: _l("Cancelled")}

IN_PROGRESS, SUBMITTED, IN_REVIEW, MARKED, VOIDED = "in_progress", "submitted", "in_review", "marked", "voided"
ATTEMPT_STATUSES = {
    IN_PROGRESS: _l("In progress"),
    SUBMITTED: _l("Submitted, awaiting marking"),
    IN_REVIEW: _l("Awaiting an assessor's marking"),
    MARKED: _l("Marked"),
    VOIDED: _l("Voided"),
}
# Who ended an attempt: the candidate, the server when the time ran out, the proctor closing the sitting.
BY_CANDIDATE, BY_SERVER, BY_PROCTOR = "candidate", "server", "proctor"

# A short-text answer no accepted answer matches waits for an assessor.
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


class Question(TimestampMixin, db.Model):
    """A question of a qualification's bank: its unit, descriptor, kind and status; the text is in its versions."""

    __tablename__ = "exam_questions"
    __table_args__ = (
        UniqueConstraint("qualification_id", "code"),
        CheckConstraint(one_of("kind", KINDS), name="kind"),
        CheckConstraint(one_of("descriptor", DESCRIPTOR_KINDS), name="descriptor"),
        CheckConstraint(one_of("status", QUESTION_STATUSES), name="status"),
        CheckConstraint("status != 'approved' OR approved_by_id IS NOT NULL", name="approval_recorded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    qualification_id: Mapped[int] = mapped_column(
        ForeignKey("qualifications.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("qualification_units.id", ondelete="RESTRICT"), nullable=False)
    descriptor: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # The identifier it is known by outside (XLSX rows, QTI items); unique within the qualification's bank.
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DRAFT)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    qualification: Mapped[Qualification] = relationship()
    unit: Mapped[QualificationUnit] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.code} {self.kind} {self.status}>"

    @property
    def current(self) -> QuestionVersion:
        return self.versions[-1]


class QuestionVersion(db.Model):
    """The text, options and key of a question as of one version. A version shown in a sitting is never changed:
    editing the question then makes a new version, and the sitting keeps the one it showed."""

    __tablename__ = "exam_question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"), CheckConstraint("points >= 1", name="points"))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("exam_questions.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    stem: Mapped[dict] = mapped_column(LocalizedText, nullable=False)
    # Choice kinds: [{"id": "A", "text": {...}}]; matching: {"left": [...], "right": [...]}; otherwise [].
    options: Mapped[list | dict] = mapped_column(JSON, nullable=False, default=list)
    # The key: {"correct": [ids]}, {"value": x, "tolerance": t}, {"pairs": {left: right}}, {"accepted": [..]}.
    key: Mapped[dict] = mapped_column(JSON, nullable=False)
    points: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # Set the first time a form shows it: from then on it is frozen.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    question: Mapped[Question] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<QuestionVersion {self.question_id}.{self.number}>"


class Blueprint(TimestampMixin, db.Model):
    """The test specification of a qualification: how many questions of each unit and descriptor, the time, the
    shuffling, how often a candidate may sit and how long he waits between. The pass mark is the qualification's
    theory pass mark."""

    __tablename__ = "exam_blueprints"
    __table_args__ = (
        CheckConstraint("time_limit_minutes BETWEEN 1 AND 600", name="time_limit_range"),
        CheckConstraint("max_attempts >= 1", name="max_attempts_positive"),
        CheckConstraint("retake_wait_days >= 0", name="retake_wait_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    qualification_id: Mapped[int] = mapped_column(
        ForeignKey("qualifications.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    # [{"unit_id": 3, "descriptor": "knowledge", "count": 5}, ...]
    rows: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    time_limit_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    retake_wait_days: Mapped[int] = mapped_column(Integer, nullable=False, default=14)
    reveal_answers: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    qualification: Mapped[Qualification] = relationship()

    def __repr__(self) -> str:
        return f"<Blueprint {self.qualification_id}>"

    @property
    def question_count(self) -> int:
        return sum(int(row["count"]) for row in self.rows)


class Sitting(TimestampMixin, db.Model):
    """A session of the theory test: when, where, how many, who proctors, and the specification it runs under
    (copied from the blueprint when it is scheduled, so later edits of the blueprint do not change it)."""

    __tablename__ = "exam_sittings"
    __table_args__ = (
        CheckConstraint(one_of("mode", MODES), name="mode"),
        CheckConstraint(one_of("status", SITTING_STATUSES), name="status"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    qualification_id: Mapped[int] = mapped_column(
        ForeignKey("qualifications.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    mode: Mapped[str] = mapped_column(String(10), nullable=False, default=ROOM)
    room: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    proctor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=SCHEDULED, index=True)
    spec: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    qualification: Mapped[Qualification] = relationship()
    proctor: Mapped[User] = relationship(foreign_keys=[proctor_id])
    bookings: Mapped[list[Booking]] = relationship(back_populates="sitting", order_by="Booking.id")

    def __repr__(self) -> str:
        return f"<Sitting {self.id} {self.starts_at:%Y-%m-%d %H:%M} {self.status}>"

    @property
    def active_bookings(self) -> list[Booking]:
        return [booking for booking in self.bookings if booking.status != BOOKING_CANCELLED]


class Booking(db.Model):
    """A candidate's place in a sitting, for one application; admitted by the proctor or by a one-time code."""

    __tablename__ = "exam_bookings"
    __table_args__ = (
        UniqueConstraint("sitting_id", "application_id"),
        CheckConstraint(one_of("status", BOOKING_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("exam_sittings.id", ondelete="CASCADE"), nullable=False)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=BOOKED)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    admission_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    admitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    sitting: Mapped[Sitting] = relationship(back_populates="bookings")
    application: Mapped[Application] = relationship(backref="exam_bookings")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    attempt: Mapped[Attempt | None] = relationship(back_populates="booking", uselist=False)

    def __repr__(self) -> str:
        return f"<Booking {self.id} sitting={self.sitting_id} app={self.application_id} {self.status}>"


class Attempt(db.Model):
    """A candidate's sitting of the test: the form drawn for him (by a recorded seed), the clock kept by the server,
    how it ended, and its marks per unit and descriptor."""

    __tablename__ = "exam_attempts"
    __table_args__ = (
        CheckConstraint(one_of("status", ATTEMPT_STATUSES), name="status"),
        CheckConstraint(
            f"submitted_by IS NULL OR {one_of('submitted_by', (BY_CANDIDATE, BY_SERVER, BY_PROCTOR))}",
            name="submitted_by",
        ),
        CheckConstraint("status != 'voided' OR void_reason IS NOT NULL", name="void_reasoned"),
        CheckConstraint("percent IS NULL OR percent BETWEEN 0 AND 100", name="percent_range"),
        # One open attempt per person, whatever the number of tabs, windows or devices.
        Index(
            "uq_exam_attempts_one_open",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("exam_bookings.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    sitting_id: Mapped[int] = mapped_column(
        ForeignKey("exam_sittings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    seed: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    extra_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The window that may save answers: a page opened elsewhere (another tab) takes over, and this one is told.
    client_token: Mapped[str] = mapped_column(String(64), nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(20), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # {"<unit_id>": [score, max]} and {"knowledge": [score, max]}
    unit_scores: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    descriptor_scores: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    booking: Mapped[Booking] = relationship(back_populates="attempt")
    sitting: Mapped[Sitting] = relationship()
    application: Mapped[Application] = relationship(backref="exam_attempts")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Attempt {self.id} user={self.user_id} {self.status}>"


class AttemptItem(db.Model):
    """One question of an attempt's form: the version shown, where (position) and for which line of the
    specification (slot), the order of its options, the answer as last saved, and its mark."""

    __tablename__ = "exam_attempt_items"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        CheckConstraint(
            f"review_status IS NULL OR {one_of('review_status', (PENDING, ACCEPTED, REJECTED))}", name="review_status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    slot: Mapped[int] = mapped_column(Integer, nullable=False)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("exam_question_versions.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # Copied from the question when drawn, so the marks per unit and descriptor stay as the form was.
    unit_id: Mapped[int] = mapped_column(Integer, nullable=False)
    descriptor: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    points: Mapped[int] = mapped_column(Integer, nullable=False)
    # Option ids in the order shown; for matching {"left": [...], "right": [...]}.
    option_order: Mapped[list | dict] = mapped_column(JSON, nullable=False, default=list)
    # No answer is SQL NULL (not JSON null), so that counting the answered is a plain IS NOT NULL.
    response: Mapped[dict | list | str | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    # The client's sequence number of the save that wrote ``response``: an older or repeated save changes nothing.
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    flagged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    review_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship()
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    def __repr__(self) -> str:
        return f"<AttemptItem {self.attempt_id}#{self.position}>"

    @property
    def answered(self) -> bool:
        return self.response not in (None, "", [], {})
