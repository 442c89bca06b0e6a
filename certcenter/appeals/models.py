"""Appeals against the centre's decisions, heard by a panel that took no part in them (ISO/IEC 17024 9.8); and
complaints about the centre, an assessor or a certificate holder, filed by anyone (ISO/IEC 17024 9.9), followed by
the complainant through a secret link, handled by an investigator who is not their subject."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

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


# --- appeals (ISO/IEC 17024 9.8) ------------------------------------------------------------------------------------

# What an appeal is against; the first always, the others where the centre's settings allow them
# ("appeal_lower_level", "appeal_certificate_status"). A decision of this centre never confirms at a lower level: a
# "lower level" appeal is one against a not-confirmed decision that advises the level the evidence meets, in which
# the candidate contests that level; it is heard as any appeal against a decision.
NOT_CONFIRMED_DECISION, LOWER_LEVEL, CERTIFICATE_STATUS = "not_confirmed", "lower_level", "certificate_status"
APPEAL_SUBJECTS = {
    NOT_CONFIRMED_DECISION: _l("The decision not to confirm the qualification"),
    LOWER_LEVEL: _l("The lower level the decision found the evidence to meet"),
    CERTIFICATE_STATUS: _l("A suspension or revocation of the certificate"),
}
DECISION_SUBJECTS = (NOT_CONFIRMED_DECISION, LOWER_LEVEL)
LODGED, UNDER_REVIEW, DISMISSED, UPHELD = "lodged", "under_review", "dismissed", "upheld"
APPEAL_STATES = {
    LODGED: _l("Lodged: the centre forms an appeals panel"),
    UNDER_REVIEW: _l("Under review by the appeals panel"),
    DISMISSED: _l("Dismissed: the decision stands"),
    UPHELD: _l("Upheld"),
}
OPEN_APPEAL_STATES = (LODGED, UNDER_REVIEW)
PANEL_DECISION, NEW_ROUND, REINSTATED = "panel_decision", "new_round", "reinstated"
APPEAL_OUTCOMES = {
    DISMISSED: _l("Dismissed: the decision stands"),
    PANEL_DECISION: _l("Upheld: the panel decides, the facts not being in dispute"),
    NEW_ROUND: _l("Upheld: a new assessment by assessors who took no part before"),
    REINSTATED: _l("Upheld: the certificate is valid again"),
}
# the outcomes open to the panel, by what the appeal is against
OUTCOMES_BY_SUBJECT = {
    NOT_CONFIRMED_DECISION: (DISMISSED, PANEL_DECISION, NEW_ROUND),
    LOWER_LEVEL: (DISMISSED, PANEL_DECISION, NEW_ROUND),
    CERTIFICATE_STATUS: (DISMISSED, REINSTATED),
}
# A panel member's seat: waiting for his declaration, declared free of conflicts, removed by a declared conflict,
# released by an administrator (who can no longer sit, or one who has not declared before any vote; with the reason).
MEMBER_PENDING, MEMBER_ACTIVE, MEMBER_CONFLICT, MEMBER_RELEASED = "pending", "active", "conflict", "released"
MEMBER_STATES = (MEMBER_PENDING, MEMBER_ACTIVE, MEMBER_CONFLICT, MEMBER_RELEASED)


class Appeal(TimestampMixin, db.Model):
    """A candidate's appeal against a decision of the centre, heard by a panel that took no part in it."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint(one_of("subject", APPEAL_SUBJECTS), name="subject"),
        CheckConstraint(one_of("state", APPEAL_STATES), name="state"),
        CheckConstraint(f"outcome IS NULL OR {one_of('outcome', APPEAL_OUTCOMES)}", name="outcome"),
        CheckConstraint("(state IN ('dismissed', 'upheld')) = (outcome IS NOT NULL)", name="closed_has_outcome"),
        CheckConstraint("subject != 'certificate_status' OR certificate_id IS NOT NULL", name="certificate_named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    subject: Mapped[str] = mapped_column(String(30), nullable=False, default=NOT_CONFIRMED_DECISION)
    # the round whose decision is appealed against, and that decision (kept as it was: never changed by the appeal)
    round_number: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="RESTRICT"), nullable=True)
    certificate_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # certificates sit above appeals
    # an appeal against a certificate's status: the status appealed against, and its entry in the certificate's
    # history (the audit log), which names who changed it; one appeal per change
    appealed_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_entries.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    lodged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), nullable=False)
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    grounds: Mapped[str] = mapped_column(Text, nullable=False)
    contested: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # criterion keys of the decision
    attachment_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    attachment_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    attachment_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attachment_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attachment_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=LODGED, index=True)
    decide_by: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)  # the panel's deadline
    panel_formed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reasoning: Mapped[str] = mapped_column(Text, nullable=False, default="")  # the panel's, for the file
    answer: Mapped[str] = mapped_column(Text, nullable=False, default="")  # what the candidate is told
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    new_round_number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the round the outcome opened

    application = relationship("Application", backref=backref("appeals", order_by="Appeal.id"))
    decision = relationship("Decision", foreign_keys=[decision_id])
    lodged_by: Mapped[User] = relationship(foreign_keys=[lodged_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    status_event = relationship("AuditEntry", foreign_keys=[status_event_id])
    members: Mapped[list[AppealPanelMember]] = relationship(
        back_populates="appeal", cascade="all, delete-orphan", order_by="AppealPanelMember.id"
    )
    votes: Mapped[list[AppealVote]] = relationship(
        back_populates="appeal", cascade="all, delete-orphan", order_by="AppealVote.id"
    )

    def __repr__(self) -> str:
        return f"<Appeal {self.id} app={self.application_id} {self.state}>"

    @property
    def reference(self) -> str:
        return f"A-{self.lodged_at.year}-{self.id:05d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_APPEAL_STATES

    @property
    def against_certificate(self) -> bool:
        return self.subject == CERTIFICATE_STATUS

    @property
    def outcomes(self) -> tuple[str, ...]:
        return OUTCOMES_BY_SUBJECT[self.subject]

    def overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and (now or utcnow()) > self.decide_by

    @property
    def sitting_members(self) -> list[AppealPanelMember]:
        """The panel as it stands: members not removed by a declared conflict nor released."""
        return [member for member in self.members if member.status in (MEMBER_PENDING, MEMBER_ACTIVE)]

    def vote_of(self, user_id: int) -> AppealVote | None:
        return next((vote for vote in self.votes if vote.user_id == user_id), None)

    def tally(self) -> Counter[str]:
        """The sitting members' votes, by outcome."""
        sitting = {member.user_id for member in self.sitting_members}
        return Counter(vote.outcome for vote in self.votes if vote.user_id in sitting)

    @property
    def majority_outcome(self) -> str | None:
        """The outcome more than half of the sitting members voted for (1 of 1, 2 of 2, 2 of 3), or None."""
        seats = len(self.sitting_members)
        return next((outcome for outcome, count in self.tally().items() if 2 * count > seats), None)

    @property
    def is_divided(self) -> bool:
        """The panel cannot reach a majority as it stands, whatever its members yet to vote choose (two members who
        disagree; three split three ways): only one more member can decide."""
        if not self.is_open or not self.votes:
            return False
        seats = len(self.sitting_members)
        tally = self.tally()
        still_to_vote = seats - sum(tally.values())
        return 2 * (max(tally.values(), default=0) + still_to_vote) <= seats

    @property
    def dissenting_votes(self) -> list[AppealVote]:
        """Once decided: the votes of the minority, kept for the file and shown wherever the reasoning is."""
        if self.outcome is None:
            return []
        return [vote for vote in self.votes if vote.outcome != self.outcome]


class AppealPanelMember(db.Model):
    """A member of an appeal's panel, who declares his conflicts of interest before he sees the case."""

    __tablename__ = "appeal_panel_members"
    __table_args__ = (
        UniqueConstraint("appeal_id", "user_id"),
        CheckConstraint(one_of("status", MEMBER_STATES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=MEMBER_PENDING)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    conflict_kind: Mapped[str | None] = mapped_column(String(30), nullable=True)
    conflict_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    appeal: Mapped[Appeal] = relationship(back_populates="members")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    released_by: Mapped[User | None] = relationship(foreign_keys=[released_by_id])

    def __repr__(self) -> str:
        return f"<AppealPanelMember appeal={self.appeal_id} user={self.user_id} {self.status}>"


class AppealVote(db.Model):
    """A sitting member's own vote on the appeal: an outcome, his reasoning and the answer he would give the
    candidate. Kept for the file as it was cast, never changed; one per member."""

    __tablename__ = "appeal_votes"
    __table_args__ = (
        UniqueConstraint("appeal_id", "user_id"),
        CheckConstraint(one_of("outcome", APPEAL_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)
    reasoning: Mapped[str] = mapped_column(Text, nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False)  # sent to the candidate if this vote decides
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    appeal: Mapped[Appeal] = relationship(back_populates="votes")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<AppealVote appeal={self.appeal_id} user={self.user_id} {self.outcome}>"


owns_files("appeals", Appeal.attachment_key, sha256=Appeal.attachment_sha256)
