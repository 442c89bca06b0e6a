"""Appeals: lodging one (the candidate, within the period), forming the panel (an administrator; only people
independent of the round appealed against), the members' declarations, their votes, and the outcome more than half of
them vote for (dismissed, or upheld with the panel's own decision, a new round, the certificate valid again).
Complaints: filing one (anyone), following it by its secret link, acknowledging, assigning an investigator,
identifying the person complained about, and recording the findings and the outcome. Every step is audited and told
to the people concerned. None of them commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import BinaryIO

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, User, UserRole
from certcenter.appeals import policy, rounds
from certcenter.appeals.models import (
    ACKNOWLEDGED,
    APPEAL_OUTCOMES,
    CATEGORIES,
    CERTIFICATE_STATUS,
    CLOSED,
    DISMISSED,
    INVESTIGATING,
    LODGED,
    MEMBER_ACTIVE,
    MEMBER_CONFLICT,
    MEMBER_PENDING,
    MEMBER_RELEASED,
    NOT_CONFIRMED_DECISION,
    OUTCOMES,
    PANEL_DECISION,
    RECEIVED,
    REINSTATED,
    SUBJECTS,
    UNDER_REVIEW,
    UPHELD,
    Appeal,
    AppealPanelMember,
    AppealVote,
    Complaint,
    ComplaintEvent,
)
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.assessments.models import CONFLICT_KINDS
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.models import utcnow
from certcenter.core.registry import Registry
from certcenter.core.security_log import security_event
from certcenter.core.settings import centre_settings
from certcenter.core.storage import get_storage
from certcenter.core.text import clean_person_name
from certcenter.evidence.uploads import UploadError, check_extension, clean_filename, measure, sniff_content_type
from certcenter.extensions import db
from certcenter.notifications.services import notify, notify_many

RECEIVED_NOTICE, ASSIGNED_NOTICE, ANSWERED_NOTICE = "complaint.received", "complaint.assigned", "complaint.answered"
# the appeals' notices: to the administrators (lodged, a member's conflict), to a member (seated), to the candidate
APPEAL_LODGED, APPEAL_SEATED, APPEAL_MEMBER_CONFLICT = "appeal.lodged", "appeal.seated", "appeal.member_conflict"
APPEAL_ANSWERED = "appeal.answered"
APPEAL_DIVIDED = "appeal.divided"  # to the administrators: the panel's votes cannot reach a majority
APPEAL_RELEASED = "appeal.released"  # to a member an administrator released from the panel
APPEAL_NOTICES = (
    APPEAL_LODGED,
    APPEAL_SEATED,
    APPEAL_MEMBER_CONFLICT,
    APPEAL_ANSWERED,
    APPEAL_DIVIDED,
    APPEAL_RELEASED,
)


class ComplaintError(UserError):
    pass


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _step(complaint: Complaint, state: str, note: str = "") -> None:
    complaint.state = state
    complaint.events.append(ComplaintEvent(state=state, note=note.strip()))


def file_complaint(
    *,
    category: str,
    subject_kind: str,
    text: str,
    contact_name: str,
    contact_email: str = "",
    contact_phone: str = "",
    subject_name: str = "",
    certificate_number: str = "",
    language: str = "kk",
    user: User | None = None,
    attachment: BinaryIO | None = None,
    attachment_name: str | None = None,
) -> tuple[Complaint, str]:
    """The complaint and the secret of its follow link (shown once; only its digest is kept)."""
    if category not in CATEGORIES or subject_kind not in SUBJECTS:
        raise ComplaintError(_l("Choose what the complaint is about."))
    if not text.strip():
        raise ComplaintError(_l("Describe what happened."))
    if not (contact_email.strip() or contact_phone.strip() or user is not None):
        raise ComplaintError(_l("Give an e-mail address or a telephone number, so that the centre can answer."))
    now = utcnow()
    secret = secrets.token_urlsafe(24)
    complaint = Complaint(
        reference=f"pending-{secrets.token_hex(6)}",
        secret_hash=_digest(secret),
        category=category,
        subject_kind=subject_kind,
        subject_name=subject_name.strip(),
        certificate_number=certificate_number.strip().upper(),
        text=text.strip(),
        contact_name=clean_person_name(contact_name),
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
        language=language,
        filed_by_id=user.id if user is not None else None,
        acknowledge_by=now + timedelta(days=centre_settings().complaint_acknowledge_days),
        resolve_by=now + timedelta(days=centre_settings().complaint_resolve_days),
    )
    if attachment is not None and attachment_name:
        _attach(complaint, attachment, attachment_name)
    _step(complaint, RECEIVED)
    db.session.add(complaint)
    db.session.flush()
    complaint.reference = f"C-{now.year}-{complaint.id:05d}"
    audit.record("complaint.file", complaint, actor=user, category=category, subject_kind=subject_kind)
    admins = db.session.scalars(
        select(User.id).join(UserRole).where(UserRole.role == ADMINISTRATOR, User.active.is_(True))
    ).all()
    notify_many([(admin_id, RECEIVED_NOTICE, complaint, {"reference": complaint.reference}) for admin_id in admins])
    return complaint, secret


def _attach(complaint: Complaint | Appeal, stream: BinaryIO, filename: str, prefix: str = "complaints") -> None:
    """The evidence upload rules (size, kind by content and extension) for the one document a complaint or an appeal
    carries."""
    name = clean_filename(filename)
    size = measure(stream)
    limit = current_app.config["EVIDENCE_MAX_FILE_BYTES"]
    if size > limit:
        raise UploadError(_l("The file is larger than %(limit)s MB.", limit=f"{limit / (1024 * 1024):.0f}"))
    content_type = sniff_content_type(stream)
    check_extension(name, content_type)
    stored = get_storage().save(stream, prefix=prefix)
    complaint.attachment_name = name
    complaint.attachment_type = content_type
    complaint.attachment_size = stored.size
    complaint.attachment_sha256 = stored.sha256
    complaint.attachment_key = stored.key


def find_by_link(reference: str, secret: str) -> Complaint | None:
    """The complaint its follow link names; None for a wrong reference or secret (the same answer for both)."""
    complaint = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    expected = complaint.secret_hash if complaint is not None else _digest("")
    if not hmac.compare_digest(expected, _digest(secret)) or complaint is None:
        return None
    return complaint


def acknowledge(complaint: Complaint, *, actor: User, note: str = "") -> None:
    if complaint.state != RECEIVED:
        raise ComplaintError(_l("This complaint has already been acknowledged."))
    complaint.acknowledged_at = utcnow()
    _step(complaint, ACKNOWLEDGED, note)
    audit.record("complaint.acknowledge", complaint, actor=actor)
    _tell_filer(complaint)


def identify_subject(complaint: Complaint, subject: User | None, *, actor: User) -> None:
    """The person complained about, as the administrator identified him (he may then not investigate it)."""
    if not complaint.is_open:
        raise ComplaintError(_l("This complaint is closed."))
    if subject is not None and subject.id == complaint.investigator_id:
        raise ComplaintError(
            _l("%(name)s investigates this complaint: assign another investigator first.", name=subject.full_name)
        )
    complaint.subject_user_id = subject.id if subject is not None else None
    audit.record("complaint.subject", complaint, actor=actor, subject_user_id=complaint.subject_user_id)


def assign_investigator(complaint: Complaint, investigator: User, *, actor: User) -> None:
    if not complaint.is_open:
        raise ComplaintError(_l("This complaint is closed."))
    refusal = policy.investigator_refusal(complaint, investigator)
    if refusal is not None:
        audit.record("complaint.assign_refused", complaint, actor=actor, investigator_id=investigator.id)
        raise ComplaintError(refusal)
    if complaint.state == RECEIVED:
        complaint.acknowledged_at = utcnow()
    complaint.investigator_id = investigator.id
    if complaint.state != INVESTIGATING:
        _step(complaint, INVESTIGATING)
    audit.record("complaint.assign", complaint, actor=actor, investigator_id=investigator.id)
    notify(investigator.id, ASSIGNED_NOTICE, complaint, reference=complaint.reference)


def record_outcome(complaint: Complaint, *, actor: User, findings: str, outcome: str, response: str) -> None:
    if not policy.can_decide(complaint, actor):
        raise ComplaintError(_l("Only the complaint's investigator records its outcome, while it is open."))
    if outcome not in OUTCOMES:
        raise ComplaintError(_l("Choose the outcome."))
    if not findings.strip() or not response.strip():
        raise ComplaintError(_l("Write the findings and the answer to the complainant."))
    complaint.findings = findings.strip()
    complaint.outcome = outcome
    complaint.response = response.strip()
    complaint.closed_at = utcnow()
    _step(complaint, CLOSED, response)
    audit.record("complaint.close", complaint, actor=actor, outcome=outcome)
    _tell_filer(complaint)


def _tell_filer(complaint: Complaint) -> None:
    if complaint.filed_by_id is not None:
        notify(complaint.filed_by_id, ANSWERED_NOTICE, complaint, reference=complaint.reference, state=complaint.state)


def staff_choices() -> list[User]:
    """The people an administrator may pick as investigator: active administrators and assessors."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_((ADMINISTRATOR, ASSESSOR)))),
            )
            .order_by(User.full_name)
        )
    )


