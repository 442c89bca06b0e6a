"""What every assessment verb rests on: the refused step (``AssessmentError``), the row lock that serialises
judgements and decisions, the notices assessment sends, how many assessors an application needs and which of
its assignments count, and its criteria by key."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.assessments.models import Assignment
from certcenter.core.errors import UserError
from certcenter.core.registry import Registry
from certcenter.extensions import db
from certcenter.qualifications.criteria import Criterion, criteria_for

# The notices assessment sends (told by ``panels.describe_notice``).
ASSIGNED, CONFLICT_DECLARED, READY_FOR_DECISION = "assigned", "conflict_declared", "ready_for_decision"
MODERATOR_PICKED, MODERATOR_CONFLICT = "moderator_picked", "moderator_conflict"
MODERATION_ASKED = "moderation_asked"  # to the administrators: the assessors disagree, pick a moderator


class AssessmentError(UserError):
    """A refused step of an assessment."""


def lock_application(application_id: int) -> Application:
    """Load the application with a row lock (PostgreSQL), so concurrent judgements and decisions serialise."""
    return db.session.execute(
        select(Application)
        .where(Application.id == application_id)
        .with_for_update(of=Application)
        .execution_options(populate_existing=True)
    ).scalar_one()


# Rules from the domains above that ask for another number of assessors for some applications (a renewal by the short
# route: one, unless its rule says two); the first that answers with a number decides.
_assessor_rules = Registry("assessments.assessors_needed")


def register_assessors_rule(app: Flask, name: str, rule: Callable[[Application], int | None]) -> None:
    _assessor_rules.add(app, name, rule)


def required_assessors(application: Application | None = None) -> int:
    if application is not None:
        for rule in _assessor_rules:
            needed = rule(application)
            if needed is not None:
                return int(needed)
    return int(current_app.config["ASSESSORS_PER_APPLICATION"])


def counting_assignments(application: Application) -> list[Assignment]:
    return [assignment for assignment in application.assignments if assignment.counts]


def _criteria(application: Application) -> dict[str, Criterion]:
    return {criterion.key: criterion for criterion in criteria_for(application)}
