"""Who may do what in appeals and complaints.

Complaints: administrators receive, acknowledge and assign; the investigator alone records the findings and the
outcome; nobody investigates a complaint about himself or one he filed. Appeals: see below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR

if TYPE_CHECKING:
    from datetime import datetime

    from flask_babel.speaklater import LazyString

    from certcenter.accounts.models import User
    from certcenter.appeals.models import Appeal, AppealPanelMember, Complaint
    from certcenter.applications.models import Application


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


# --- appeals --------------------------------------------------------------------------------------------------------
#
# The candidate lodges an appeal against a decision of his own application within the period (the holder, against a
# suspension or revocation of his certificate: ``certificates.appeals``); an administrator forms the panel; a member
# sits once he has declared no conflict, and only if he took no part in the round appealed against (its assessors,
# moderators, decider) or, for a certificate, did not suspend or revoke it, and is not the candidate. The panel's
# members vote, and the outcome more than half of them vote for is carried out.


def lodging_refusal(
    application: Application, user: User, now: datetime | None = None, subject: str = "not_confirmed"
) -> LazyString | None:
    """Why ``user`` may not lodge an appeal against the decision on ``application`` now (contesting the decision not
    to confirm, or the lower level it advises); None if he may."""
    from certcenter.appeals.deadlines import within_appeal_period
    from certcenter.appeals.models import DECISION_SUBJECTS, LOWER_LEVEL
    from certcenter.applications import workflow

    if not user.is_authenticated or application.candidate.user_id != user.id:
        return _l("Only the candidate appeals against the decision on his application.")
    decision = getattr(application, "decision", None)
    if application.state != workflow.NOT_CONFIRMED or decision is None or decision.outcome != "not_confirmed":
        return _l("An appeal is lodged against a decision not to confirm the qualification.")
    if any(appeal.decision_id == decision.id for appeal in application.appeals):
        return _l("This decision has already been appealed against.")
    if not within_appeal_period(decision.decided_at, now):
        return _l("The period to appeal against this decision has ended.")
    if subject not in DECISION_SUBJECTS:
        return _l("Choose what you contest.")
    if subject == LOWER_LEVEL:
        return level_refusal(application)
    return None


def level_refusal(application: Application) -> LazyString | None:
    """Why the candidate may not contest the lower level the decision advises; None if he may (the lodging form
    offers the choice only then)."""
    from certcenter.core.settings import centre_settings

    if not centre_settings().appeal_lower_level:
        return _l("The centre does not hear appeals against the level a decision advises.")
    decision = getattr(application, "decision", None)
    if decision is None or decision.advice_level is None:
        return _l("This decision advises no lower level: there is no level to contest.")
    return None


def panel_refusal(appeal: Appeal, user: User) -> LazyString | None:
    """Why ``user`` may not sit on the panel of ``appeal``, whoever puts him there; None if he may."""
    from certcenter.appeals.models import MEMBER_CONFLICT, MEMBER_RELEASED
    from certcenter.appeals.rounds import round_participants

    application = appeal.application
    if not (user.active and (user.has_role(ADMINISTRATOR) or user.has_role(ASSESSOR))):
        return _l("A member of an appeals panel is an active administrator or assessor of the centre.")
    if application.candidate.user_id == user.id:
        return _l("%(name)s is the candidate and cannot hear his own appeal.", name=user.full_name)
    if appeal.against_certificate:
        # who changed the certificate's status, as its history (the audit log) records it
        if appeal.status_event is not None and appeal.status_event.actor_id == user.id:
            return _l("%(name)s suspended or revoked the certificate appealed against.", name=user.full_name)
    elif user.id in round_participants(application, appeal.round_number):
        return _l(
            "%(name)s took part in the assessment or decision appealed against (assessor, moderator or decider).",
            name=user.full_name,
        )
    if any(member.user_id == user.id and member.status == MEMBER_CONFLICT for member in appeal.members):
        return _l("%(name)s declared a conflict of interest with this appeal.", name=user.full_name)
    if any(member.user_id == user.id and member.status == MEMBER_RELEASED for member in appeal.members):
        return _l("%(name)s was released from this appeal's panel.", name=user.full_name)
    return None


def release_refusal(appeal: Appeal, member: AppealPanelMember, user: User) -> LazyString | None:
    """Why ``user`` may not release ``member`` from the panel now; None if he may. An administrator releases a member
    who has not voted: before any vote is cast, for any reason he writes (a member who does not declare stalls the
    panel); once the panel has begun to vote, only one who can no longer sit (no longer active, or no longer
    independent) — never to change the count a majority needs."""
    if not can_manage(user):
        return _l("Administrators form appeals panels.")
    if not appeal.is_open:
        return _l("This appeal is closed.")
    if member not in appeal.sitting_members:
        return _l("%(name)s no longer sits on this panel.", name=member.user.full_name)
    if appeal.vote_of(member.user_id) is not None:
        return _l("%(name)s has voted: a member who has voted is not released.", name=member.user.full_name)
    if appeal.votes and panel_refusal(appeal, member.user) is None:
        return _l(
            "The panel has begun to vote: a member is released now only if he can no longer sit (no longer active or "
            "no longer independent)."
        )
    return None


def panel_member(appeal: Appeal, user: User) -> AppealPanelMember | None:
    """The user's seat on the panel, unless a declared conflict removed him."""
    if not user.is_authenticated:
        return None
    return next((member for member in appeal.sitting_members if member.user_id == user.id), None)


