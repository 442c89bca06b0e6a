"""The retention run at a few hundred cases: the dry run selects by queries (a handful of statements, however many
rows), the real run does exactly what it listed, in batches, and both stay quick."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, func, insert, select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.extensions import db
from certcenter.records import retention
from certcenter.records.models import RetentionAction

CASES = 250
LONG_AGO = datetime(2014, 5, 1, 8, tzinfo=UTC)


def row_of(instance) -> dict:
    return {column.key: getattr(instance, column.key) for column in instance.__table__.columns if column.key != "id"}


def many_closed_cases(app, person) -> None:
    """CASES people like the holder, each with one application withdrawn long ago (written in three statements)."""
    with app.app_context():
        user = db.session.get(User, person.user_id)
        profile = db.session.get(CandidateProfile, person.profile_id)
        application = db.session.get(Application, person.application_id)
        users = [
            row_of(user) | {"email": f"bulk{n}@example.kz", "last_login_at": LONG_AGO, "created_at": LONG_AGO}
            for n in range(CASES)
        ]
        user_ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), users).all()
        profiles = [
            row_of(profile) | {"user_id": user_id, "iin": f"9{n:011d}", "updated_at": LONG_AGO, "created_at": LONG_AGO}
            for n, user_id in enumerate(user_ids)
        ]
        profile_ids = db.session.scalars(
            insert(CandidateProfile).returning(CandidateProfile.id, sort_by_parameter_order=True), profiles
        ).all()
        db.session.execute(
            insert(Application),
            [
                row_of(application)
                | {"candidate_id": profile_id, "form_token": f"bulk{profile_id}", "state": "withdrawn"}
                | {"state_changed_at": LONG_AGO, "version": 1}
                for profile_id in profile_ids
            ],
        )
        db.session.commit()


@pytest.mark.serial  # the selection is timed
def test_a_few_hundred_cases_are_selected_by_queries_and_the_run_does_what_the_dry_run_listed(app, holders):
    (person,) = holders(1)
    many_closed_cases(app, person)
    today = date(2020, 6, 1)  # five years after they ended; the holder's certificate is still in force
    with app.app_context():
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            started = time.perf_counter()
            planned = retention.due(today)
            took = time.perf_counter() - started
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert len([item for item in planned if item.kind == retention.EVIDENCE]) == CASES
        assert len([item for item in planned if item.kind == retention.PERSONAL_DATA]) == CASES
        cases = {item.target_id for item in planned if item.target_type == "Application"}
        assert str(person.application_id) not in cases  # his certificate is in force
        assert len(statements) < 15, statements  # not one per application or person
        assert took < 5

    with app.app_context():
        started = time.perf_counter()
        done = retention.run(today, commit=db.session.commit)
        db.session.commit()
        assert time.perf_counter() - started < 60
        assert done == planned
        assert db.session.scalar(select(func.count()).select_from(RetentionAction)) == len(planned)
        assert retention.due(today) == []  # a second run finds nothing more
        anonymised = db.session.scalar(select(func.count()).where(CandidateProfile.iin.like("X%")))
        assert anonymised == CASES