def open_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Complaint).where(Complaint.state != CLOSED)) or 0


# --- appeals --------------------------------------------------------------------------------------------------------


class AppealError(UserError):
    status = 409


def now() -> datetime:
    """The clock the appeal's period is read by (tests set it)."""
    return utcnow()


def contestable_criteria(application: Application) -> list[dict]:
    """The criteria of the decision appealed against, as its snapshot keeps them (key, kind, code, title)."""
    decision = getattr(application, "decision", None)
    if decision is None:
        return []
    return [criterion for criterion in decision.snapshot.get("criteria", []) if criterion.get("key")]


def lodge_appeal(
    application: Application,
    *,
    actor: User,
    grounds: str,
    contested: list[str],
    subject: str = NOT_CONFIRMED_DECISION,
    attachment: BinaryIO | None = None,
    attachment_name: str | None = None,
    now: datetime | None = None,
) -> Appeal:
    """The candidate's appeal against the decision not to confirm (or against the lower level it advises, where the
    centre hears such appeals): the application becomes "appealed"."""
    now = now or utcnow()
    refusal = policy.lodging_refusal(application, actor, now, subject=subject)
    if refusal is not None:
        audit.record_refusal("appeal.lodge_refused", application, actor=actor, subject=subject)
        raise AppealError(refusal)
    if not grounds.strip():
        raise AppealError(_l("Write the grounds of your appeal."))
    keys = {criterion["key"] for criterion in contestable_criteria(application)}
    contested = sorted(set(contested))
    if not contested:
        raise AppealError(_l("Choose the criteria of the decision you contest."))
    if not set(contested) <= keys:
        raise AppealError(_l("Unknown criterion. Reload the page."))
    appeal = _open_appeal(
        application,
        actor=actor,
        subject=subject,
        round_number=rounds.current_round(application),
        decision_id=application.decision.id,
        grounds=grounds,
        contested=contested,
        attachment=attachment,
        attachment_name=attachment_name,
        now=now,
    )
    workflow.transition(application, workflow.APPEALED, actor, reason=grounds.strip())
    return appeal


