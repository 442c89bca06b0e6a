"""Certificates: one per decision (reissues add generations), numbered in a readable series per year, with an
unguessable verification code, the facts they state copied in, the rendered and signed PDF's key and hash, and
their lifecycle status."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.core.i18n import centre_today
from certcenter.core.models import UTCDateTime, one_of, utcnow
from certcenter.core.storage import owns_files
from certcenter.extensions import db

VALID, SUSPENDED, REVOKED, SUPERSEDED, EXPIRED = "valid", "suspended", "revoked", "superseded", "expired"
STATUSES = (VALID, SUSPENDED, REVOKED, SUPERSEDED, EXPIRED)
STATUS_LABELS = {
    VALID: lazy_pgettext("certificate status", "Valid"),
    SUSPENDED: _l("Suspended"),
    REVOKED: _l("Revoked"),
    SUPERSEDED: _l("Superseded"),
    EXPIRED: _l("Expired"),
}

QUEUED, RENDERING, READY, FAILED = "queued", "rendering", "ready", "failed"
RENDER_STATES = (QUEUED, RENDERING, READY, FAILED)


class CertificateSeries(db.Model):
    """The last number issued in a year: certificate numbers run 1, 2, 3, ... within each year."""

    __tablename__ = "certificate_series"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    def __repr__(self) -> str:
        return f"<CertificateSeries {self.year}: {self.last_number}>"


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("decision_id", "generation"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint(one_of("render_status", RENDER_STATES), name="render_status"),
        CheckConstraint("status != 'revoked' OR status_reason IS NOT NULL", name="revocation_reasoned"),
        CheckConstraint("expires_on > issued_on", name="validity_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="RESTRICT"), nullable=False)
    generation: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    verification_code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)

    # What the certificate states, copied in at issue so it never changes afterwards.
    holder_name: Mapped[str] = mapped_column(String(200), nullable=False)
    holder_name_latin: Mapped[str] = mapped_column(String(200), nullable=False)
    iin_last4: Mapped[str] = mapped_column(String(4), nullable=False)
    qualification_code: Mapped[str] = mapped_column(String(40), nullable=False)
    qualification_title: Mapped[dict] = mapped_column(JSON, nullable=False)
    nqf_level: Mapped[int] = mapped_column(Integer, nullable=False)
    eqf_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    edition_code: Mapped[str] = mapped_column(String(60), nullable=False)
    edition_title: Mapped[dict] = mapped_column(JSON, nullable=False)
    # {"kk", "ru", "en"} as the qualification stated it at the decision
    professional_standard: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    centre: Mapped[dict] = mapped_column(JSON, nullable=False)  # name, accreditation, address, signatory
    decided_on: Mapped[date] = mapped_column(Date, nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    expires_on: Mapped[date] = mapped_column(Date, nullable=False)
    # A renewal's certificate is in force from the day the one it renews expires (None: from issue).
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    english: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    status: Mapped[str] = mapped_column(String(20), nullable=False, default=VALID, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="RESTRICT"), nullable=True)

    render_status: Mapped[str] = mapped_column(String(20), nullable=False, default=QUEUED, index=True)
    render_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    render_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    storage_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When it was last sent to the workers, and which worker process started rendering it when: the sweep sends
    # again a certificate queued too long, or left rendering by a worker that has died.
    render_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=utcnow)
    render_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    render_worker: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # when the PDF's signature was time-stamped (the authority's time, RFC 3161)
    timestamped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    # The certificate's bit in the status lists (revocation, suspension): allocated at issue, never reused. Rows
    # written in bulk without one (demo data) get theirs when their credential is first signed.
    status_index: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    # The holder withdrew the public link to his credential (None: shared, as it is from issue).
    credential_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    application: Mapped[Application] = relationship(backref="certificates")
    decision = relationship("Decision")
    issued_by: Mapped[User | None] = relationship()
    replaces: Mapped[Certificate | None] = relationship(remote_side=[id], backref="replaced_by")

    def __repr__(self) -> str:
        return f"<Certificate {self.number} {self.status}/{self.render_status}>"

    def current_status(self, today: date | None = None) -> str:
        """The status as of today: a valid certificate past its expiry date is expired even before the nightly
        task has marked it."""
        if self.status == VALID and self.expires_on < (today or centre_today()):
            return EXPIRED
        return self.status

    @property
    def ready(self) -> bool:
        return self.render_status == READY and self.storage_key is not None

    def can_download(self, user: User) -> bool:
        return user.is_authenticated and (
            user.has_role("administrator") or self.application.candidate.user_id == user.id
        )

    def is_held_by(self, user: User) -> bool:
        return user.is_authenticated and self.application.candidate.user_id == user.id

    def can_share(self, user: User) -> bool:
        """Only the holder decides whether his credential is public."""
        return self.is_held_by(user)

    def can_appeal(self, user: User) -> bool:
        """Only the holder appeals against its suspension or revocation (``certificates.appeals`` says when)."""
        return self.is_held_by(user)

    @property
    def credential_shared(self) -> bool:
        return self.credential_withdrawn_at is None and self.status != SUPERSEDED


class StatusListCounter(db.Model):
    """The last index handed out in the status lists (one row): a certificate's index is the same in every list."""

    __tablename__ = "status_list_counters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_index: Mapped[int] = mapped_column(Integer, nullable=False, default=-1)

    def __repr__(self) -> str:
        return f"<StatusListCounter {self.last_index}>"


