"""Complaints: filing one (anyone), following it by its secret link, acknowledging, assigning an investigator,
identifying the person complained about, and recording the findings and the outcome. Every step is audited and told
to the people concerned."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, User, UserRole
from certcenter.appeals import policy
from certcenter.appeals.models import (
    ACKNOWLEDGED,
    CATEGORIES,
    CLOSED,
    INVESTIGATING,
    OUTCOMES,
    RECEIVED,
    SUBJECTS,
    Complaint,
    ComplaintEvent,
)
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.models import utcnow
from certcenter.core.settings import centre_settings
from certcenter.core.storage import get_storage
from certcenter.core.text import clean_person_name
from certcenter.evidence.uploads import UploadError, check_extension, clean_filename, measure, sniff_content_type
from certcenter.extensions import db
from certcenter.notifications.services import notify, notify_many

RECEIVED_NOTICE, ASSIGNED_NOTICE, ANSWERED_NOTICE = "complaint.received", "complaint.assigned", "complaint.answered"


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


def _attach(complaint: Complaint, stream: BinaryIO, filename: str) -> None:
    name = clean_filename(filename)
    size = measure(stream)
    limit = current_app.config["EVIDENCE_MAX_FILE_BYTES"]
    if size > limit:
        raise UploadError(_l("The file is larger than %(limit)s MB.", limit=f"{limit / (1024 * 1024):.0f}"))
    content_type = sniff_content_type(stream)
    check_extension(name, content_type)
    stored = get_storage().save(stream, prefix="complaints")
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
