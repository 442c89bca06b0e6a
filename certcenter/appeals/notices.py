"""How the appeals' and complaints' notices read, in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from certcenter.appeals.models import APPEAL_OUTCOMES, STATES
from certcenter.appeals.services import (
    ANSWERED_NOTICE,
    APPEAL_ANSWERED,
    APPEAL_DIVIDED,
    APPEAL_LODGED,
    APPEAL_MEMBER_CONFLICT,
    APPEAL_RELEASED,
    APPEAL_SEATED,
    ASSIGNED_NOTICE,
    RECEIVED_NOTICE,
)
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
    APPEAL_LODGED: _l("An appeal has been lodged (administrators)"),
    APPEAL_SEATED: _l("I am put on an appeals panel"),
    APPEAL_MEMBER_CONFLICT: _l("A member of an appeals panel declared a conflict of interest (administrators)"),
    APPEAL_ANSWERED: _l("The answer to my appeal"),
    APPEAL_DIVIDED: _l("An appeals panel is divided (administrators)"),
    APPEAL_RELEASED: _l("I am released from an appeals panel"),
}


def notice_link(notification: Notification) -> tuple[str, dict[str, Any]] | None:
    """Staff open the complaint's handling page; the complainant follows his own by its secret link (not kept)."""
    if notification.kind == ANSWERED_NOTICE:
        return None
    return "appeals.handling", {"complaint_id": int(notification.subject_id)}


def describe_appeal_notice(notification: Notification) -> str:
    application_id = notification.params.get("application_id", "")
    if notification.kind == APPEAL_LODGED and notification.params.get("number"):
        return _(
            "An appeal has been lodged against the suspension or revocation of certificate No. %(number)s; "
            "form its panel.",
            number=notification.params["number"],
        )
    if notification.kind == APPEAL_LODGED:
        return _(
            "An appeal has been lodged against the decision on application No. %(id)s; form its panel.",
            id=application_id,
        )
    if notification.kind == APPEAL_SEATED and notification.params.get("certificate_id"):
        return _(
            "You are put on the panel of an appeal against the suspension or revocation of the certificate of "
            "application No. %(id)s; declare any conflict of interest first.",
            id=application_id,
        )
    if notification.kind == APPEAL_SEATED:
        return _(
            "You are put on the panel of an appeal about application No. %(id)s; "
            "declare any conflict of interest first.",
            id=application_id,
        )
    if notification.kind == APPEAL_DIVIDED:
        return _(
            "The panel of the appeal about application No. %(id)s is divided: no outcome can reach a majority; "
            "seat one more member if the panel has room.",
            id=application_id,
        )
    if notification.kind == APPEAL_MEMBER_CONFLICT:
        return _("A member of an appeals panel declared a conflict of interest; seat another member.")
    if notification.kind == APPEAL_RELEASED:
        return _("You are released from the panel of the appeal about application No. %(id)s.", id=application_id)
    outcome = APPEAL_OUTCOMES.get(notification.params.get("outcome", ""), "")
    if notification.params.get("certificate_id"):
        return _(
            "The answer to your appeal against the suspension or revocation of your certificate: %(outcome)s.",
            outcome=outcome,
        )
    return _("The answer to your appeal about application No. %(id)s: %(outcome)s.", id=application_id, outcome=outcome)


def appeal_notice_link(notification: Notification) -> tuple[str, dict[str, Any]]:
    """The candidate reads the answer on his application's page; staff open the appeal's page."""
    if notification.kind == APPEAL_ANSWERED and notification.params.get("certificate_id"):
        return "applications.dashboard", {}  # the certificate's card, with the appeal and its answer
    if notification.kind == APPEAL_ANSWERED:
        return "applications.application", {"application_id": int(notification.params.get("application_id", 0))}
    if notification.kind == APPEAL_RELEASED:  # the case is no longer his to open
        return "notifications.notification_list", {}
    return "appeals.appeal", {"appeal_id": int(notification.subject_id)}
