"""Who is competent to assess what (ISO/IEC 17024 6.1): each assessor's scopes, kept by administrators.

A scope names one qualification, or a range of NQF levels within a field of activity (matched against the
qualifications' professional standard), with the evidence of competence (words, and a document if any) and the day
it is valid until. An assessor is offered for, and may be assigned to, only an application whose qualification one
of his valid scopes covers; an expired scope is shown as such and refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certcenter.accounts.models import User
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_today, localized
from certcenter.core.models import UTCDateTime, utcnow
from certcenter.core.storage import get_storage, owns_files
from certcenter.extensions import db
from certcenter.qualifications.models import Qualification

if TYPE_CHECKING:
    from flask_babel import LazyString


class AssessorScope(db.Model):
    """One thing an assessor is competent to assess, on what evidence, until when."""

    __tablename__ = "assessor_scopes"
    __table_args__ = (
        CheckConstraint(
            "qualification_id IS NOT NULL OR (level_from IS NOT NULL AND level_to IS NOT NULL AND field IS NOT NULL)",
            name="qualification_or_levels",
        ),
        CheckConstraint(
            "level_from IS NULL OR (level_from BETWEEN 1 AND 8 AND level_to BETWEEN level_from AND 8)",
            name="level_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    qualification_id: Mapped[int | None] = mapped_column(
        ForeignKey("qualifications.id", ondelete="CASCADE"), nullable=True
    )
    level_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    level_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    field: Mapped[str | None] = mapped_column(String(300), nullable=True)
    evidence: Mapped[str] = mapped_column(Text, nullable=False)
    document_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    document_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    document_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    document_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    document_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])
    qualification: Mapped[Qualification | None] = relationship()

    def __repr__(self) -> str:
        return f"<AssessorScope {self.id} assessor={self.assessor_id} until {self.valid_until}>"

    def covers(self, qualification: Qualification) -> bool:
        if self.qualification_id is not None:
            return self.qualification_id == qualification.id
        # the professional standard's title in any of its languages names the field
        standards = (qualification.professional_standard or {}).values()
        return (
            self.level_from <= qualification.level.number <= self.level_to
            and bool(self.field)
            and any(self.field.casefold() in (standard or "").casefold() for standard in standards)
        )

    def valid_on(self, day: date) -> bool:
        return day <= self.valid_until

    def describe(self) -> str:
        if self.qualification is not None:
            return f"{self.qualification.code} · {localized(self.qualification.title)}"
        return str(
            _l("NQF levels %(low)s–%(high)s, %(field)s", low=self.level_from, high=self.level_to, field=self.field)
        )


owns_files("competence", AssessorScope.document_key, sha256=AssessorScope.document_sha256)


class CompetenceError(UserError):
    """A refused scope, or an assessor refused for want of one."""


# --- the rule ---------------------------------------------------------------------------------------------------------

IN_SCOPE, EXPIRED, NO_SCOPE = "in_scope", "expired", "no_scope"


@dataclass
class Standing:
    """An assessor's standing for one qualification today: in scope (by which scope), expired (since when), or none."""

    status: str
    scope: AssessorScope | None = None

    @property
    def in_scope(self) -> bool:
        return self.status == IN_SCOPE

    def refusal(self, assessor: User) -> LazyString | None:
        if self.status == IN_SCOPE:
            return None
        if self.status == EXPIRED:
            return _l(
                "%(name)s's competence to assess this qualification expired on %(date)s.",
                name=assessor.full_name,
                date=self.scope.valid_until.strftime("%d.%m.%Y"),
            )
        return _l("%(name)s has no recorded competence to assess this qualification.", name=assessor.full_name)


def scopes_of(user_ids: list[int]) -> dict[int, list[AssessorScope]]:
    rows = db.session.scalars(
        select(AssessorScope).where(AssessorScope.assessor_id.in_(user_ids)).order_by(AssessorScope.valid_until.desc())
    ).all()
    scopes: dict[int, list[AssessorScope]] = {user_id: [] for user_id in user_ids}
    for scope in rows:
        scopes[scope.assessor_id].append(scope)
    return scopes


def standing(scopes: list[AssessorScope], qualification: Qualification, day: date | None = None) -> Standing:
    day = day or centre_today()
    covering = [scope for scope in scopes if scope.covers(qualification)]
    valid = [scope for scope in covering if scope.valid_on(day)]
    if valid:
        return Standing(IN_SCOPE, max(valid, key=lambda scope: scope.valid_until))
    if covering:
        return Standing(EXPIRED, max(covering, key=lambda scope: scope.valid_until))
    return Standing(NO_SCOPE)


