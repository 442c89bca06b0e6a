"""Certificate verbs: issue, render and sign (the task's work), suspend, reinstate, revoke, reissue, expire, and the
move back to valid an upheld appeal makes.
None of them commits, except ``render_and_store``, which is a task's body and commits its own steps."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import selectinload

from certcenter.accounts.models import User
from certcenter.applications import policy as case
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.certificates.models import (
    EXPIRED,
    FAILED,
    QUEUED,
    READY,
    RENDERING,
    REVOKED,
    SUPERSEDED,
    SUSPENDED,
    VALID,
    Certificate,
)
from certcenter.certificates.numbering import next_number, reserve_numbers
from certcenter.certificates.signals import certificates_issued
from certcenter.certificates.status_list import allocate_indexes
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_day, centre_today
from certcenter.core.models import AuditEntry, utcnow
from certcenter.core.settings import centre_settings
from certcenter.core.storage import get_storage, save_all
from certcenter.core.text import normalize_name
from certcenter.core.workers import current_worker_id
from certcenter.extensions import db
from certcenter.notifications.services import notify, notify_administrators

if TYPE_CHECKING:
    from certcenter.appeals.models import Appeal


class CertificateError(UserError):
    """A refused step in a certificate's life."""


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def centre_as_stated() -> dict[str, Any]:
    """The centre as a certificate issued now states it (copied into the certificate, so it never changes there)."""
    settings = centre_settings()
    return {
        "name": settings.name,
        "accreditation": settings.accreditation,
        "signatory_name": settings.signatory_name,
        "signatory_position": settings.signatory_position,
        "logo": settings.logo,
    }


def _certificate_values(
    application: Application, *, actor: User | None, english: bool, generation: int, number: str, today: date
) -> dict[str, Any]:
    """The columns of a new certificate: what it states, copied from the decision's snapshot and the person as the
    application names him (frozen at submission, or changed since by an approved request)."""
    decision = application.decision
    snapshot = decision.snapshot
    qualification = snapshot["qualification"]
    return {
        "decision_id": decision.id,
        "generation": generation,
        "application_id": application.id,
        "number": number,
        "verification_code": secrets.token_urlsafe(18),
        # normalised again: a profile saved before names were normalised must not carry a bidi override onto paper
        "holder_name": normalize_name(application.holder_name),
        "holder_name_latin": normalize_name(application.holder_name_latin),
        "iin_last4": application.holder_iin[-4:],
        "qualification_code": qualification["code"],
        "qualification_title": qualification["title"],
        "nqf_level": qualification["level"],
        "eqf_level": qualification.get("eqf_level"),
        "edition_code": snapshot["edition"]["code"],
        "edition_title": snapshot["edition"]["title"],
        "professional_standard": qualification.get("professional_standard"),
        "centre": centre_as_stated(),
        "decided_on": centre_day(decision.decided_at),  # the day of the centre's calendar, as issued_on
        "issued_on": today,
        "expires_on": add_years(today, int(qualification["validity_years"])),
        "english": english,
        "status": VALID,
        "render_status": QUEUED,
        "issued_by_id": actor.id if actor is not None else None,
    }


def _lock_for_issue(application_ids: list[int]) -> dict[int, Application]:
    """The applications row-locked in id order, as ``lock_application`` locks one, with what issuing reads of them
    (decision, candidate's profile) loaded by one query each instead of two per application."""
    applications = db.session.scalars(
        select(Application)
        .where(Application.id.in_(application_ids))
        .order_by(Application.id)
        .with_for_update(of=Application)
        .options(selectinload(Application.decisions), selectinload(Application.candidate))
        .execution_options(populate_existing=True)
    ).all()
    return {application.id: application for application in applications}


@dataclass
class IssueResult:
    issued: list[int]  # the new certificates' ids, in the order of their applications
    skipped: list[tuple[int, Any]]


