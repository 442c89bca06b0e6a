"""The assessment migration of issue #13 carries the data it finds: a shared result entered by an assessor on an
application still in assessment becomes that assessor's own result; a result from an exam sitting becomes the
result of record with source "exam"; a qualification in use gets version 1 of its units, and its submitted
applications that version."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from certcenter.extensions import db
from tests.core.test_migrations import postgresql_schema


def carry(app):
    from certcenter.accounts.services import create_user
    from certcenter.applications.models import Application
    from certcenter.assessments.models import Assignment
    from certcenter.candidates.models import CandidateProfile
    from certcenter.framework.services import bundled_edition_files, load_edition, read_edition_file
    from certcenter.qualifications.services import DATA_DIR, load_catalogue
    from tests.samples import make_iin

    with app.app_context():
        upgrade()
        for path in bundled_edition_files():
            load_edition(read_edition_file(path))
        welding = load_catalogue(DATA_DIR / "demo-qualifications.yaml")[0]
        user = create_user("m@example.kz", "Тест", "correct-horse-battery", {"candidate"})
        profile = CandidateProfile(
            user=user, full_name="Тест", full_name_latin="Test", iin=make_iin(date(1990, 1, 1), 1),
            birth_date=date(1990, 1, 1), phone="+7 701 000 00 00",
        )  # fmt: skip
        application = Application(
            candidate=profile,
            qualification=welding,
            edition_id=welding.level.edition_id,
            state="in_assessment",
            submitted_at=datetime(2026, 3, 2, tzinfo=UTC),
        )
        first, second = (
            create_user(f"a{n}@example.kz", f"A{n}", "correct-horse-battery", {"assessor"}) for n in (1, 2)
        )
        db.session.add_all([application, Assignment(application=application, assessor=first, status="active")])
        db.session.add(Assignment(application=application, assessor=second, status="active"))
        welding.criteria_frozen_at = datetime(2026, 3, 2, tzinfo=UTC)
        db.session.commit()
        application_id, first_id, unit_codes = application.id, first.id, [unit.code for unit in welding.units]
        db.session.remove()
        downgrade(revision="9b175d7cbbfc-1")  # before the own-results migration: one shared result row per kind
        with db.engine.begin() as connection:
            for kind, notes in (("theory", "exam sitting 5, attempt 7"), ("practical", "")):
                connection.execute(
                    text(
                        "INSERT INTO assessment_results (application_id, kind, percent, taken_on, notes, "
                        "recorded_by_id, recorded_at) VALUES (:a, :k, 80, :d, :n, :u, :t)"
                    ),
                    {
                        "a": application_id,
                        "k": kind,
                        "d": date(2026, 3, 5),
                        "n": notes,
                        "u": first_id,
                        "t": datetime.now(UTC),
                    },
                )
        upgrade()
        with db.engine.connect() as connection:
            records = connection.execute(text("SELECT kind, source, percent FROM assessment_results")).all()
            own = connection.execute(
                text(
                    "SELECT assignments.assessor_id, r.kind, r.percent FROM assessor_results r "
                    "JOIN assignments ON assignments.id = r.assignment_id"
                )
            ).all()
            versions = connection.execute(text("SELECT id, number, units FROM qualification_versions")).all()
            pinned = connection.execute(text("SELECT qualification_version_id FROM applications")).scalar_one()
        db.session.remove()
    assert [tuple(row) for row in records] == [("theory", "exam", 80)]
    assert [tuple(row) for row in own] == [(first_id, "practical", 80)]
    ((version_id, number, units),) = versions
    units = units if isinstance(units, list) else json.loads(units)
    assert number == 1 and [unit["code"] for unit in units] == unit_codes and pinned == version_id


def test_the_migration_carries_results_and_versions_on_sqlite(make_app, tmp_path):
    carry(make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'd.sqlite3'}"))


@pytest.mark.postgres
def test_the_migration_carries_results_and_versions_on_postgresql(make_app):
    with postgresql_schema(make_app, "migration_integ") as app:
        carry(app)
