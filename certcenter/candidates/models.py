"""Candidates: the person, with the profile, education and experience the eligibility rules read.

The applications a profile has are declared by the applications domain (``CandidateProfile.applications``), and
the document behind an education record by the evidence domain (``EducationRecord.document``): both sit above."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certcenter.accounts.models import User
from certcenter.core.models import TimestampMixin, UTCDateTime, one_of
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
    # Set when the person first submits an application: from then on the IIN stays as that application captured it.
    identity_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()
    education: Mapped[list[EducationRecord]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="EducationRecord.year_completed"
    )
    experience: Mapped[list[ExperienceRecord]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="ExperienceRecord.started_on"
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