def issue_certificates(application_ids: list[int], *, actor: User, english: bool = False) -> IssueResult:
    """One certificate per confirmed application, created with the application's move to "certificate issued" in
    the same transaction. An application already certified (a double click, another administrator) is skipped.

    The applications are locked first, the batch's numbers are taken from the series in one step, the moves are
    written together (``workflow.transition_many``), the certificates by one insert, their audit entries after it
    (they need the ids)."""
    skipped, ready = [], []
    applications = _lock_for_issue(sorted(set(application_ids)))
    for application_id in sorted(set(application_ids)):
        application = applications.get(application_id)
        if application is None or application.state != workflow.CONFIRMED or application.decision is None:
            skipped.append(
                (application_id, _l("Application No. %(id)s is not awaiting a certificate.", id=application_id))
            )
        else:
            case.refuse(application, actor, case.ISSUE)
            ready.append(application)
    if not ready:
        return IssueResult([], skipped)
    today = centre_today()
    numbers = reserve_numbers(today.year, len(ready))
    indexes = allocate_indexes(len(ready))
    from certcenter.certificates.renewal import renewal_values

    rows = [
        renewal_values(
            application,
            _certificate_values(application, actor=actor, english=english, generation=1, number=number, today=today),
            int(application.decision.snapshot["qualification"]["validity_years"]),
        )
        | {"status_index": index}
        for application, number, index in zip(ready, numbers, indexes, strict=True)
    ]
    workflow.transition_many(
        ready,
        workflow.CERTIFIED,
        actor,
        details={row["application_id"]: {"certificate": row["number"]} for row in rows},
    )
    ids = dict(db.session.execute(insert(Certificate).returning(Certificate.number, Certificate.id), rows).all())
    issued = [ids[number] for number in numbers]
    audit.record_many(
        "certificate.issue",
        [
            (
                "Certificate",
                ids[row["number"]],
                {"number": row["number"], "application_id": row["application_id"], "english": english},
            )
            for row in rows
        ],
        actor=actor,
    )
    certificates_issued.send(None, application_ids=[row["application_id"] for row in rows], actor=actor)
    return IssueResult(issued, skipped)


def render_and_store(certificate_ids: list[int]) -> list[int]:
    """Render, sign and store the certificates not yet ready; return the ids made ready. Idempotent: a ready
    certificate is left as it is, and of two workers rendering the same certificate only one file is kept."""
    from certcenter.certificates.rendering import render_certificates
    from certcenter.certificates.signing import sign_pdfs

    pending = db.session.scalars(
        select(Certificate)
        .where(Certificate.id.in_(certificate_ids), Certificate.render_status != READY)
        .order_by(Certificate.id)
    ).all()
    if not pending:
        return []
    started, worker = utcnow(), current_worker_id()
    for certificate in pending:
        certificate.render_status = RENDERING
        certificate.render_attempts += 1
        certificate.render_started_at, certificate.render_worker = started, worker
    db.session.commit()
    storage = get_storage()
    pdfs = render_certificates(pending)
    signed = sign_pdfs([(pdfs[certificate.id], f"Certificate {certificate.number}") for certificate in pending])
    stored = save_all({c.id: result.pdf for c, result in zip(pending, signed, strict=True)}, prefix="certificates")
    stamped = {c.id: result.timestamped_at for c, result in zip(pending, signed, strict=True)}
    made_ready, losers = [], []
    for certificate_id, file in stored.items():
        result = db.session.execute(
            update(Certificate)
            .where(Certificate.id == certificate_id, Certificate.render_status != READY)
            .values(
                render_status=READY,
                storage_key=file.key,
                sha256=file.sha256,
                size=file.size,
                rendered_at=utcnow(),
                timestamped_at=stamped[certificate_id],
                render_error=None,
            )
            .execution_options(synchronize_session=False)
        )
        (made_ready if result.rowcount == 1 else losers).append(certificate_id)
    db.session.commit()  # one commit for the batch
    for certificate_id in losers:
        storage.delete(stored[certificate_id].key)  # another worker finished first: keep its file, drop ours
    return made_ready


