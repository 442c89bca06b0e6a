"""What certificates show on the candidate's dashboard."""

from __future__ import annotations

from typing import Any

from certcenter.applications.models import Application
from certcenter.certificates.models import SUPERSEDED


def dashboard_certificates_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The application's certificates in force or past (a superseded one is replaced by its successor)."""
    certificates = [certificate for certificate in application.certificates if certificate.status != SUPERSEDED]
    return {"certificates": certificates} if certificates else None


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


def describe_notice(notice) -> str:
    from flask_babel import format_date, gettext

    from certcenter.certificates.renewal import RENEWAL_DUE

    if notice.kind == RENEWAL_DUE:
        from datetime import date

        return gettext(
            "Your certificate No. %(number)s expires on %(date)s: renew it from your dashboard.",
            number=notice.params.get("number", ""),
            date=format_date(date.fromisoformat(notice.params["expires_on"])),
        )
    return notice.kind


def surveillance_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The holder's open surveillance check, on his dashboard."""
    from certcenter.certificates.surveillance import open_for_holder

    checks = [
        certificate.surveillance
        for certificate in application.certificates
        if open_for_holder(certificate.surveillance)
    ]
    return {"checks": checks} if checks else None
