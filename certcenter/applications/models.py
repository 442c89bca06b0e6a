"""The case file: a candidate's application for a qualification, and its history.

Other domains hang their parts on it from above: evidence (``Application.evidence``), assessment
(``assignments``, ``final_ratings``, ``decision``: those of the current round), certificates and reports."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from certcenter.accounts.models import User
from certcenter.applications.workflow import EDITABLE_STATES, FINAL_STATES, NEXT_STEPS, STATE_LABELS, STATES
from certcenter.candidates.models import CandidateProfile
from certcenter.core.models import TimestampMixin, UTCDateTime, one_of, utcnow
from certcenter.extensions import db


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
    # The qualification's units as they were when it was submitted (None for a draft): what it is assessed against.
    qualification_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("qualification_versions.id", ondelete="RESTRICT"), nullable=True
    )
    state: Mapped[str] = mapped_column(String(30), nullable=False, default="draft", index=True)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The one-time token of the form that created it: a double-clicked "apply" finds this row instead of a second.
    form_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # Evaluated at submission and kept as it was: status, pathway results, the facts they rest on.
    eligibility_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    eligibility: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    profile_snapshot: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # The person as the application names him, captured at submission: the certificate, the reports and the
    # register print these, whatever the profile says later; only an approved name change (NameChangeRequest)
    # changes the name here.
    identity_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    identity_name_latin: Mapped[str | None] = mapped_column(String(200), nullable=True)
    identity_iin: Mapped[str | None] = mapped_column(String(12), nullable=True)
    identity_birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    exception_request: Mapped[str | None] = mapped_column(Text, nullable=True)
    exception_granted: Mapped[bool | None] = mapped_column(nullable=True)
    # The assessment round under way or last held: 1, and one more each time an upheld appeal (or a renewal) sends the
    # application to be assessed again (the rounds themselves belong to assessment).
    current_round: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    # Optimistic locking: a write based on a stale read fails instead of overwriting a newer state.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    candidate: Mapped[CandidateProfile] = relationship(
        backref=backref("applications", order_by="Application.created_at.desc()")
    )
    qualification = relationship("Qualification", lazy="joined")
    qualification_version = relationship("QualificationVersion")
    edition = relationship("FrameworkEdition")
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id"
    )

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.state}>"

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def next_step(self) -> str:
        """What the candidate is told comes next."""
        return str(NEXT_STEPS[self.state])

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    def is_owner(self, user: User) -> bool:
        return user.is_authenticated and self.candidate.user_id == user.id

    # The person as frozen at submission; a draft (nothing frozen yet) reads the profile.
    @property
    def holder_name(self) -> str:
        return self.identity_name or self.candidate.full_name

    @property
    def holder_name_latin(self) -> str:
        return self.identity_name_latin or self.candidate.full_name_latin

    @property
    def holder_iin(self) -> str:
        return self.identity_iin or self.candidate.iin

    @property
    def holder_birth_date(self) -> date:
        return self.identity_birth_date or self.candidate.birth_date


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

    @property
    def to_state_label(self) -> str:
        return str(STATE_LABELS[self.to_state])


NAME_CHANGE_STATES = ("pending", "approved", "refused")
NAME_CHANGE_LABELS = {"pending": _l("Being considered"), "approved": _l("Approved"), "refused": _l("Refused")}


class NameChangeRequest(db.Model):
    """A person's request to change the name his submitted applications carry, with the supporting document (a
    profile document kept by the evidence domain). An administrator approves or refuses it."""

    __tablename__ = "name_change_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", NAME_CHANGE_STATES), name="status"),
        CheckConstraint("status = 'pending' OR decided_by_id IS NOT NULL", name="decided_by_someone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidate_profiles.id", ondelete="CASCADE"), nullable=False, index=True
    )
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    full_name_latin: Mapped[str] = mapped_column(String(200), nullable=False)
    # the names before the change, as the applications carried them
    previous_name: Mapped[str] = mapped_column(String(200), nullable=False)
    previous_name_latin: Mapped[str] = mapped_column(String(200), nullable=False)
    explanation: Mapped[str] = mapped_column(Text, nullable=False, default="")
    document_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id", ondelete="RESTRICT"), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending", index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    candidate: Mapped[CandidateProfile] = relationship(
        backref=backref("name_changes", order_by="NameChangeRequest.id.desc()")
    )
    decided_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<NameChangeRequest {self.id} {self.status}>"