def mark_render_failed(certificate_ids: list[int], error: str) -> None:
    notify_administrators(RENDER_FAILED, None, count=len(certificate_ids), error=error[:300])
    db.session.execute(
        update(Certificate)
        .where(Certificate.id.in_(certificate_ids), Certificate.render_status != READY)
        .values(render_status=FAILED, render_error=error[:2000])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def retry_render(certificate: Certificate, *, actor: User) -> None:
    refuse_own_certificate(certificate, actor)
    if certificate.render_status != FAILED:
        raise CertificateError(_l("Only a certificate whose rendering failed can be retried."))
    certificate.render_status = QUEUED
    certificate.render_error = None
    certificate.render_queued_at = utcnow()
    audit.record("certificate.render_retry", certificate, actor=actor)


def retry_failed_renders(*, actor: User) -> list[int]:
    """Queue again every certificate whose rendering failed (the register's "retry all failed"); each gets the
    audit entry a single retry writes. Returns their ids, to be queued after the commit."""
    ids = list(
        db.session.scalars(select(Certificate.id).where(Certificate.render_status == FAILED).order_by(Certificate.id))
    )
    if not ids:
        return []
    db.session.execute(
        update(Certificate)
        .where(Certificate.id.in_(ids), Certificate.render_status == FAILED)
        .values(render_status=QUEUED, render_error=None, render_queued_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    audit.record_many(
        "certificate.render_retry",
        [("Certificate", certificate_id, {"all_failed": True}) for certificate_id in ids],
        actor=actor,
    )
    return ids


# A certificate queued this long without a worker starting it is sent again (queued while the broker was away, or
# its message was lost); one rendering with no worker recorded (rendered in-process) is sent again after the other.
QUEUED_PATIENCE = timedelta(minutes=2)
UNATTRIBUTED_RENDER_PATIENCE = timedelta(minutes=15)


def renders_to_send_again(live_workers: set[str], now: datetime | None = None) -> list[int]:
    """Certificates waiting too long: queued for more than two minutes, or rendering by a worker process that is no
    longer alive (its heartbeat stopped), which the sweep can tell within seconds instead of guessing by age."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Certificate.id)
            .where(
                or_(
                    (Certificate.render_status == QUEUED)
                    & (func.coalesce(Certificate.render_queued_at, Certificate.created_at) < now - QUEUED_PATIENCE),
                    (Certificate.render_status == RENDERING)
                    & Certificate.render_worker.is_not(None)
                    & Certificate.render_worker.not_in(live_workers),
                    (Certificate.render_status == RENDERING)
                    & Certificate.render_worker.is_(None)
                    & (
                        func.coalesce(Certificate.render_started_at, Certificate.created_at)
                        < now - UNATTRIBUTED_RENDER_PATIENCE
                    ),
                )
            )
            .order_by(Certificate.id)
        )
    )


def mark_queued_again(certificate_ids: list[int]) -> None:
    """Back to "queued", as sent again now: the next sweep waits for them as for newly queued ones."""
    db.session.execute(
        update(Certificate)
        .where(Certificate.id.in_(certificate_ids), Certificate.render_status.in_((QUEUED, RENDERING)))
        .values(render_status=QUEUED, render_queued_at=utcnow(), render_worker=None)
        .execution_options(synchronize_session=False)
    )


# --- lifecycle ------------------------------------------------------------------------------------------------------

# the holder's notices (kinds), by the status his certificate moved to; a superseded one is told as its reissue
STATUS_NOTICES = {
    SUSPENDED: "certificate_suspended",
    VALID: "certificate_reinstated",
    REVOKED: "certificate_revoked",
    EXPIRED: "certificate_expired",
}
REISSUED, EXPIRING, RENDER_FAILED = "certificate_reissued", "certificate_expiring", "certificate_render_failed"


def _holder_id(certificate: Certificate) -> int:
    return certificate.application.candidate.user_id


def refuse_own_certificate(certificate: Certificate, actor: User | None) -> None:
    """The holder of a certificate changes nothing of it as a member of the centre (``case.CERTIFICATE_STATUS``)."""
    case.refuse(certificate.application, actor, case.CERTIFICATE_STATUS)


def _change_status(
    certificate: Certificate, status: str, *, actor: User | None, reason: str | None, action: str, **details: Any
) -> None:
    before = certificate.status
    certificate.status = status
    certificate.status_reason = reason
    certificate.status_changed_at = utcnow()
    audit.record(
        action,
        certificate,
        actor=actor,
        number=certificate.number,
        before=before,
        after=status,
        reason=reason,
        **details,
    )
    if status in STATUS_NOTICES:
        notify(
            _holder_id(certificate),
            STATUS_NOTICES[status],
            certificate,
            number=certificate.number,
            **({"reason": reason} if reason else {}),
        )


def suspend(certificate: Certificate, *, actor: User, reason: str) -> None:
    refuse_own_certificate(certificate, actor)
    if certificate.current_status() != VALID:
        raise CertificateError(_l("Only a valid certificate can be suspended."))
    if not reason.strip():
        raise CertificateError(_l("Write the reason for the suspension."))
    _change_status(certificate, SUSPENDED, actor=actor, reason=reason.strip(), action="certificate.suspend")


def reinstate(certificate: Certificate, *, actor: User, reason: str = "") -> None:
    refuse_own_certificate(certificate, actor)
    if certificate.status != SUSPENDED:
        raise CertificateError(_l("Only a suspended certificate can be reinstated."))
    _change_status(certificate, VALID, actor=actor, reason=reason.strip() or None, action="certificate.reinstate")


# the audit log's actions that change a certificate's status: its status history
STATUS_ACTIONS = (
    "certificate.suspend",
    "certificate.reinstate",
    "certificate.revoke",
    "certificate.reinstate_after_appeal",
    "certificate.supersede",
    "certificate.expire",
)


def last_status_change(certificate: Certificate) -> AuditEntry | None:
    """The entry of the certificate's history that set its present status (who, when, why)."""
    return db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.target_type == "Certificate",
            AuditEntry.target_id == str(certificate.id),
            AuditEntry.action.in_(STATUS_ACTIONS),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def reinstate_after_appeal(certificate: Certificate, *, appeal: Appeal, actor: User) -> None:
    """The certificate valid again because the appeals panel upheld the holder's appeal against its suspension or
    revocation: the only way back from "revoked". The move names the appeal in the history and the audit log."""
    from certcenter.appeals.models import REINSTATED, UPHELD

    refuse_own_certificate(certificate, actor)
    if not (
        appeal.against_certificate
        and appeal.certificate_id == certificate.id
        and appeal.state == UPHELD
        and appeal.outcome == REINSTATED
    ):
        raise CertificateError(
            _l("Only an upheld appeal against its suspension or revocation makes a certificate valid again this way.")
        )
    change = last_status_change(certificate)
    if certificate.status != appeal.appealed_status or change is None or change.id != appeal.status_event_id:
        raise CertificateError(
            _l(
                "The certificate's status has changed since the appeal was lodged: the appeal no longer concerns "
                "its present status."
            )
        )
    action = "certificate.reinstate" if certificate.status == SUSPENDED else "certificate.reinstate_after_appeal"
    _change_status(certificate, VALID, actor=actor, reason=None, action=action, appeal=appeal.reference)


def revoke(certificate: Certificate, *, actor: User, reason: str) -> None:
    refuse_own_certificate(certificate, actor)
    if certificate.status not in (VALID, SUSPENDED):
        raise CertificateError(_l("This certificate cannot be revoked: it is no longer in force."))
    if not reason.strip():
        raise CertificateError(_l("Revocation needs a written reason."))
    _change_status(certificate, REVOKED, actor=actor, reason=reason.strip(), action="certificate.revoke")


def reissue(certificate: Certificate, *, actor: User, reason: str, english: bool | None = None) -> Certificate:
    """A replacement with a new number (the holder's name as the application has it now: an approved change of
    name reaches it); the old one is superseded and points to it."""
    refuse_own_certificate(certificate, actor)
    if certificate.status not in (VALID, SUSPENDED):
        raise CertificateError(_l("Only a certificate in force can be reissued."))
    if not reason.strip():
        raise CertificateError(_l("Write the reason for the reissue."))
    generation = max(other.generation for other in certificate.application.certificates) + 1
    today = centre_today()
    values = _certificate_values(
        certificate.application,
        actor=actor,
        generation=generation,
        english=certificate.english if english is None else english,
        number=next_number(today.year),
        today=today,
    )
    replacement = Certificate(**values, replaces=certificate, status_index=allocate_indexes(1)[0])
    replacement.expires_on = certificate.expires_on  # a replacement does not extend the validity
    db.session.add(replacement)
    db.session.flush()
    _change_status(certificate, SUPERSEDED, actor=actor, reason=reason.strip(), action="certificate.supersede")
    audit.record(
        "certificate.reissue", replacement, actor=actor, number=replacement.number, replaces=certificate.number
    )
    notify(
        _holder_id(certificate),
        REISSUED,
        replacement,
        number=replacement.number,
        replaces=certificate.number,
        reason=reason.strip(),
    )
    return replacement


def expire_due(today: date | None = None) -> int:
    """Mark certificates past their expiry date as expired (the nightly task); returns how many."""
    today = today or centre_today()
    due = db.session.scalars(
        select(Certificate).where(Certificate.status.in_((VALID, SUSPENDED)), Certificate.expires_on < today)
    ).all()
    from certcenter.certificates.renewal import renewed_by

    for certificate in due:
        renewal = renewed_by(certificate)
        if renewal is not None:  # renewed: the new certificate takes over on this one's expiry date
            _change_status(
                certificate, SUPERSEDED, actor=None, reason=f"renewed: {renewal.number}", action="certificate.supersede"
            )
        else:
            _change_status(certificate, EXPIRED, actor=None, reason=None, action="certificate.expire")
    return len(due)


# --- the credential's public link -------------------------------------------------------------------------------------


def withdraw_credential(certificate: Certificate, *, actor: User) -> None:
    """The holder takes his credential off its public link (the verification page stays: it is the certificate's)."""
    if certificate.credential_withdrawn_at is None:
        certificate.credential_withdrawn_at = utcnow()
        audit.record("certificate.credential_withdraw", certificate, actor=actor, number=certificate.number)


def share_credential(certificate: Certificate, *, actor: User) -> None:
    if certificate.credential_withdrawn_at is not None:
        certificate.credential_withdrawn_at = None
        audit.record("certificate.credential_share", certificate, actor=actor, number=certificate.number)


def certificate_by_code(code: str) -> Certificate | None:
    if not code or len(code) > 40:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.verification_code == code))


def certificate_by_hash(sha256: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.sha256 == sha256))