def open_certificate_appeal(
    application: Application,
    *,
    actor: User,
    certificate_id: int,
    certificate_number: str,
    appealed_status: str,
    status_event_id: int,
    round_number: int,
    grounds: str,
    attachment: BinaryIO | None = None,
    attachment_name: str | None = None,
    now: datetime | None = None,
) -> Appeal:
    """The holder's appeal against a suspension or revocation of his certificate, once ``certificates.appeals`` has
    checked that he may lodge it: the application stays as it is (its certificate is what the appeal is about)."""
    if not grounds.strip():
        raise AppealError(_l("Write the grounds of your appeal."))
    return _open_appeal(
        application,
        actor=actor,
        subject=CERTIFICATE_STATUS,
        round_number=round_number,
        decision_id=None,
        grounds=grounds,
        contested=[],
        attachment=attachment,
        attachment_name=attachment_name,
        now=now or utcnow(),
        certificate_id=certificate_id,
        appealed_status=appealed_status,
        status_event_id=status_event_id,
        notice={"number": certificate_number, "status": appealed_status},
    )


def _open_appeal(
    application: Application,
    *,
    actor: User,
    subject: str,
    grounds: str,
    contested: list[str],
    attachment: BinaryIO | None,
    attachment_name: str | None,
    now: datetime,
    notice: dict | None = None,
    **columns: object,
) -> Appeal:
    appeal = Appeal(
        application=application,
        subject=subject,
        lodged_by=actor,
        lodged_at=now,
        grounds=grounds.strip(),
        contested=contested,
        decide_by=now + timedelta(days=int(centre_settings().appeal_panel_days)),
        **columns,
    )
    if attachment is not None and attachment_name:
        _attach(appeal, attachment, attachment_name, prefix="appeals")
    db.session.add(appeal)
    db.session.flush()
    audit.record(
        "appeal.lodge", appeal, actor=actor, application_id=application.id, subject=subject, contested=contested
    )
    params = {"application_id": application.id, **(notice or {})}
    notify_many([(admin_id, APPEAL_LODGED, appeal, params) for admin_id in _admins()])
    return appeal


