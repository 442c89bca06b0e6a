"""The evidence section of the application page."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from certcenter.accounts.forms import ConfirmForm
from certcenter.applications.models import Application
from certcenter.evidence.forms import EvidenceUploadForm
from certcenter.evidence.models import EVIDENCE_KINDS


def evidence_panel(
    application: Application, criteria: list, upload_form: EvidenceUploadForm | None = None, **_objects: Any
) -> dict[str, Any]:
    return {
        "editable": application.is_owner(current_user) and application.is_editable,
        "upload_form": upload_form or EvidenceUploadForm(),
        "action_form": ConfirmForm(),
        "evidence_kinds": EVIDENCE_KINDS,
        "criteria_by_key": {criterion.key: criterion for criterion in criteria},
    }