def public_record(certificate: Certificate) -> dict[str, Any]:
    """What anyone may learn of a certificate: no IIN, no contact data; its credential's addresses while the holder
    shares it."""
    from certcenter.certificates.credential import credential_url

    status = certificate.current_status()
    url = credential_url(certificate)
    from certcenter.certificates.renewal import renewed_by

    replacement = certificate.replaced_by[0] if certificate.replaced_by else None
    renewal = renewed_by(certificate)
    return {
        "number": certificate.number,
        "holder": {"name": certificate.holder_name, "name_latin": certificate.holder_name_latin},
        "qualification": {"code": certificate.qualification_code, "title": certificate.qualification_title},
        "nqf_level": certificate.nqf_level,
        "eqf_level": certificate.eqf_level,
        "framework_edition": certificate.edition_code,
        "professional_standard": certificate.professional_standard,
        "centre": certificate.centre["name"],
        "decided_on": certificate.decided_on.isoformat(),
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
        "status": status,
        "status_changed_at": certificate.status_changed_at.isoformat() if certificate.status_changed_at else None,
        "status_reason": certificate.status_reason if status in (REVOKED, SUSPENDED) else None,
        "superseded_by": replacement.number if replacement and status == SUPERSEDED else None,
        "renewed_by": renewal.number if renewal else None,
        "valid_from": (certificate.valid_from or certificate.issued_on).isoformat(),
        "replaces": certificate.replaces.number if certificate.replaces else None,
        "pdf_sha256": certificate.sha256,
        "signature_timestamped_at": certificate.timestamped_at.isoformat() if certificate.timestamped_at else None,
        "credential": {"id": url, "json": f"{url}.json", "jwt": f"{url}.jwt"}
        if certificate.credential_shared
        else None,
    }
