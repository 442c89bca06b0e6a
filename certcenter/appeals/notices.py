"""How the complaints' notices read, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from certcenter.appeals.models import STATES
from certcenter.appeals.services import ASSIGNED_NOTICE, RECEIVED_NOTICE
from certcenter.notifications.models import Notification


def describe_notice(notification: Notification) -> str:
    reference = notification.params.get("reference", "")
    if notification.kind == RECEIVED_NOTICE:
        return _("A new complaint has been filed: %(reference)s.", reference=reference)
    if notification.kind == ASSIGNED_NOTICE:
        return _("You are asked to investigate complaint %(reference)s.", reference=reference)
    state = STATES.get(notification.params.get("state", ""), "")
    return _("Your complaint %(reference)s: %(state)s.", reference=reference, state=state)
