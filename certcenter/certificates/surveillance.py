"""Surveillance (ISO/IEC 17024, 9.6.2 and 9.7): for a qualification that asks for it, a mid-term check of each
certificate (for example at year 2 of 4). The holder confirms he still practises (employer, position, a document); an
administrator accepts it or opens a case, which can lead to suspension (the certificate's lifecycle). A check not
answered by its date is overdue: on the administrators' list and in the statistics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from certcenter.accounts.models import User
from certcenter.applications import policy as case
from certcenter.certificates.models import (
    ACCEPTED,
    CASE_OPENED,
    DUE,
    SUBMITTED,
    VALID,
    Certificate,
    SurveillanceCheck,
)
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_today
from certcenter.core.models import utcnow
from certcenter.core.storage import delete_after_commit, get_storage
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.notifications.services import notify, notify_many
from certcenter.qualifications.models import Qualification

SURVEILLANCE_DUE = "surveillance_due"
SURVEILLANCE_DECIDED = "surveillance_decided"
# the holder may answer (and is told) this many days before the check's date
NOTICE_DAYS = 60


class SurveillanceError(UserError):
    """A refused step of a surveillance check."""


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def schedule_checks(today: date | None = None) -> int:
    """Create the check of every valid certificate whose qualification asks for one, and tell the holders whose check
    opens; returns how many holders were told. Idempotent: a certificate has one check, a holder is told once."""
    today = today or centre_today()
    rows = db.session.execute(
        select(Certificate, Qualification.surveillance_after_years)
        .join(Qualification, Qualification.code == Certificate.qualification_code)
        .outerjoin(SurveillanceCheck, SurveillanceCheck.certificate_id == Certificate.id)
        .where(
            Certificate.status == VALID,
            Qualification.surveillance_after_years.is_not(None),
            SurveillanceCheck.id.is_(None),
        )
    ).all()
    for certificate, years in rows:
        due_on = _add_years(certificate.valid_from or certificate.issued_on, years)
        if due_on < certificate.expires_on:
            db.session.add(SurveillanceCheck(certificate=certificate, due_on=due_on))
    db.session.flush()
    told = set(
        db.session.scalars(
            select(Notification.subject_id).where(
                Notification.kind == SURVEILLANCE_DUE, Notification.subject_type == "Certificate"
            )
        )
    )
    opening = db.session.scalars(
        select(SurveillanceCheck).where(
            SurveillanceCheck.status == DUE, SurveillanceCheck.due_on <= today + timedelta(days=NOTICE_DAYS)
        )
    ).all()
    messages = [
        (
            check.certificate.application.candidate.user_id,
            SURVEILLANCE_DUE,
            check.certificate,
            {"number": check.certificate.number, "due_on": check.due_on.isoformat()},
        )
        for check in opening
        if str(check.certificate_id) not in told and check.certificate.status == VALID
    ]
    notify_many(messages)
    return len(messages)


def open_for_holder(check: SurveillanceCheck | None, today: date | None = None) -> bool:
    return (
        check is not None
        and check.status == DUE
        and check.certificate.status == VALID
        and (today or centre_today()) >= check.due_on - timedelta(days=NOTICE_DAYS)
    )


def submit_check(
    check: SurveillanceCheck,
    *,
    actor: User,
    employer: str,
    position: str,
    statement: str,
    document: BinaryIO | None,
    filename: str | None,
) -> None:
    """The holder confirms he still practises, with a document (an employer's letter, a work record)."""
    import hashlib
    import io

    from certcenter.evidence.uploads import UploadError, measure, sniff_content_type

    if not open_for_holder(check):
        raise SurveillanceError(_l("This check is not open for an answer."))
    if not employer.strip() or not position.strip():
        raise SurveillanceError(_l("Give your employer and your position."))
    if document is None or not filename:
        raise SurveillanceError(_l("Attach a document that shows you still practise."))
    size = measure(document)
    if size > current_app.config["EVIDENCE_MAX_FILE_BYTES"]:
        raise UploadError(_l("The file is too large."))
    sniff_content_type(document)
    content = document.read()
    stored = get_storage().save(io.BytesIO(content), prefix="surveillance")
    if check.document_key:
        delete_after_commit(check.document_key)
    check.document_key = stored.key
    check.document_name = filename[:255]
    check.document_sha256 = hashlib.sha256(content).hexdigest()
    check.document_size = size
    check.employer = employer.strip()[:200]
    check.position = position.strip()[:200]
    check.statement = statement.strip()
    check.status = SUBMITTED
    check.submitted_at = utcnow()
    audit.record("certificate.surveillance_submit", check.certificate, actor=actor, number=check.certificate.number)


def decide_check(check: SurveillanceCheck, *, actor: User, accept: bool, note: str) -> None:
    case.refuse(check.certificate.application, actor, case.CERTIFICATE_STATUS)  # not on his own certificate
    if check.status not in (SUBMITTED, DUE):
        raise SurveillanceError(_l("This check has already been decided."))
    if check.status == DUE and accept:
        raise SurveillanceError(_l("The holder has not answered yet: only a case can be opened."))
    if not accept and not note.strip():
        raise SurveillanceError(_l("Write why a case is opened."))
    check.status = ACCEPTED if accept else CASE_OPENED
    check.decided_at = utcnow()
    check.decided_by = actor
    check.decision_note = note.strip() or None
    audit.record(
        "certificate.surveillance_accept" if accept else "certificate.surveillance_case",
        check.certificate,
        actor=actor,
        number=check.certificate.number,
        note=note.strip() or None,
    )
    notify(
        check.certificate.application.candidate.user_id,
        SURVEILLANCE_DECIDED,
        check.certificate,
        number=check.certificate.number,
        status=check.status,
    )


def overdue_checks(today: date | None = None) -> list[SurveillanceCheck]:
    today = today or centre_today()
    return list(
        db.session.scalars(
            select(SurveillanceCheck)
            .join(Certificate)
            .where(SurveillanceCheck.status == DUE, SurveillanceCheck.due_on < today, Certificate.status == VALID)
            .order_by(SurveillanceCheck.due_on)
        )
    )


def overdue_count_subquery(today: date):
    """The number of overdue checks, as a scalar subquery a statistics query can carry along (not correlated)."""
    from sqlalchemy.orm import aliased

    held = aliased(Certificate)
    return (
        select(func.count())
        .select_from(SurveillanceCheck)
        .join(held, held.id == SurveillanceCheck.certificate_id)
        .where(SurveillanceCheck.status == DUE, SurveillanceCheck.due_on < today, held.status == VALID)
        .correlate(None)
        .scalar_subquery()
    )


def awaiting_decision() -> list[SurveillanceCheck]:
    return list(
        db.session.scalars(
            select(SurveillanceCheck).where(SurveillanceCheck.status == SUBMITTED).order_by(SurveillanceCheck.id)
        )
    )


def describe_notice(notice: Any) -> str:
    from flask_babel import format_date, gettext

    if notice.kind == SURVEILLANCE_DUE:
        return gettext(
            "Certificate No. %(number)s: confirm by %(date)s that you still practise (surveillance).",
            number=notice.params.get("number", ""),
            date=format_date(date.fromisoformat(notice.params["due_on"])),
        )
    if notice.params.get("status") == ACCEPTED:
        return gettext(
            "Certificate No. %(number)s: your surveillance answer was accepted.", number=notice.params["number"]
        )
    return gettext(
        "Certificate No. %(number)s: the centre has opened a case on your surveillance answer.",
        number=notice.params["number"],
    )
