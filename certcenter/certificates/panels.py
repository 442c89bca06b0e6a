"""What certificates show on the candidate's dashboard."""

from __future__ import annotations

from typing import Any

from certcenter.applications.models import Application
from certcenter.certificates.models import SUPERSEDED


def dashboard_certificates_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The application's certificates in force or past (a superseded one is replaced by its successor)."""
    certificates = [certificate for certificate in application.certificates if certificate.status != SUPERSEDED]
    return {"certificates": certificates} if certificates else None


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
