"""Who a person is in a case, and what that lets him see.

Roles in a case are not account roles: an administrator may be the candidate of one application and the lead
assessor of another. The applications domain knows two of them itself (the application's candidate, an
administrator); the domains above add theirs (``register_case_roles``): assessment says who assesses and who leads.
The workflow's transition table and every access check read the roles from here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask

from certcenter.accounts.models import ADMINISTRATOR as ADMINISTRATOR_ROLE
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
    """The application's documents: those who may see its page, and its assessors once they declared no conflict."""
    return bool(case_roles(application, user) & {CANDIDATE, ADMINISTRATOR, ASSESSOR, MODERATOR})
