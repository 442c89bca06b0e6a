"""Complaints about the centre, an assessor or a certificate holder, filed by anyone (ISO/IEC 17024 9.9), followed by
the complainant through a secret link, handled by an investigator who is not their subject."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certcenter.accounts.models import User
from certcenter.core.models import TimestampMixin, UTCDateTime, one_of, utcnow
from certcenter.core.storage import owns_files
from certcenter.extensions import db

CATEGORIES = {
    "service": _l("The centre's service (deadlines, communication, fees)"),
    "assessment": _l("The conduct of an assessment or an exam"),
    "assessor": _l("The conduct of an assessor"),
    "certificate_misuse": _l("Misuse of a certificate by its holder"),
    "personal_data": _l("Personal data"),
    "other": _l("Other"),
}
SUBJECTS = {
    "centre": _l("The centre"),
    "assessor": _l("An assessor"),
    "holder": _l("A certificate holder"),
}
RECEIVED, ACKNOWLEDGED, INVESTIGATING, CLOSED = "received", "acknowledged", "investigating", "closed"
STATES = {
    RECEIVED: _l("Received"),
    ACKNOWLEDGED: _l("Acknowledged"),
    INVESTIGATING: _l("Under investigation"),
    CLOSED: _l("Closed"),
}
OPEN_STATES = (RECEIVED, ACKNOWLEDGED, INVESTIGATING)
OUTCOMES = {
    "upheld": _l("Upheld"),
    "partly_upheld": _l("Partly upheld"),
    "not_upheld": _l("Not upheld"),
    "withdrawn": _l("Withdrawn by the complainant"),
}


class Complaint(TimestampMixin, db.Model):
    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(one_of("category", CATEGORIES), name="category"),
        CheckConstraint(one_of("subject_kind", SUBJECTS), name="subject_kind"),
        CheckConstraint(one_of("state", STATES), name="state"),
        CheckConstraint(f"outcome IS NULL OR {one_of('outcome', OUTCOMES)}", name="outcome"),
        CheckConstraint("(state = 'closed') = (outcome IS NOT NULL)", name="closed_has_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)  # sha256 of the follow link's secret
    category: Mapped[str] = mapped_column(String(30), nullable=False)
    subject_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    subject_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # as the complainant wrote it
    certificate_number: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    # the person complained about, once an administrator has identified him: never the investigator
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    contact_name: Mapped[str] = mapped_column(String(200), nullable=False)
    contact_email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    language: Mapped[str] = mapped_column(String(5), nullable=False, default="kk")
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    attachment_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    attachment_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    attachment_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attachment_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attachment_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=RECEIVED, index=True)
    acknowledge_by: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    resolve_by: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    investigator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    findings: Mapped[str] = mapped_column(Text, nullable=False, default="")
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    response: Mapped[str] = mapped_column(Text, nullable=False, default="")  # what the complainant is told
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    investigator: Mapped[User | None] = relationship(foreign_keys=[investigator_id])
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan", order_by="ComplaintEvent.id"
    )

    def __repr__(self) -> str:
        return f"<Complaint {self.reference} {self.state}>"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def overdue(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.state == RECEIVED and now > self.acknowledge_by:
            return True
        return self.is_open and now > self.resolve_by


class ComplaintEvent(db.Model):
    """What the complainant sees of the handling: each step, with the words meant for him."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False, index=True
    )
    state: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<ComplaintEvent {self.complaint_id} {self.state}>"


owns_files("complaints", Complaint.attachment_key, sha256=Complaint.attachment_sha256)
