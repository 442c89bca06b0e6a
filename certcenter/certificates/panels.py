"""What certificates show on the candidate's dashboard, and how their notices read."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from certcenter.applications.models import Application
from certcenter.certificates import services
from certcenter.certificates.models import STATUS_LABELS, SUPERSEDED
from certcenter.notifications.models import Notification


def dashboard_certificates_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The application's certificates in force or past (a superseded one is replaced by its successor)."""
    from flask_login import current_user

    from certcenter.appeals.models import APPEAL_OUTCOMES, APPEAL_STATES
    from certcenter.certificates.appeals import holder_view

    certificates = [certificate for certificate in application.certificates if certificate.status != SUPERSEDED]
    if not certificates:
        return None
    return {
        "certificates": certificates,
        "status_labels": STATUS_LABELS,
        "status_appeals": {certificate.id: holder_view(certificate, current_user) for certificate in certificates},
        "appeal_states": APPEAL_STATES,
        "appeal_outcomes": APPEAL_OUTCOMES,
    }


def complaint_certificate_panel(complaint: Any, **_objects: Any) -> dict[str, Any] | None:
    """On a complaint about a certificate holder: the certificate its number names, to act on (suspend, revoke)
    through the certificate's own lifecycle, for an administrator."""
    from flask_login import current_user
    from sqlalchemy import select

    from certcenter.accounts.models import ADMINISTRATOR
    from certcenter.certificates.models import STATUS_LABELS, Certificate
    from certcenter.extensions import db

    if not complaint.certificate_number or not current_user.has_role(ADMINISTRATOR):
        return None
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == complaint.certificate_number))
    return {"certificate": certificate, "number": complaint.certificate_number, "status_labels": STATUS_LABELS}


def describe_notice(notification: Notification) -> str:
    params = notification.params
    number = params.get("number", "")
    kind = notification.kind
    if kind == "certificate_suspended":
        return _("Your certificate No. %(number)s has been suspended.", number=number)
    if kind == "certificate_reinstated":
        return _("Your certificate No. %(number)s is valid again.", number=number)
    if kind == "certificate_revoked":
        return _("Your certificate No. %(number)s has been revoked.", number=number)
    if kind == "certificate_expired":
        return _("Your certificate No. %(number)s has expired.", number=number)
    if kind == services.REISSUED:
        return _(
            "Your certificate No. %(old)s has been replaced by certificate No. %(number)s.",
            old=params.get("replaces", ""),
            number=number,
        )
    if kind == services.EXPIRING:
        # the date, not a count of days: the notice is read later than it is written (and a step of the schedule may
        # be told a few days late)
        return _(
            "Your certificate No. %(number)s expires on %(date)s: renew it from your dashboard.",
            number=number,
            date=format_date(date.fromisoformat(params["expires_on"])) if params.get("expires_on") else "",
        )
    return _(
        "%(count)d certificates could not be rendered: %(error)s",
        count=params.get("count", 0),
        error=params.get("error"),
    )


def notice_details(notification: Notification) -> str | None:
    if notification.params.get("reason"):
        return _("Reason: %(reason)s", reason=notification.params["reason"])
    if notification.kind == services.EXPIRING:
        return _("To keep the qualification confirmed, apply for recertification before the certificate expires.")
    return None


def notice_link(notification: Notification) -> tuple[str, dict[str, Any]]:
    if notification.kind == services.RENDER_FAILED:
        return "certificates.register", {}
    return "applications.dashboard", {}


# the kinds a person may switch off (by e-mail); the others concern the holder's rights and always come
NOTICE_LABELS = {
    services.EXPIRING: _l("My certificate is about to expire"),
    services.RENDER_FAILED: _l("Certificates could not be rendered (administrators)"),
}
NOTICE_KINDS = (*services.STATUS_NOTICES.values(), services.REISSUED, services.EXPIRING, services.RENDER_FAILED)


def renewal_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """From 180 days before expiry: "renew" on the holder's dashboard; on a renewal's own card, the way back to it."""
    import secrets

    from certcenter.certificates import renewal as renewals
    from certcenter.certificates.forms import RenewForm

    renewable = [certificate for certificate in application.certificates if renewals.renewable(certificate)]
    ongoing = application.renewal if application.renewal is not None and application.state == "draft" else None
    if not renewable and ongoing is None:
        return None
    return {
        "renewable": [
            {
                "certificate": certificate,
                "lapsed": renewals.lapsed(certificate),
                "route": renewals.route_for(certificate),
                "rule": application.qualification.recertification_rule_label,
            }
            for certificate in renewable
        ],
        "ongoing": ongoing,
        "renew_form": RenewForm(),
        "renew_token": secrets.token_urlsafe(24),
    }


def dashboard_link(_notification: Notification) -> tuple[str, dict]:
    return "applications.dashboard", {}


def surveillance_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The holder's open surveillance check, on his dashboard."""
    from certcenter.certificates.surveillance import open_for_holder

    checks = [
        certificate.surveillance
        for certificate in application.certificates
        if open_for_holder(certificate.surveillance)
    ]
    return {"checks": checks} if checks else None
