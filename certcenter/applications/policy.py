"""Who a person is in a case, and what that lets him see.

Roles in a case are not account roles: an administrator may be the candidate of one application and the lead
assessor of another. The applications domain knows two of them itself (the application's candidate, an
administrator); the domains above add theirs (``register_case_roles``): assessment says who assesses and who leads.
The workflow's transition table and every access check read the roles from here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask
from flask_babel import lazy_gettext as _l

from certcenter.accounts.models import ADMINISTRATOR as ADMINISTRATOR_ROLE
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.registry import Registry
from certcenter.extensions import db

if TYPE_CHECKING:
    from certcenter.accounts.models import User
    from certcenter.applications.models import Application

CANDIDATE = "candidate"  # the application's own candidate
ADMINISTRATOR = "administrator"  # anyone holding the administrator role
ASSESSOR = "assessor"  # assigned, counting, and declared free of conflicts: sees the case file
LEAD_ASSESSOR = "lead_assessor"  # the assigned assessor who leads
MODERATOR = "moderator"  # picked by an administrator to moderate, declared free of conflicts: sees the case file
APPEAL_PANEL = "appeal_panel"  # a member of an open appeal's panel, declared free of conflicts: reads the case file
SYSTEM = "system"  # the centre itself (a move no person makes)

_providers = Registry("applications.case_roles")


def register_case_roles(app: Flask, name: str, provider: Callable[[Application, User], set[str]]) -> None:
    _providers.add(app, name, provider)


def case_roles(application: Application, user: User) -> set[str]:
    """The roles ``user`` holds in this case."""
    if not user.is_authenticated:
        return set()
    roles = set()
    if application.candidate.user_id == user.id:
        roles.add(CANDIDATE)
    if user.has_role(ADMINISTRATOR_ROLE):
        roles.add(ADMINISTRATOR)
    with db.session.no_autoflush:  # asking who someone is writes nothing, not even the caller's pending changes
        for provider in _providers:
            roles |= provider(application, user)
    return roles


def can_view(application: Application, user: User) -> bool:
    """The application's page: its candidate and the administrators."""
    return bool(case_roles(application, user) & {CANDIDATE, ADMINISTRATOR})


def can_read_case_file(application: Application, user: User) -> bool:
    """The application's documents: those who may see its page, and its assessors, moderator and appeals panel once
    they declared no conflict."""
    return bool(case_roles(application, user) & {CANDIDATE, ADMINISTRATOR, ASSESSOR, MODERATOR, APPEAL_PANEL})


# --- separation of duties -------------------------------------------------------------------------------------------
#
# The acts a member of the centre performs on a case, and the roles in the case that bar him from each (ISO/IEC 17024
# 4.3 impartiality, 9.2-9.4). Every service that performs one of these acts calls ``refuse`` first, whatever the
# person's account roles; the templates only ask ``may``. Roles from the domains above join the table through
# ``case_roles`` (``TOOK_PART``: assessed or moderated the case, told by assessment).

ASSIGN = "assign"  # assign an assessor
DECLARE = "declare"  # an assessor's conflict-of-interest declaration
ASSESS = "assess"  # judge: evidence reviews, ratings, the judgement
RECORD_RESULT = "record_result"  # the theory and practical results
MODERATE = "moderate"
DECIDE = "decide"  # the decision on the qualification
DECIDE_EXCEPTION = "decide_exception"  # an ineligible candidate's request for an exception
RESOLVE_ELIGIBILITY = "resolve_eligibility"  # a pathway that needs a person's judgement
ISSUE = "issue"  # issue the certificate
CERTIFICATE_STATUS = "certificate_status"  # suspend, reinstate, revoke, reissue, render again
PROCTOR = "proctor"  # admit to the test, add time, void an attempt
REPORT = "report"  # the assessment report of the case
DECIDE_NAME_CHANGE = "decide_name_change"  # a change of the name frozen at submission
FORM_APPEAL_PANEL = "form_appeal_panel"  # put a person on the panel of an appeal against the case's decision
HEAR_APPEAL = "hear_appeal"  # a panel member's declaration and the appeal's outcome

TOOK_PART = "took_part"  # assessed (assigned and not conflicted out) or moderated the case

SEPARATION_OF_DUTIES: dict[str, frozenset[str]] = {
    ASSIGN: frozenset({CANDIDATE}),
    DECLARE: frozenset({CANDIDATE}),
    ASSESS: frozenset({CANDIDATE}),
    RECORD_RESULT: frozenset({CANDIDATE}),
    MODERATE: frozenset({CANDIDATE}),
    DECIDE: frozenset({CANDIDATE, TOOK_PART}),
    DECIDE_EXCEPTION: frozenset({CANDIDATE}),
    RESOLVE_ELIGIBILITY: frozenset({CANDIDATE}),
    ISSUE: frozenset({CANDIDATE}),
    CERTIFICATE_STATUS: frozenset({CANDIDATE}),
    PROCTOR: frozenset({CANDIDATE}),
    REPORT: frozenset({CANDIDATE}),
    DECIDE_NAME_CHANGE: frozenset({CANDIDATE}),
    FORM_APPEAL_PANEL: frozenset({CANDIDATE}),
    HEAR_APPEAL: frozenset({CANDIDATE}),  # and none of the round appealed against: ``appeals.policy``
}

REFUSAL_MESSAGES = {
    CANDIDATE: _l("You are the candidate of this application: another member of the centre must do this."),
    TOOK_PART: _l("Those who assessed or moderated an application do not decide it."),
}


class SeparationOfDutiesError(UserError):
    """An act refused because of the actor's own part in the case."""


def barring_roles(application: Application, user: User, act: str) -> set[str]:
    """The user's roles in the case that bar him from the act (empty: the table does not bar him)."""
    barred = SEPARATION_OF_DUTIES[act]
    if barred == {CANDIDATE}:  # asked for every certificate of a batch: no need to ask the domains above
        return {CANDIDATE} if user.is_authenticated and application.candidate.user_id == user.id else set()
    return set(case_roles(application, user) & barred)


def may(application: Application, user: User, act: str) -> bool:
    return not barring_roles(application, user, act)


def _refused(application: Application, user: User, act: str, role: str) -> SeparationOfDutiesError:
    audit.record_refusal("case.refused", application, actor=user, act=act, role=role)
    return SeparationOfDutiesError(REFUSAL_MESSAGES.get(role, REFUSAL_MESSAGES[CANDIDATE]))


def refuse(application: Application, user: User | None, act: str) -> None:
    """Raise ``SeparationOfDutiesError`` (audited) if the user's part in the case bars him from the act."""
    if user is None:  # the centre itself (a task, the marking's close)
        return
    barred = barring_roles(application, user, act)
    if barred:
        raise _refused(application, user, act, CANDIDATE if CANDIDATE in barred else sorted(barred)[0])


def refuse_own_case(application: Application, user: User | None, act: str) -> None:
    """Nobody acts on an application in which he is the candidate: the rule every act of the table starts with."""
    if user is not None and user.is_authenticated and application.candidate.user_id == user.id:
        raise _refused(application, user, act, CANDIDATE)