def can_see_appeal(appeal: Appeal, user: User) -> bool:
    """The appeal's case page: the administrators (not the candidate of the case) and the members of its panel."""
    if not user.is_authenticated or appeal.application.candidate.user_id == user.id:
        return False
    return can_manage(user) or panel_member(appeal, user) is not None


def can_sit(appeal: Appeal, user: User) -> bool:
    """A member who has declared no conflict and is (still) independent: he reads the case file."""
    from certcenter.appeals.models import MEMBER_ACTIVE

    member = panel_member(appeal, user)
    return (
        appeal.is_open and member is not None and member.status == MEMBER_ACTIVE and panel_refusal(appeal, user) is None
    )


# Why a vote is refused, by code (the audit log keeps the code).
VOTE_REFUSALS = {
    "not_under_review": _l("This appeal is not under review."),
    "not_on_panel": _l("Only a member of this appeal's panel who declared no conflict of interest votes."),
    "undeclared": _l("Declare your conflicts of interest before you vote."),
    "panel_undeclared": _l("Every member of the panel declares his conflicts of interest before any vote."),
    "voted": _l("You have already voted on this appeal: a vote is not changed."),
}


def vote_refusal(appeal: Appeal, user: User) -> str | None:
    """Why ``user`` may not cast his vote on ``appeal`` now (a code of ``VOTE_REFUSALS``); None if he may. Each
    sitting member votes once, after every member of the panel has declared his conflicts."""
    from certcenter.appeals.models import MEMBER_PENDING, UNDER_REVIEW

    if appeal.state != UNDER_REVIEW:
        return "not_under_review"
    member = panel_member(appeal, user)
    if member is not None and member.status == MEMBER_PENDING:
        return "undeclared"
    if not can_sit(appeal, user):
        return "not_on_panel"
    if appeal.vote_of(user.id) is not None:
        return "voted"
    if any(member.status == MEMBER_PENDING for member in appeal.members):
        return "panel_undeclared"
    return None


def can_vote(appeal: Appeal, user: User) -> bool:
    return vote_refusal(appeal, user) is None


def appeal_case_roles(application: Application, user: User) -> set[str]:
    """The panel's role in a case (registered with ``applications.policy``): it reads the case file."""
    from certcenter.applications.policy import APPEAL_PANEL

    if not user.is_authenticated:
        return set()
    for appeal in getattr(application, "appeals", ()):
        if can_sit(appeal, user):
            return {APPEAL_PANEL}
    return set()