def _admins() -> list[int]:
    return list(
        db.session.scalars(
            select(User.id).join(UserRole).where(UserRole.role == ADMINISTRATOR, User.active.is_(True))
        ).all()
    )


def seat_member(appeal: Appeal, person: User, *, actor: User) -> AppealPanelMember:
    """Put ``person`` on the appeal's panel: refused (audited, and said why) unless he is independent of the round
    appealed against, and while the panel has room."""
    appeal = lock_appeal(appeal.id)
    application = appeal.application
    case.refuse(application, actor, case.FORM_APPEAL_PANEL)
    if not policy.can_manage(actor):
        raise AppealError(_l("Administrators form appeals panels."))
    if not appeal.is_open:
        raise AppealError(_l("This appeal is closed."))
    refusal = policy.panel_refusal(appeal, person)
    if refusal is None and any(member.user_id == person.id for member in appeal.members):
        refusal = _l("%(name)s is already on the panel.", name=person.full_name)
    if refusal is not None:
        audit.record("appeal.member_refused", appeal, actor=actor, member_id=person.id)
        security_event("appeal_panel_refused", appeal_id=appeal.id, member_id=person.id)
        raise AppealError(refusal)
    limit = int(current_app.config["APPEAL_PANEL_MAX_MEMBERS"])
    if len(appeal.sitting_members) >= limit:
        raise AppealError(_l("An appeals panel has at most %(count)s members.", count=limit))
    member = AppealPanelMember(user=person, added_by=actor)
    appeal.members.append(member)
    if appeal.state == LODGED:
        appeal.state = UNDER_REVIEW
        appeal.panel_formed_at = utcnow()
    db.session.flush()
    audit.record("appeal.member_seated", appeal, actor=actor, member_id=person.id)
    against = {"certificate_id": appeal.certificate_id} if appeal.subject == CERTIFICATE_STATUS else {}
    notify(person.id, APPEAL_SEATED, appeal, application_id=application.id, **against)
    return member


def declare_member_conflict(
    member: AppealPanelMember, *, actor: User, conflict: bool, kind: str | None = None, note: str = ""
) -> None:
    """A member's declaration, before he sees the case. A conflict removes him; the administrators are told."""
    appeal = lock_appeal(member.appeal_id)
    case.refuse(appeal.application, actor, case.HEAR_APPEAL)
    if member.user_id != actor.id:
        raise AppealError(_l("Each member declares for himself."))
    if member.status != MEMBER_PENDING:
        raise AppealError(_l("The declaration has already been made."))
    member.declared_at = utcnow()
    if not conflict:
        member.status = MEMBER_ACTIVE
        audit.record("appeal.no_conflict", appeal, actor=actor)
        return
    if kind not in CONFLICT_KINDS:
        raise AppealError(_l("Choose the kind of conflict."))
    if kind == "other" and not note.strip():
        raise AppealError(_l("Describe the conflict."))
    member.status, member.conflict_kind, member.conflict_note = MEMBER_CONFLICT, kind, note.strip() or None
    audit.record("appeal.conflict", appeal, actor=actor, kind=kind)
    notify_many([(admin_id, APPEAL_MEMBER_CONFLICT, appeal, {}) for admin_id in _admins()])


