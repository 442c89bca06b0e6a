"""How the complaints' notices read, in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from certcenter.appeals.models import STATES
from certcenter.appeals.services import ANSWERED_NOTICE, ASSIGNED_NOTICE, RECEIVED_NOTICE
from certcenter.notifications.models import Notification


def describe_notice(notification: Notification) -> str:
    reference = notification.params.get("reference", "")
    if notification.kind == RECEIVED_NOTICE:
        return _("A new complaint has been filed: %(reference)s.", reference=reference)
    if notification.kind == ASSIGNED_NOTICE:
        return _("You are asked to investigate complaint %(reference)s.", reference=reference)
    state = STATES.get(notification.params.get("state", ""), "")
    return _("Your complaint %(reference)s: %(state)s.", reference=reference, state=state)


NOTICE_LABELS = {
    RECEIVED_NOTICE: _l("A complaint has been filed (administrators)"),
    ASSIGNED_NOTICE: _l("I am asked to investigate a complaint"),
}


def notice_link(notification: Notification) -> tuple[str, dict[str, Any]] | None:
    """Staff open the complaint's handling page; the complainant follows his own by its secret link (not kept)."""
    if notification.kind == ANSWERED_NOTICE:
        return None
    return "appeals.handling", {"complaint_id": int(notification.subject_id)}
