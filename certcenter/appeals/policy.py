"""Who may handle a complaint. Administrators receive, acknowledge and assign; the investigator alone records the
findings and the outcome; nobody investigates a complaint about himself or one he filed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR

if TYPE_CHECKING:
    from flask_babel.speaklater import LazyString

    from certcenter.accounts.models import User
    from certcenter.appeals.models import Complaint


def can_manage(user: User) -> bool:
    return user.is_authenticated and user.has_role(ADMINISTRATOR)


def investigator_refusal(complaint: Complaint, user: User) -> LazyString | None:
    """Why ``user`` may not investigate ``complaint``, or None."""
    if not (user.has_role(ADMINISTRATOR) or user.has_role(ASSESSOR)):
        return _l("An investigator is an administrator or an assessor of the centre.")
    if complaint.subject_user_id == user.id:
        return _l("%(name)s is the subject of this complaint and cannot investigate it.", name=user.full_name)
    if complaint.filed_by_id == user.id:
        return _l("%(name)s filed this complaint and cannot investigate it.", name=user.full_name)
    return None


def can_handle(complaint: Complaint, user: User) -> bool:
    """See the complaint with its file: the administrators and its investigator, never its subject."""
    if not user.is_authenticated or complaint.subject_user_id == user.id:
        return False
    return can_manage(user) or complaint.investigator_id == user.id


def can_decide(complaint: Complaint, user: User) -> bool:
    """Record the findings and the outcome: the investigator, while the complaint is open and he is not its
    subject."""
    return (
        complaint.is_open
        and user.is_authenticated
        and complaint.investigator_id == user.id
        and investigator_refusal(complaint, user) is None
    )
