"""Evidence items: files stored by key with their hash, described, and mapped to the criteria they support."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.applications.policy import can_read_case_file
from certcenter.candidates.models import CandidateProfile, EducationRecord
from certcenter.core.models import UTCDateTime, one_of, utcnow
from certcenter.core.storage import owns_files
from certcenter.extensions import db

EVIDENCE_KINDS = {
    "diploma": _l("Diploma or education document"),
    "work_record": _l("Work record (employment history)"),
    "employer_reference": _l("Employer reference"),
    "work_sample": _l("Sample of work"),
    "prior_certificate": _l("Prior certificate"),
    "practice_media": _l("Photo or video of practice"),
    "other": _l("Other"),
}


class EvidenceItem(db.Model):
    __tablename__ = "evidence_items"
    __table_args__ = (
        CheckConstraint(one_of("kind", EVIDENCE_KINDS), name="kind"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidate_profiles.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # None for documents of the profile (a diploma behind an education record), shared by all applications.
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    document_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    original_filename: Mapped[str] = mapped_column(String(255), nullable=False)  # metadata only, never a path
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)  # decided from the content
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    candidate: Mapped[CandidateProfile] = relationship()
    application: Mapped[Application | None] = relationship(
        backref=backref("evidence", order_by="EvidenceItem.id", cascade="all, delete-orphan")
    )
    links: Mapped[list[EvidenceLink]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="EvidenceLink.criterion_key"
    )

    def __repr__(self) -> str:
        return f"<EvidenceItem {self.id} {self.kind}>"

    @property
    def criterion_keys(self) -> set[str]:
        return {link.criterion_key for link in self.links}

    @property
    def previewable(self) -> bool:
        return self.content_type in ("application/pdf", "image/jpeg", "image/png")

    def can_view(self, user: User) -> bool:
        """Those who may read the case file of its application; a profile document, of any of the person's."""
        if not user.is_authenticated:
            return False
        if self.candidate.user_id == user.id or user.has_role("administrator"):
            return True
        applications = [self.application] if self.application else self.candidate.applications
        return any(can_read_case_file(application, user) for application in applications)


class EvidenceLink(db.Model):
    """The candidate's claim that an item supports a criterion (see qualifications.criteria for the keys)."""

    __tablename__ = "evidence_links"

    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id", ondelete="CASCADE"), primary_key=True)
    criterion_key: Mapped[str] = mapped_column(String(40), primary_key=True)

    item: Mapped[EvidenceItem] = relationship(back_populates="links")

    def __repr__(self) -> str:
        return f"<EvidenceLink {self.evidence_id} {self.criterion_key}>"


# The diploma behind an education record: declared here, above the candidates domain that holds the record.
EducationRecord.document = relationship(EvidenceItem, foreign_keys=[EducationRecord.document_id])

owns_files("evidence", EvidenceItem.storage_key, sha256=EvidenceItem.sha256)