def release_member(member: AppealPanelMember, *, actor: User, reason: str) -> None:
    """An administrator releases a member who has not voted (``policy.release_refusal``): his seat is kept as
    released, with the reason; he is told. If the votes already cast now make a majority of the smaller panel (a
    member who could no longer sit was all it waited for), the outcome is carried out with the answer of the last
    vote of that majority."""
    appeal = lock_appeal(member.appeal_id)
    case.refuse(appeal.application, actor, case.FORM_APPEAL_PANEL)
    reason = reason.strip()
    refusal = policy.release_refusal(appeal, member, actor)
    if refusal is None and not reason:
        refusal = _l("Write why the member is released.")
    if refusal is not None:
        audit.record_refusal("appeal.member_release_refused", appeal, actor=actor, member_id=member.user_id)
        raise AppealError(refusal)
    member.status, member.released_at, member.released_by, member.release_reason = (
        MEMBER_RELEASED,
        utcnow(),
        actor,
        reason,
    )
    db.session.flush()
    audit.record("appeal.member_released", appeal, actor=actor, member_id=member.user_id, reason=reason)
    notify(member.user_id, APPEAL_RELEASED, appeal, application_id=appeal.application_id)
    outcome = appeal.majority_outcome
    if outcome is not None:
        majority = [vote for vote in appeal.votes if vote.outcome == outcome]
        _carry_out(appeal, actor, outcome, _majority_reasoning(majority), majority[-1].answer)


def _majority_reasoning(majority: list[AppealVote]) -> str:
    """The panel's reasoning for the file: each member of the majority's own, under his name."""
    return "\n\n".join(f"{vote.user.full_name}: {vote.reasoning}" for vote in majority)


def lock_appeal(appeal_id: int) -> Appeal:
    """Load the appeal with a row lock (PostgreSQL), its panel and votes read afresh: two members' votes, or a vote
    and a change of the panel, are counted one after the other (else two agreeing votes cast at once would each
    count one and close nothing)."""
    appeal = db.session.execute(
        select(Appeal)
        .where(Appeal.id == appeal_id)
        .with_for_update(of=Appeal)
        .execution_options(populate_existing=True)
    ).scalar_one()
    db.session.expire(appeal, ["members", "votes"])
    return appeal


class NotOnThePanel(AppealError):
    """A vote by someone who does not sit on the panel (yet): not his to cast."""

    status = 403


def cast_vote(appeal: Appeal, *, actor: User, outcome: str, reasoning: str, answer: str) -> AppealVote:
    """A sitting member's own vote: an outcome open to the appeal, his reasoning, the answer he would give. When more
    than half of the sitting members have voted for the same outcome, this vote carries it out (``_carry_out``),
    with the majority's reasonings and this vote's answer; when no outcome can reach a majority any more, the
    administrators are told that the panel is divided."""
    appeal = lock_appeal(appeal.id)
    case.refuse(appeal.application, actor, case.HEAR_APPEAL)
    refusal = policy.vote_refusal(appeal, actor)
    if refusal is not None:
        audit.record_refusal("appeal.vote_refused", appeal, actor=actor, refused=refusal, outcome=outcome)
        raise (NotOnThePanel if refusal in ("not_on_panel", "undeclared") else AppealError)(
            policy.VOTE_REFUSALS[refusal]
        )
    if outcome not in APPEAL_OUTCOMES:
        raise AppealError(_l("Choose the outcome."))
    if outcome not in appeal.outcomes:
        audit.record_refusal("appeal.outcome_refused", appeal, actor=actor, outcome=outcome)
        raise AppealError(
            _l(
                "An appeal against a suspension or revocation is not sent to a new assessment: dismiss it, or uphold "
                "it and the certificate is valid again."
            )
            if appeal.against_certificate
            else _l("This outcome is for an appeal against a suspension or revocation of a certificate.")
        )
    reasoning, answer = reasoning.strip(), answer.strip()
    if not reasoning or not answer:
        raise AppealError(_l("Write your reasoning and the answer to the candidate."))
    vote = AppealVote(user=actor, outcome=outcome, reasoning=reasoning, answer=answer)
    appeal.votes.append(vote)
    db.session.flush()
    audit.record("appeal.vote", appeal, actor=actor, outcome=outcome, application_id=appeal.application_id)
    if appeal.majority_outcome == outcome:
        majority = [vote for vote in appeal.votes if vote.outcome == outcome]
        _carry_out(appeal, actor, outcome, _majority_reasoning(majority), answer)
    elif appeal.is_divided:
        notify_many(
            [(admin_id, APPEAL_DIVIDED, appeal, {"application_id": appeal.application_id}) for admin_id in _admins()]
        )
    return vote


