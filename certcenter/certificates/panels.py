"""What certificates show on the candidate's dashboard."""

from __future__ import annotations

from typing import Any

from certcenter.applications.models import Application
from certcenter.certificates.models import SUPERSEDED


def dashboard_certificates_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """The application's certificates in force or past (a superseded one is replaced by its successor)."""
    certificates = [certificate for certificate in application.certificates if certificate.status != SUPERSEDED]
    return {"certificates": certificates} if certificates else None
