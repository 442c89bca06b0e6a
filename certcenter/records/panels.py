"""What records show on other domains' pages: the legal hold on the application page (administrators)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from certcenter.applications.models import Application
from certcenter.records.forms import HoldForm
from certcenter.records.services import active_hold


def hold_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    if not (current_user.is_authenticated and current_user.has_role("administrator")):
        return None
    return {"hold": active_hold(application), "hold_form": HoldForm()}


def consent_banner() -> dict[str, Any]:
    """Every page asks a candidate who has not consented to the current version of the privacy notice. Asked once a
    request: a page composed of panels renders a template for each, and each render asks its context."""
    from flask import g, has_request_context, request

    from certcenter.records.services import needs_consent

    if not has_request_context() or request.endpoint in (None, "static", "records.privacy"):
        return {}
    if "privacy_consent_needed" not in g:
        g.privacy_consent_needed = current_user.is_authenticated and needs_consent(current_user)
    return {"privacy_consent_needed": g.privacy_consent_needed}


def describe_notice(notice) -> str:
    from flask_babel import gettext as _

    from certcenter.records.services import ERASURE_DECIDED

    if notice.kind == ERASURE_DECIDED:
        if notice.params.get("status") == "approved":
            return _("Your request to erase your account was approved.")
        return _("Your request to erase your account was refused; the reason is on the page “My data”.")
    return _("The copy of your data is ready to download on the page “My data”.")


def erasure_details(notice) -> str | None:
    """The erasure's outcome told in the notice itself (the mail): once erased, he cannot sign in to read it."""
    from flask_babel import gettext as _

    from certcenter.records.services import ERASURE_DECIDED, outcome_lines

    if notice.kind != ERASURE_DECIDED:
        return None
    if notice.params.get("status") != "approved":
        return _("Reason: %(reason)s", reason=notice.params["reason"]) if notice.params.get("reason") else None
    erased, kept = outcome_lines(notice.params, to_the_person=True)
    parts = []
    if erased:
        parts.append(_("Erased: %(list)s", list=" ".join(erased)))
    if kept:
        parts.append(_("Kept: %(list)s", list=" ".join(kept)))
    return " ".join(parts) or None