def refuse_out_of_scope(assessor: User, qualification: Qualification) -> None:
    reason = standing(scopes_of([assessor.id])[assessor.id], qualification).refusal(assessor)
    if reason is not None:
        raise CompetenceError(reason)


def open_assignments(user_ids: list[int]) -> dict[int, int]:
    """Each assessor's current workload: assignments not yet judged (waiting for the declaration, or judging)."""
    from certcenter.assessments.models import ACTIVE, PENDING, Assignment

    counts = dict(
        db.session.execute(
            select(Assignment.assessor_id, func.count())
            .where(Assignment.assessor_id.in_(user_ids), Assignment.status.in_((PENDING, ACTIVE)))
            .group_by(Assignment.assessor_id)
        ).all()
    )
    return {user_id: counts.get(user_id, 0) for user_id in user_ids}


@dataclass
class Candidacy:
    """An assessor as the assignment form shows him: his standing for the qualification and his workload."""

    user: User
    standing: Standing
    workload: int


def assessor_candidacies(users: list[User], qualification: Qualification) -> list[Candidacy]:
    ids = [user.id for user in users]
    scopes, workload = scopes_of(ids), open_assignments(ids)
    return [Candidacy(user, standing(scopes[user.id], qualification), workload[user.id]) for user in users]


# --- keeping scopes ---------------------------------------------------------------------------------------------------


def add_scope(
    assessor: User,
    *,
    actor: User,
    evidence: str,
    valid_until: date,
    qualification: Qualification | None = None,
    level_from: int | None = None,
    level_to: int | None = None,
    field: str | None = None,
    document: BinaryIO | None = None,
    document_name: str | None = None,
) -> AssessorScope:
    from certcenter.accounts.models import ASSESSOR
    from certcenter.evidence.uploads import check_extension, clean_filename, measure, sniff_content_type

    if not assessor.has_role(ASSESSOR):
        raise CompetenceError(_l("Scopes are kept for assessors only."))
    evidence = evidence.strip()
    if not evidence:
        raise CompetenceError(_l("Describe the evidence of competence."), "evidence")
    if valid_until < centre_today():
        raise CompetenceError(_l("The scope must be valid until today or later."), "valid_until")
    field = (field or "").strip() or None
    if qualification is None:
        if not (level_from and level_to and 1 <= level_from <= level_to <= 8):
            raise CompetenceError(_l("Choose a qualification, or NQF levels from 1 to 8 (from ≤ to)."), "level_from")
        if not field:
            raise CompetenceError(_l("Name the field of activity the levels are in."), "field")
    else:
        level_from = level_to = field = None
    scope = AssessorScope(
        assessor=assessor,
        qualification=qualification,
        level_from=level_from,
        level_to=level_to,
        field=field,
        evidence=evidence,
        valid_until=valid_until,
        created_by_id=actor.id,
    )
    if document is not None and document_name:
        name = clean_filename(document_name)
        size = measure(document)
        if size > current_app.config["EVIDENCE_MAX_FILE_BYTES"]:
            raise CompetenceError(_l("The document is too large."), "document")
        content_type = sniff_content_type(document)
        check_extension(name, content_type)
        stored = get_storage().save(document, prefix="competence")
        scope.document_name, scope.document_type = name, content_type
        scope.document_size, scope.document_key, scope.document_sha256 = stored.size, stored.key, stored.sha256
    db.session.add(scope)
    db.session.flush()
    audit.record(
        "assessment.scope_add",
        scope,
        actor=actor,
        assessor_id=assessor.id,
        qualification=qualification.code if qualification else None,
        levels=f"{level_from}-{level_to}" if level_from else None,
        field=field,
        valid_until=valid_until.isoformat(),
    )
    return scope


def end_scope(scope: AssessorScope, *, actor: User, reason: str) -> None:
    """Withdraw a scope from today on (kept, shown as expired)."""
    reason = reason.strip()
    if not reason:
        raise CompetenceError(_l("Write why the scope is withdrawn."), "reason")
    today = centre_today()
    if scope.valid_until < today:
        raise CompetenceError(_l("This scope has already expired."))
    before = scope.valid_until
    scope.valid_until = date.fromordinal(today.toordinal() - 1)
    audit.record(
        "assessment.scope_end",
        scope,
        actor=actor,
        assessor_id=scope.assessor_id,
        before=before.isoformat(),
        reason=reason,
    )
