"""Records kept about people, and for how long (Law No. 94-V "On personal data and their protection"): what the
retention schedule has destroyed, legal holds that stop it, the subject's requests (his data exported, his account
erased) and his consent to the privacy notice, by version."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.core.models import UTCDateTime, one_of, utcnow
from certcenter.core.storage import owns_files
from certcenter.extensions import db

HOLD_GROUNDS = {
    "appeal": _l("Appeal"),
    "complaint": _l("Complaint"),
    "court": _l("Court case"),
}


class LegalHold(db.Model):
    """While a hold is on (not lifted), the retention schedule and erasure leave the application as it is."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        CheckConstraint(one_of("ground", HOLD_GROUNDS), name="ground"),
        CheckConstraint("lifted_at IS NULL OR lift_reason IS NOT NULL", name="lift_reasoned"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    ground: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    application: Mapped[Application] = relationship(backref=backref("legal_holds", order_by="LegalHold.id"))
    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])

    def __repr__(self) -> str:
        return f"<LegalHold {self.id} application={self.application_id} {'lifted' if self.lifted_at else 'on'}>"

    @property
    def active(self) -> bool:
        return self.lifted_at is None

    @property
    def ground_label(self) -> str:
        return str(HOLD_GROUNDS[self.ground])


class RetentionAction(db.Model):
    """One thing the retention schedule (or an approved erasure) has done, once: a second run finds it here and does
    nothing again. ``kind`` is a kind of record of the schedule."""

    __tablename__ = "retention_actions"
    __table_args__ = (UniqueConstraint("kind", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    target_type: Mapped[str] = mapped_column(String(60), nullable=False)
    target_id: Mapped[str] = mapped_column(String(64), nullable=False)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # "retention" (the schedule) or "erasure" (the subject's request)
    cause: Mapped[str] = mapped_column(String(20), nullable=False, default="retention")
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    def __repr__(self) -> str:
        return f"<RetentionAction {self.kind} {self.target_type}:{self.target_id}>"


PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
ERASURE_STATES = (PENDING, APPROVED, REFUSED)
ERASURE_LABELS = {PENDING: _l("Awaiting an administrator"), APPROVED: _l("Approved"), REFUSED: _l("Refused")}


class ErasureRequest(db.Model):
    """The subject's request to have his account erased; an administrator approves or refuses it with a reason.
    ``outcome`` says what was erased and what was kept, and why (told to the subject)."""

    __tablename__ = "erasure_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", ERASURE_STATES), name="status"),
        CheckConstraint("status = 'pending' OR decision_reason IS NOT NULL", name="decision_reasoned"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PENDING, index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return f"<ErasureRequest {self.id} user={self.user_id} {self.status}>"

    @property
    def status_label(self) -> str:
        return str(ERASURE_LABELS[self.status])


QUEUED, READY, FAILED, EXPIRED = "queued", "ready", "failed", "expired"
EXPORT_STATES = (QUEUED, READY, FAILED, EXPIRED)


class DataExport(db.Model):
    """All a person's data as a ZIP (data.json and his files), made by a worker; kept a few days, then deleted."""

    __tablename__ = "data_exports"
    __table_args__ = (CheckConstraint(one_of("status", EXPORT_STATES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=QUEUED)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    storage_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<DataExport {self.id} user={self.user_id} {self.status}>"


class ConsentRecord(db.Model):
    """The person's consent to the processing of his personal data, to one version of the privacy notice."""

    __tablename__ = "consent_records"
    __table_args__ = (UniqueConstraint("user_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    version: Mapped[str] = mapped_column(String(40), nullable=False)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<ConsentRecord user={self.user_id} {self.version}>"


owns_files("data_exports", DataExport.storage_key, sha256=DataExport.sha256)