def _carry_out(appeal: Appeal, actor: User, outcome: str, reasoning: str, answer: str) -> None:
    """The panel's outcome, carried out by the vote that made the majority. Dismissed: the decision stands and the
    application is "not confirmed" again. Upheld with the panel's decision: a new decision (in a round of its own)
    confirms the qualification. Upheld with a new round: the application goes back to the assignment of assessors
    who took no part before. Upheld against a certificate's suspension or revocation: it is valid again."""
    application = appeal.application
    if appeal.against_certificate:
        _close(appeal, actor, outcome, reasoning, answer)
        if outcome == REINSTATED:  # the certificates' own lifecycle move, which asks for this upheld appeal
            _certificate_outcomes.get(CERTIFICATE_STATUS)(appeal, actor)
    else:
        # the application moves first, while the panel still sits (its role in the case allows the move)
        if outcome == DISMISSED:
            workflow.transition(application, workflow.NOT_CONFIRMED, actor, reason=answer)
        elif outcome == PANEL_DECISION:
            appeal.new_round_number = rounds.panel_decision(application, actor, reason=reasoning, reference=appeal.id)
        else:
            rounds.open_round(application, actor, reason=reasoning, reference=appeal.id)
            appeal.new_round_number = rounds.current_round(application)
        _close(appeal, actor, outcome, reasoning, answer)
    dissent = sorted(vote.user_id for vote in appeal.dissenting_votes)
    audit.record("appeal.close", appeal, actor=actor, outcome=outcome, application_id=application.id, dissent=dissent)
    params = {"application_id": application.id, "outcome": outcome}
    if appeal.against_certificate:
        params["certificate_id"] = appeal.certificate_id
    notify(application.candidate.user_id, APPEAL_ANSWERED, appeal, **params)


def _close(appeal: Appeal, actor: User, outcome: str, reasoning: str, answer: str) -> None:
    appeal.outcome, appeal.reasoning, appeal.answer = outcome, reasoning, answer
    appeal.state = DISMISSED if outcome == DISMISSED else UPHELD
    appeal.closed_by, appeal.closed_at = actor, utcnow()
    db.session.flush()


# What an upheld appeal against a certificate's status does to the certificate: registered by ``certificates``
# (above appeals), whose lifecycle owns the move back to "valid".
_certificate_outcomes = Registry("appeals.certificate_outcomes")


def register_certificate_outcome(app: Flask, handler: Callable[[Appeal, User], None]) -> None:
    _certificate_outcomes.add(app, CERTIFICATE_STATUS, handler)


def panel_candidates(appeal: Appeal) -> list[tuple[User, object]]:
    """Every active administrator and assessor, with why he may not sit (None: he may): the form offers all of them,
    the service refuses the others."""
    people = db.session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_((ADMINISTRATOR, ASSESSOR)))),
        )
        .order_by(User.full_name)
    )
    seated = {member.user_id for member in appeal.members}
    return [(person, policy.panel_refusal(appeal, person)) for person in people if person.id not in seated]
