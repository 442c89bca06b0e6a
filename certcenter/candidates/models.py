"""Candidates: their profile, education and experience, and their applications with the history of each."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certcenter.accounts.models import User
from certcenter.assessments.workflow import EDITABLE_STATES, FINAL_STATES, STATES
from certcenter.core.models import TimestampMixin, UTCDateTime, one_of, utcnow
from certcenter.extensions import db
from certcenter.framework.vocabulary import EDUCATION_LEVELS


class CandidateProfile(TimestampMixin, db.Model):
    __tablename__ = "candidate_profiles"
    __table_args__ = (CheckConstraint("length(iin) = 12", name="iin_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)  # Cyrillic, as in the ID card
    full_name_latin: Mapped[str] = mapped_column(String(200), nullable=False)
    iin: Mapped[str] = mapped_column(String(12), nullable=False, unique=True)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    phone: Mapped[str] = mapped_column(String(40), nullable=False)
    employer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    position: Mapped[str | None] = mapped_column(String(200), nullable=True)

    user: Mapped[User] = relationship()
    education: Mapped[list[EducationRecord]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="EducationRecord.year_completed"
    )
    experience: Mapped[list[ExperienceRecord]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="ExperienceRecord.started_on"
    )
    applications: Mapped[list[Application]] = relationship(
        back_populates="candidate", order_by="Application.created_at.desc()"
    )

    def __repr__(self) -> str:
        return f"<CandidateProfile {self.id} user={self.user_id}>"


class EducationRecord(TimestampMixin, db.Model):
    __tablename__ = "education_records"
    __table_args__ = (
        CheckConstraint(one_of("level", EDUCATION_LEVELS), name="level"),
        CheckConstraint("year_completed BETWEEN 1900 AND 2200", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidate_profiles.id", ondelete="CASCADE"), nullable=False, index=True
    )
    level: Mapped[str] = mapped_column(String(40), nullable=False)
    institution: Mapped[str] = mapped_column(String(300), nullable=False)
    speciality: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    year_completed: Mapped[int] = mapped_column(Integer, nullable=False)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id", ondelete="SET NULL"), nullable=True)

    candidate: Mapped[CandidateProfile] = relationship(back_populates="education")
    document = relationship("EvidenceItem", foreign_keys=[document_id])

    def __repr__(self) -> str:
        return f"<EducationRecord {self.id} {self.level}>"


class ExperienceRecord(TimestampMixin, db.Model):
    __tablename__ = "experience_records"
    __table_args__ = (CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidate_profiles.id", ondelete="CASCADE"), nullable=False, index=True
    )
    employer: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[str] = mapped_column(String(200), nullable=False)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # None: current job
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")

    candidate: Mapped[CandidateProfile] = relationship(back_populates="experience")

    def __repr__(self) -> str:
        return f"<ExperienceRecord {self.id} {self.employer}>"


class Application(TimestampMixin, db.Model):
    """A candidate's request to have a qualification confirmed, pinned to the framework edition it is made under."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(one_of("state", STATES), name="state"),
        CheckConstraint(
            "eligibility_status IS NULL OR eligibility_status IN ('met', 'needs_review', 'not_met')",
            name="eligibility_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidate_profiles.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    qualification_id: Mapped[int] = mapped_column(
        ForeignKey("qualifications.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    edition_id: Mapped[int] = mapped_column(ForeignKey("framework_editions.id", ondelete="RESTRICT"), nullable=False)
    state: Mapped[str] = mapped_column(String(30), nullable=False, default="draft", index=True)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The one-time token of the form that created it: a double-clicked "apply" finds this row instead of a second.
    form_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # Evaluated at submission and kept as it was: status, pathway results, the facts they rest on.
    eligibility_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    eligibility: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    profile_snapshot: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    exception_request: Mapped[str | None] = mapped_column(Text, nullable=True)
    exception_granted: Mapped[bool | None] = mapped_column(nullable=True)
    # Optimistic locking: a write based on a stale read fails instead of overwriting a newer state.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    candidate: Mapped[CandidateProfile] = relationship(back_populates="applications")
    qualification = relationship("Qualification", lazy="joined")
    edition = relationship("FrameworkEdition")
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id"
    )
    evidence = relationship(
        "EvidenceItem", back_populates="application", order_by="EvidenceItem.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.state}>"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    def is_owner(self, user: User) -> bool:
        return user.is_authenticated and self.candidate.user_id == user.id

    def assignment_for(self, user: User):
        """The user's assignment to this application, unless a declared conflict removed it."""
        if not user.is_authenticated:
            return None
        return next((a for a in self.assignments if a.assessor_id == user.id and a.counts), None)

    def is_lead_assessor(self, user: User) -> bool:
        assignment = self.assignment_for(user)
        return assignment is not None and assignment.is_lead

    def assessor_sees_evidence(self, user: User) -> bool:
        """Assessors see the evidence once they have declared they have no conflict of interest."""
        assignment = self.assignment_for(user)
        return assignment is not None and assignment.status in ("active", "submitted")

    def can_view(self, user: User) -> bool:
        return user.is_authenticated and (self.is_owner(user) or user.has_role("administrator"))

    def can_edit(self, user: User) -> bool:
        return self.is_owner(user) and self.is_editable


class ApplicationEvent(db.Model):
    """One step of an application's history, written only by ``workflow.transition``."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    from_state: Mapped[str | None] = mapped_column(String(30), nullable=True)
    to_state: Mapped[str] = mapped_column(String(30), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    application: Mapped[Application] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ApplicationEvent {self.application_id} {self.from_state}->{self.to_state}>"
