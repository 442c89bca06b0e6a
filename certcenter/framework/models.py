"""NQF editions as data: levels with their three descriptors, pathways to each level, and the glossary."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certcenter.core.models import LocalizedText, UTCDateTime, one_of, utcnow
from certcenter.extensions import db
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS

DRAFT, PUBLISHED = "draft", "published"
EDITION_STATES = (DRAFT, PUBLISHED)


class FrameworkEdition(db.Model):
    __tablename__ = "framework_editions"
    __table_args__ = (
        CheckConstraint("in_force_to IS NULL OR in_force_to > in_force_from", name="in_force_period"),
        CheckConstraint(one_of("status", EDITION_STATES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    title: Mapped[dict] = mapped_column(LocalizedText, nullable=False)
    jurisdiction: Mapped[str] = mapped_column(String(8), nullable=False)
    in_force_from: Mapped[date] = mapped_column(Date, nullable=False)
    in_force_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    registration_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    corresponds_to: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # The legal acts (approval, amended order, repeal), notes and text corrections, as in the data file.
    legal_basis: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    source_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # A draft is edited in the browser and seen by administrators only; published, it is frozen and public.
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PUBLISHED, server_default=PUBLISHED)
    derived_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("framework_editions.id", ondelete="SET NULL"), nullable=True
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    derived_from: Mapped[FrameworkEdition | None] = relationship(remote_side=[id])

    levels: Mapped[list[FrameworkLevel]] = relationship(
        back_populates="edition", order_by="FrameworkLevel.number", cascade="all, delete-orphan"
    )
    terms: Mapped[list[GlossaryTerm]] = relationship(
        back_populates="edition", order_by="GlossaryTerm.number", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<FrameworkEdition {self.code}>"

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    def in_force_on(self, day: date) -> bool:
        return self.in_force_from <= day and (self.in_force_to is None or day < self.in_force_to)

    def level(self, number: int) -> FrameworkLevel | None:
        return next((level for level in self.levels if level.number == number), None)


class FrameworkLevel(db.Model):
    __tablename__ = "framework_levels"
    __table_args__ = (
        UniqueConstraint("edition_id", "number"),
        CheckConstraint("number BETWEEN 1 AND 8", name="number_range"),
        CheckConstraint("eqf_level IS NULL OR eqf_level BETWEEN 1 AND 8", name="eqf_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("framework_editions.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    eqf_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pathways_text: Mapped[dict] = mapped_column(LocalizedText, nullable=False)

    edition: Mapped[FrameworkEdition] = relationship(back_populates="levels")
    descriptors: Mapped[list[LevelDescriptor]] = relationship(
        back_populates="level", cascade="all, delete-orphan", order_by="LevelDescriptor.position"
    )
    pathways: Mapped[list[Pathway]] = relationship(
        back_populates="level", cascade="all, delete-orphan", order_by="Pathway.position"
    )

    def __repr__(self) -> str:
        return f"<FrameworkLevel {self.edition_id}:{self.number}>"

    def descriptor(self, kind: str) -> LevelDescriptor:
        return next(descriptor for descriptor in self.descriptors if descriptor.kind == kind)


class LevelDescriptor(db.Model):
    __tablename__ = "level_descriptors"
    __table_args__ = (
        UniqueConstraint("level_id", "kind"),
        CheckConstraint(one_of("kind", DESCRIPTOR_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("framework_levels.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[dict] = mapped_column(LocalizedText, nullable=False)

    level: Mapped[FrameworkLevel] = relationship(back_populates="descriptors")

    def __repr__(self) -> str:
        return f"<LevelDescriptor {self.level_id}:{self.kind}>"


class Pathway(db.Model):
    """One way to reach a level: the original wording and the rule a program evaluates."""

    __tablename__ = "pathways"
    __table_args__ = (UniqueConstraint("level_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("framework_levels.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[dict] = mapped_column(LocalizedText, nullable=False)
    rule: Mapped[dict] = mapped_column(JSON, nullable=False)
    # How the centre reads the wording, {"kk": .., "ru": .., "en": ..} (empty: no note; a note of an older file may
    # have English only)
    interpretation: Mapped[dict] = mapped_column(LocalizedText, nullable=False, default=dict)

    level: Mapped[FrameworkLevel] = relationship(back_populates="pathways")

    def __repr__(self) -> str:
        return f"<Pathway {self.code}>"

    def interpretation_in(self, language: str) -> tuple[str, str] | None:
        """The note in ``language``, failing that in English, then in any language it has: (language, text)."""
        return interpretation_in(self.interpretation, language)


def interpretation_in(note: dict | None, language: str) -> tuple[str, str] | None:
    note = note or {}
    for candidate in (language, "en", *note):
        if note.get(candidate):
            return candidate, note[candidate]
    return None


class GlossaryTerm(db.Model):
    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("edition_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("framework_editions.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    term: Mapped[dict] = mapped_column(LocalizedText, nullable=False)
    definition: Mapped[dict] = mapped_column(LocalizedText, nullable=False)

    edition: Mapped[FrameworkEdition] = relationship(back_populates="terms")

    def __repr__(self) -> str:
        return f"<GlossaryTerm {self.edition_id}:{self.number}>"