class SignedCredential(db.Model):
    """A certificate's Open Badges credential as signed, once: the document with its Data Integrity proof and the
    same credential as a JWT, with the key that signed them (kept published after a rotation)."""

    __tablename__ = "signed_credentials"

    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    key_id: Mapped[str] = mapped_column(String(100), nullable=False)
    document: Mapped[dict] = mapped_column(JSON, nullable=False)
    jwt: Mapped[str] = mapped_column(Text, nullable=False)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    certificate: Mapped[Certificate] = relationship(backref=backref("signed_credential", uselist=False))

    def __repr__(self) -> str:
        return f"<SignedCredential {self.certificate_id} {self.key_id}>"


SHORT, FULL = "short", "reassessment"
RENEWAL_ROUTES = (SHORT, FULL)


class Renewal(db.Model):
    """An application that renews a certificate (ISO/IEC 17024, 9.6): the rule it follows, copied from the
    qualification when it was started, and the route (the short one, or a full reassessment)."""

    __tablename__ = "renewals"
    __table_args__ = (CheckConstraint(one_of("route", RENEWAL_ROUTES), name="route"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    rule: Mapped[str] = mapped_column(String(20), nullable=False)
    route: Mapped[str] = mapped_column(String(20), nullable=False)
    # What the holder writes of his practice since the certificate (the practice rule).
    practice_statement: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    application: Mapped[Application] = relationship(backref=backref("renewal", uselist=False))
    certificate: Mapped[Certificate] = relationship(backref="renewals")
    cpd_records: Mapped[list[CPDRecord]] = relationship(
        back_populates="renewal", cascade="all, delete-orphan", order_by="CPDRecord.completed_on"
    )

    def __repr__(self) -> str:
        return f"<Renewal {self.id} application={self.application_id} certificate={self.certificate_id}>"

    @property
    def cpd_hours(self) -> int:
        return sum(record.hours for record in self.cpd_records)


class CPDRecord(db.Model):
    """Continuing professional development the holder declares for a renewal."""

    __tablename__ = "cpd_records"
    __table_args__ = (CheckConstraint("hours BETWEEN 1 AND 1000", name="hours_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    renewal_id: Mapped[int] = mapped_column(ForeignKey("renewals.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    provider: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    hours: Mapped[int] = mapped_column(Integer, nullable=False)
    completed_on: Mapped[date] = mapped_column(Date, nullable=False)

    renewal: Mapped[Renewal] = relationship(back_populates="cpd_records")

    def __repr__(self) -> str:
        return f"<CPDRecord {self.id} {self.hours}h>"


DUE, SUBMITTED, ACCEPTED, CASE_OPENED = "due", "submitted", "accepted", "case_opened"
SURVEILLANCE_STATES = (DUE, SUBMITTED, ACCEPTED, CASE_OPENED)
SURVEILLANCE_LABELS = {
    DUE: _l("Awaiting the holder"),
    SUBMITTED: _l("Awaiting an administrator"),
    ACCEPTED: _l("Accepted"),
    CASE_OPENED: _l("Case opened"),
}


class SurveillanceCheck(db.Model):
    """The mid-term check of a certificate (ISO/IEC 17024, 9.6.2): the holder confirms he still practises; an
    administrator accepts it or opens a case, which may lead to suspension."""

    __tablename__ = "surveillance_checks"
    __table_args__ = (CheckConstraint(one_of("status", SURVEILLANCE_STATES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    due_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DUE, index=True)
    employer: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    position: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    statement: Mapped[str] = mapped_column(Text, nullable=False, default="")
    document_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    document_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    document_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    document_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)

    certificate: Mapped[Certificate] = relationship(backref=backref("surveillance", uselist=False))
    decided_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<SurveillanceCheck {self.certificate_id} {self.status} due {self.due_on}>"

    @property
    def status_label(self) -> str:
        return str(SURVEILLANCE_LABELS[self.status])

    def overdue(self, today: date | None = None) -> bool:
        return self.status == DUE and self.due_on < (today or centre_today())


owns_files("certificates", Certificate.storage_key, sha256=Certificate.sha256)
owns_files("surveillance", SurveillanceCheck.document_key, sha256=SurveillanceCheck.document_sha256)
