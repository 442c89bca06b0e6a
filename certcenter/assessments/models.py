"""Assessment: assignments with conflict declarations, judgements (evidence reviews and criterion ratings),
theory and practical results, final ratings (agreed or moderated), and the decision."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship, validates

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.applications.workflow import IN_ASSESSMENT
from certcenter.core.models import UTCDateTime, one_of, utcnow
from certcenter.extensions import db

NOT_MET, PARTIALLY_MET, MET = "not_met", "partially_met", "met"
RATINGS = (NOT_MET, PARTIALLY_MET, MET)
RATING_LABELS = {NOT_MET: _l("Not met"), PARTIALLY_MET: _l("Partially met"), MET: _l("Met")}

CONFLICT_KINDS = {
    "same_employer": _l("Same employer"),
    "relative": _l("Relative"),
    "trained_candidate": _l("I trained the candidate"),
    "other": _l("Other"),
}
EVIDENCE_RULES = {
    "valid": _l("Valid"),
    "sufficient": _l("Sufficient"),
    "authentic": _l("Authentic"),
    "current": _l("Current (up to date)"),
}

# Assignment states: waiting for the conflict declaration, judging, judgement submitted, removed by a conflict.
PENDING, ACTIVE, SUBMITTED, CONFLICT = "pending", "active", "submitted", "conflict"

THEORY, PRACTICAL = "theory", "practical"
RESULT_KINDS = {THEORY: _l("Theory test"), PRACTICAL: _l("Practical task")}

# Where the result of record comes from: the assessors' agreed results, a moderator, or a marked exam sitting.
BY_ASSESSORS, BY_MODERATION, BY_EXAM = "assessors", "moderation", "exam"
RESULT_SOURCES = {
    BY_ASSESSORS: _l("Agreed by the assessors"),
    BY_MODERATION: _l("Moderated"),
    BY_EXAM: _l("Exam sitting"),
}

# A moderator's pick: waiting for his conflict declaration, moderating, removed by a declared conflict.
MODERATOR_STATES = (PENDING, ACTIVE, CONFLICT)

# Why an application is assessed (again): the first assessment, an upheld appeal sending it to a new round, a renewal.
INITIAL, APPEAL, RENEWAL = "initial", "appeal", "renewal"
ROUND_KINDS = {INITIAL: _l("First assessment"), APPEAL: _l("Upheld appeal"), RENEWAL: _l("Renewal")}


class AssessmentRound(db.Model):
    """A further assessment of an application (round 2 on): who opened it, when and why. Round 1, the first
    assessment, has no row; its rows carry round 1. Each round has its own assignments, results, moderation and
    decision; those of earlier rounds are never changed."""

    __tablename__ = "assessment_rounds"
    __table_args__ = (
        UniqueConstraint("application_id", "number"),
        CheckConstraint(one_of("kind", ROUND_KINDS), name="kind"),
        CheckConstraint("number >= 2", name="number_after_first"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # what opened it, e.g. the appeal's id (a plain number: the appeals sit above assessment)
    reference: Mapped[int | None] = mapped_column(Integer, nullable=True)

    application: Mapped[Application] = relationship(
        backref=backref("assessment_rounds", order_by="AssessmentRound.number", cascade="all, delete-orphan")
    )
    opened_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AssessmentRound {self.application_id}#{self.number} {self.kind}>"

    @property
    def kind_label(self) -> str:
        return str(ROUND_KINDS[self.kind])


class RoundScoped:
    """A row that belongs to one assessment round of its application: set, when it is made, to the application's
    current round."""

    round: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @validates("application")
    def _in_current_round(self, key: str, application: Application | None) -> Application | None:
        if self.round is None and application is not None:
            self.round = application.current_round or 1
        return application


class Assignment(RoundScoped, db.Model):
    """An assessor's assignment to an application in one round, and their judgement of it."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("application_id", "round", "assessor_id"),
        CheckConstraint(one_of("status", (PENDING, ACTIVE, SUBMITTED, CONFLICT)), name="status"),
        CheckConstraint(f"conflict_kind IS NULL OR {one_of('conflict_kind', CONFLICT_KINDS)}", name="conflict_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    is_lead: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PENDING)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    conflict_kind: Mapped[str | None] = mapped_column(String(30), nullable=True)
    conflict_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    application: Mapped[Application] = relationship(backref="all_assignments")
    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    evidence_reviews: Mapped[list[EvidenceReview]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )
    ratings: Mapped[list[CriterionRating]] = relationship(back_populates="assignment", cascade="all, delete-orphan")
    results: Mapped[list[AssessorResult]] = relationship(back_populates="assignment", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Assignment {self.id} app={self.application_id} assessor={self.assessor_id} {self.status}>"

    @property
    def counts(self) -> bool:
        """Assignments removed by a declared conflict no longer count towards the application's assessors."""
        return self.status != CONFLICT

    def is_assessor(self, user: User) -> bool:
        return user.is_authenticated and self.assessor_id == user.id

    def can_open(self, user: User) -> bool:
        """His own assignment, unless a conflict removed it or a later round replaced its round (what that round
        shows, its agreement and results, is no longer his to see)."""
        return self.is_assessor(user) and self.status != CONFLICT and self.in_current_round

    @property
    def in_current_round(self) -> bool:
        """An earlier round's assignment is kept as it was: nothing in it changes any more."""
        return self.round == (self.application.current_round or 1)

    def can_score(self, user: User) -> bool:
        return (
            self.is_assessor(user)
            and self.status == ACTIVE
            and self.in_current_round
            and self.application.state == IN_ASSESSMENT
        )

    def rating(self, key: str) -> CriterionRating | None:
        return next((rating for rating in self.ratings if rating.criterion_key == key), None)

    def result(self, kind: str) -> AssessorResult | None:
        return next((result for result in self.results if result.kind == kind), None)

    def review(self, evidence_id: int) -> EvidenceReview | None:
        return next((review for review in self.evidence_reviews if review.evidence_id == evidence_id), None)


class EvidenceReview(db.Model):
    """The four rules of evidence for one item, as one assessor sees them."""

    __tablename__ = "evidence_reviews"
    __table_args__ = (UniqueConstraint("assignment_id", "evidence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id", ondelete="CASCADE"), nullable=False)
    valid: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sufficient: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    authentic: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

    assignment: Mapped[Assignment] = relationship(back_populates="evidence_reviews")

    def __repr__(self) -> str:
        return f"<EvidenceReview {self.assignment_id}:{self.evidence_id}>"

    @property
    def all_rules_met(self) -> bool:
        return all(getattr(self, rule) for rule in EVIDENCE_RULES)


class CriterionRating(db.Model):
    """One assessor's rating of one criterion, with its justification and the evidence it rests on."""

    __tablename__ = "criterion_ratings"
    __table_args__ = (
        UniqueConstraint("assignment_id", "criterion_key"),
        CheckConstraint(f"rating IS NULL OR {one_of('rating', RATINGS)}", name="rating"),
        CheckConstraint("met_at_level IS NULL OR met_at_level BETWEEN 1 AND 8", name="met_at_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False)
    criterion_key: Mapped[str] = mapped_column(String(40), nullable=False)
    rating: Mapped[str | None] = mapped_column(String(20), nullable=True)  # None in an unfinished draft
    justification: Mapped[str] = mapped_column(Text, nullable=False, default="")
    evidence_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # For an NQF descriptor not met at the target level: the highest lower level the evidence meets it at.
    met_at_level: Mapped[int | None] = mapped_column(Integer, nullable=True)

    assignment: Mapped[Assignment] = relationship(back_populates="ratings")

    def __repr__(self) -> str:
        return f"<CriterionRating {self.assignment_id}:{self.criterion_key} {self.rating}>"


class AssessorResult(db.Model):
    """One assessor's own theory or practical result for the application: blind to the others until all submit."""

    __tablename__ = "assessor_results"
    __table_args__ = (
        UniqueConstraint("assignment_id", "kind"),
        CheckConstraint(one_of("kind", RESULT_KINDS), name="kind"),
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    percent: Mapped[int] = mapped_column(Integer, nullable=False)
    taken_on: Mapped[date] = mapped_column(Date, nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="results")

    def __repr__(self) -> str:
        return f"<AssessorResult {self.assignment_id}:{self.kind} {self.percent}%>"


class AssessmentResult(RoundScoped, db.Model):
    """The result of record of the theory test or the practical task (one each per application): the assessors'
    agreed result, the moderated one, or the marked exam sitting's, with who set it and where it comes from."""

    __tablename__ = "assessment_results"
    __table_args__ = (
        UniqueConstraint("application_id", "round", "kind"),
        CheckConstraint(one_of("kind", RESULT_KINDS), name="kind"),
        CheckConstraint(one_of("source", RESULT_SOURCES), name="source"),
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
        # only a result awaiting moderation has no percentage yet
        CheckConstraint("percent IS NOT NULL OR source = 'moderation'", name="percent_set"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    source: Mapped[str] = mapped_column(String(20), nullable=False, default=BY_ASSESSORS, server_default=BY_ASSESSORS)
    percent: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None until moderated
    taken_on: Mapped[date] = mapped_column(Date, nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # who set it: the moderator; for an exam, the person whose marking finished it (None: the marking task)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    sitting_id: Mapped[int | None] = mapped_column(ForeignKey("exam_sittings.id", ondelete="SET NULL"), nullable=True)
    # what each assessor said: [{"assessor": name, "assessor_id": id, "percent": n}], kept for moderation and report
    positions: Mapped[list | None] = mapped_column(JSON, nullable=True)
    moderation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    application: Mapped[Application] = relationship(backref="all_results")
    recorded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AssessmentResult {self.application_id}:{self.kind} {self.percent}% {self.source}>"

    @property
    def agreed(self) -> bool:
        return self.source != BY_MODERATION


class Moderator(RoundScoped, db.Model):
    """The person an administrator picked to moderate an application's disagreements: an assessor or administrator
    not assigned to it, who declares his conflicts of interest before he may moderate."""

    __tablename__ = "moderators"
    __table_args__ = (
        UniqueConstraint("application_id", "round", "user_id"),
        CheckConstraint(one_of("status", MODERATOR_STATES), name="status"),
        CheckConstraint(f"conflict_kind IS NULL OR {one_of('conflict_kind', CONFLICT_KINDS)}", name="conflict_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True)
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    picked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PENDING)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    conflict_kind: Mapped[str | None] = mapped_column(String(30), nullable=True)
    conflict_note: Mapped[str | None] = mapped_column(Text, nullable=True)

    application: Mapped[Application] = relationship(backref="all_moderators")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    picked_by: Mapped[User | None] = relationship(foreign_keys=[picked_by_id])

    def __repr__(self) -> str:
        return f"<Moderator {self.id} app={self.application_id} user={self.user_id} {self.status}>"


class FinalRating(RoundScoped, db.Model):
    """The rating a criterion ends with: the assessors' agreed rating, or the moderated one with its reason."""

    __tablename__ = "final_ratings"
    __table_args__ = (
        UniqueConstraint("application_id", "round", "criterion_key"),
        CheckConstraint(f"rating IS NULL OR {one_of('rating', RATINGS)}", name="rating"),
        CheckConstraint("met_at_level IS NULL OR met_at_level BETWEEN 1 AND 8", name="met_at_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criterion_key: Mapped[str] = mapped_column(String(40), nullable=False)
    agreed: Mapped[bool] = mapped_column(Boolean, nullable=False)  # kept for the agreement statistics
    rating: Mapped[str | None] = mapped_column(String(20), nullable=True)  # None until moderated
    met_at_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    moderation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # what each assessor said, copied when marking closed: [{"assessor": name, "assessor_id": id, "rating": ...}]
    positions: Mapped[list | None] = mapped_column(JSON, nullable=True)

    application: Mapped[Application] = relationship(backref="all_final_ratings")
    moderated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<FinalRating {self.application_id}:{self.criterion_key} {self.rating}>"


class Decision(RoundScoped, db.Model):
    """The centre's decision on an application in one round, with the edition and a snapshot of everything it
    rested on."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("application_id", "round"),
        CheckConstraint("outcome IN ('confirmed', 'not_confirmed')", name="outcome"),
        CheckConstraint("recommended_outcome IN ('confirmed', 'not_confirmed')", name="recommended_outcome"),
        CheckConstraint("outcome = recommended_outcome OR deviation_reason IS NOT NULL", name="deviation_reasoned"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"), nullable=False)
    edition_id: Mapped[int] = mapped_column(ForeignKey("framework_editions.id", ondelete="RESTRICT"), nullable=False)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)
    recommended_outcome: Mapped[str] = mapped_column(String(20), nullable=False)
    reasons: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    advice_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deviation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), nullable=False)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    snapshot: Mapped[dict] = mapped_column(JSON, nullable=False)

    application: Mapped[Application] = relationship(backref=backref("decisions", order_by="Decision.round"))
    decided_by: Mapped[User] = relationship()
    edition = relationship("FrameworkEdition")

    def __repr__(self) -> str:
        return f"<Decision {self.application_id}#{self.round} {self.outcome}>"


# What the rest of the application reads as "the" assignments, results, moderators, final ratings and decision: those
# of its current round. ``all_*`` and ``decisions`` hold every round's (see ``services.rounds_of``).
def _of_current_round(collection: str):
    def rows(application: Application) -> list:
        current = application.current_round or 1
        return [row for row in getattr(application, collection) if row.round == current]

    return property(rows)


def _current_decision(application: Application) -> Decision | None:
    current = application.current_round or 1
    return next((decision for decision in application.decisions if decision.round == current), None)


def _latest_decision(application: Application) -> Decision | None:
    return max(application.decisions, key=lambda decision: decision.round, default=None)


Application.assignments = _of_current_round("all_assignments")
Application.results = _of_current_round("all_results")
Application.moderators = _of_current_round("all_moderators")
Application.final_ratings = _of_current_round("all_final_ratings")
Application.decision = property(_current_decision)
Application.latest_decision = property(_latest_decision)


# The assessors' scopes of competence have their own module (the competence rule and its table together).
from certcenter.assessments.competence import AssessorScope  # noqa: E402, F401
