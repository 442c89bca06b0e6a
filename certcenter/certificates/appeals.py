"""The holder's appeal against a suspension or revocation of his certificate (ISO/IEC 17024 9.8), where the centre
hears such appeals (the setting "appeal_certificate_status"): lodged by the holder alone, within ``appeal_days`` of
the centre's calendar after the change, once per change. The appeals domain hears it like any appeal (panel,
declarations, outcome); an upheld one comes back here, to the lifecycle's move to "valid"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.appeals import services as appeals
from certcenter.appeals.deadlines import last_day_to_appeal, within_appeal_period
from certcenter.appeals.models import CERTIFICATE_STATUS, Appeal
from certcenter.certificates import services
from certcenter.certificates.models import REVOKED, STATUS_LABELS, SUSPENDED, Certificate
from certcenter.core import audit
from certcenter.core.settings import centre_settings
from certcenter.extensions import db

APPEALABLE = {"certificate.suspend": SUSPENDED, "certificate.revoke": REVOKED}


def appeals_of(certificate: Certificate) -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).where(Appeal.certificate_id == certificate.id).order_by(Appeal.id)))


def appealable_change(certificate: Certificate) -> Any:
    """The suspension or revocation in force, as the certificate's history records it (None if its status is
    neither)."""
    change = services.last_status_change(certificate)
    if change is None or APPEALABLE.get(change.action) != certificate.status:
        return None
    return change


def last_day(certificate: Certificate) -> date | None:
    if certificate.status not in APPEALABLE.values() or certificate.status_changed_at is None:
        return None
    return last_day_to_appeal(certificate.status_changed_at)


def appeal_refusal(certificate: Certificate, user: User, now: datetime | None = None) -> LazyString | None:
    """Why ``user`` may not appeal now against the suspension or revocation of ``certificate``; None if he may."""
    if not certificate.can_appeal(user):
        return _l("Only the holder appeals against the suspension or revocation of his certificate.")
    if not centre_settings().appeal_certificate_status:
        return _l("The centre does not hear appeals against a suspension or revocation of a certificate.")
    change = appealable_change(certificate)
    if change is None:
        return _l("Only a suspension or revocation of a certificate is appealed against.")
    if db.session.scalar(select(Appeal.id).where(Appeal.status_event_id == change.id)) is not None:
        return _l("This suspension or revocation has already been appealed against.")
    if not within_appeal_period(certificate.status_changed_at or change.at, now):
        return _l("The period to appeal against this suspension or revocation has ended.")
    return None


def lodge(
    certificate: Certificate,
    *,
    actor: User,
    grounds: str,
    attachment: BinaryIO | None = None,
    attachment_name: str | None = None,
    now: datetime | None = None,
) -> Appeal:
    refusal = appeal_refusal(certificate, actor, now)
    if refusal is not None:
        audit.record_refusal("appeal.lodge_refused", certificate.application, actor=actor, subject=CERTIFICATE_STATUS)
        raise appeals.AppealError(refusal)
    change = appealable_change(certificate)
    return appeals.open_certificate_appeal(
        certificate.application,
        actor=actor,
        certificate_id=certificate.id,
        certificate_number=certificate.number,
        appealed_status=certificate.status,
        status_event_id=change.id,
        round_number=certificate.decision.round,
        grounds=grounds,
        attachment=attachment,
        attachment_name=attachment_name,
        now=now,
    )


def upheld(appeal: Appeal, actor: User) -> None:
    """The panel upheld the appeal (registered with ``appeals.services``): the certificate is valid again."""
    certificate = db.session.get(Certificate, appeal.certificate_id)
    services.reinstate_after_appeal(certificate, appeal=appeal, actor=actor)


def holder_view(certificate: Certificate, user: User) -> dict[str, Any]:
    """What the holder's certificate card shows of appeals: whether he may lodge one now and until when, and every
    appeal against this certificate's status with its state and answer."""
    return {
        "may_appeal": appeal_refusal(certificate, user, appeals.now()) is None,
        "last_day": last_day(certificate),
        "appeals": appeals_of(certificate),
    }


def appeal_page_panel(appeal: Appeal, **_objects: Any) -> dict[str, Any] | None:
    """On an appeal's page: the certificate its appeal is about, and who changed its status when and why."""
    if not appeal.against_certificate:
        return None
    certificate = db.session.get(Certificate, appeal.certificate_id)
    return {"certificate": certificate, "change": appeal.status_event, "status_labels": STATUS_LABELS}
