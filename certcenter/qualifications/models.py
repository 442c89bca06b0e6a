"""The centre's qualification catalogue: titles at an NQF level, refined by units (labour functions)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certcenter.core.models import LocalizedText, TimestampMixin, UTCDateTime, one_of, utcnow
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition, FrameworkLevel

# How a holder renews his certificate (ISO/IEC 17024, 9.6): evidence of continued practice for N of the last M
# years, continuing professional development hours, or a full reassessment.
PRACTICE, CPD, REASSESSMENT = "practice", "cpd", "reassessment"
RECERTIFICATION_RULES = {
    PRACTICE: _l("Evidence of continued practice"),
    CPD: _l("Continuing professional development hours"),
    REASSESSMENT: _l("Full reassessment"),
}


class Qualification(TimestampMixin, db.Model):
    __tablename__ = "qualifications"
    __table_args__ = (
        CheckConstraint("theory_pass_mark BETWEEN 0 AND 100", name="theory_pass_mark_range"),
        CheckConstraint("practical_pass_mark BETWEEN 0 AND 100", name="practical_pass_mark_range"),
        CheckConstraint("validity_years BETWEEN 1 AND 10", name="validity_years_range"),
        CheckConstraint(one_of("recertification_rule", RECERTIFICATION_RULES), name="recertification_rule"),
        CheckConstraint("recertification_assessors BETWEEN 1 AND 2", name="recertification_assessors_range"),
        CheckConstraint(
            "recertification_practice_years BETWEEN 1 AND recertification_practice_window",
            name="recertification_practice_range",
        ),
        CheckConstraint("recertification_cpd_hours >= 0", name="recertification_cpd_hours_positive"),
        CheckConstraint(
            "surveillance_after_years IS NULL OR surveillance_after_years BETWEEN 1 AND 9", name="surveillance_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    title: Mapped[dict] = mapped_column(LocalizedText, nullable=False)
    description: Mapped[dict] = mapped_column(LocalizedText, nullable=False, default=dict)
    level_id: Mapped[int] = mapped_column(ForeignKey("framework_levels.id", ondelete="RESTRICT"), nullable=False)
    # {"kk", "ru", "en"}: the professional standard the qualification is built on, in each language
    professional_standard: Mapped[dict | None] = mapped_column(LocalizedText, nullable=True)
    theory_pass_mark: Mapped[int] = mapped_column(Integer, nullable=False)
    practical_pass_mark: Mapped[int] = mapped_column(Integer, nullable=False)
    validity_years: Mapped[int] = mapped_column(Integer, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Recertification: the rule, its figures (practice in N of the last M years; CPD hours), and how many
    # assessors judge a renewal (one unless the rule says two).
    recertification_rule: Mapped[str] = mapped_column(String(20), nullable=False, default=PRACTICE)
    recertification_practice_years: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    recertification_practice_window: Mapped[int] = mapped_column(Integer, nullable=False, default=4)
    recertification_cpd_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=40)
    recertification_assessors: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Surveillance: a mid-term check this many years after issue (None: none).
    surveillance_after_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Set when the first application is submitted against it: its level and units were judged and stay as they are.
    criteria_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    level: Mapped[FrameworkLevel] = relationship(lazy="joined")
    units: Mapped[list[QualificationUnit]] = relationship(
        back_populates="qualification", cascade="all, delete-orphan", order_by="QualificationUnit.position"
    )
    versions: Mapped[list[QualificationVersion]] = relationship(
        back_populates="qualification", cascade="all, delete-orphan", order_by="QualificationVersion.number"
    )

    def __repr__(self) -> str:
        return f"<Qualification {self.code}>"

    @property
    def current_version(self) -> QualificationVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def edition(self) -> FrameworkEdition:
        return self.level.edition

    @property
    def recertification_rule_label(self) -> str:
        return str(RECERTIFICATION_RULES[self.recertification_rule])


class QualificationUnit(db.Model):
    """A labour function of the qualification, with the skills and knowledge a holder shows in it."""

    __tablename__ = "qualification_units"
    __table_args__ = (UniqueConstraint("qualification_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    qualification_id: Mapped[int] = mapped_column(ForeignKey("qualifications.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    title: Mapped[dict] = mapped_column(LocalizedText, nullable=False)
    # Lists of {"kk": .., "ru": .., "en": ..}.
    skills: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    knowledge: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    qualification: Mapped[Qualification] = relationship(back_populates="units")

    def __repr__(self) -> str:
        return f"<QualificationUnit {self.qualification_id}:{self.code}>"


class QualificationVersion(db.Model):
    """The units of a qualification as applications were assessed against them: made when the first application
    is submitted, and again each time the units of a qualification in use are edited. An application keeps the
    version it was submitted under."""

    __tablename__ = "qualification_versions"
    __table_args__ = (
        UniqueConstraint("qualification_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    qualification_id: Mapped[int] = mapped_column(ForeignKey("qualifications.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # [{"id": unit id, "code", "title", "skills", "knowledge"}] in their order
    units: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    qualification: Mapped[Qualification] = relationship(back_populates="versions")
    created_by = relationship("User")

    def __repr__(self) -> str:
        return f"<QualificationVersion {self.qualification_id} v{self.number}>"
