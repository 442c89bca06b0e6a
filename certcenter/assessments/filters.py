"""The assessments' filter on the administrators' application list: the applications an assessor is assigned to."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.applications.search import ListFilter
from certcenter.assessments.models import Assignment
from certcenter.extensions import db


def assessor_options() -> list[tuple[str, str]]:
    """Every assessor who has ever been assigned, by name."""
    people = db.session.execute(
        select(User.id, User.full_name).where(User.id.in_(select(Assignment.assessor_id))).order_by(User.full_name)
    )
    return [(str(user_id), name) for user_id, name in people]


def assigned_to(statement: Select, value: str) -> Select:
    if not value.isdigit():
        return statement
    return statement.where(
        Application.id.in_(select(Assignment.application_id).where(Assignment.assessor_id == int(value)))
    )


ASSESSOR_FILTER = ListFilter(_l("Assessor"), assessor_options, assigned_to)
