"""The migrations build exactly the models' schema: alembic's autogenerate finds nothing to add or change."""

import os
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from certcenter.extensions import db
from tests.conftest import require_service


def schema_differences(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)


def test_migrations_match_models_on_sqlite(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'schema.sqlite3'}")
    assert schema_differences(app) == []


@contextmanager
def postgresql_schema(make_app, schema: str):
    """An app on a fresh schema of the test PostgreSQL database, dropped afterwards."""
    url = os.environ.get("CERTCENTER_TEST_DATABASE_URL", "")
    require_service(url.startswith("postgresql"), "set CERTCENTER_TEST_DATABASE_URL to a PostgreSQL database")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        app = make_app(
            SQLALCHEMY_DATABASE_URI=url,
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": f"-csearch_path={schema}"}},
        )
        yield app
        with app.app_context():
            db.engine.dispose()
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


@pytest.mark.postgres
def test_migrations_match_models_on_postgresql(make_app):
    with postgresql_schema(make_app, "migration_check") as app:
        assert schema_differences(app) == []


def carry_data_through_the_domains_migration(app):
    """Rows written at the head are taken down across acfd22bf6de6 and up again: a notice keeps its application,
    and the lock of the person's identity and the freeze of the qualification's criteria are set from the first
    submission (nothing for a person or a qualification with drafts only)."""
    from datetime import UTC, datetime

    from flask_migrate import downgrade

    from certcenter.accounts.services import create_user
    from certcenter.applications.models import Application
    from certcenter.candidates.models import CandidateProfile
    from certcenter.framework.services import bundled_edition_files, load_edition, read_edition_file
    from certcenter.notifications.services import notify
    from certcenter.qualifications.services import DATA_DIR, load_catalogue
    from tests.samples import make_iin

    submitted_at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    with app.app_context():
        upgrade()
        for path in bundled_edition_files():
            load_edition(read_edition_file(path))
        welding, kitchen = load_catalogue(DATA_DIR / "demo-qualifications.yaml")[:2]
        profiles = []
        for serial, (qualification, state) in enumerate(((welding, "in_assessment"), (kitchen, "draft"))):
            user = create_user(f"m{serial}@example.kz", "Тест", "correct-horse-battery", {"candidate"})
            profile = CandidateProfile(
                user=user, full_name="Тест", full_name_latin="Test", iin=make_iin(datetime(1990, 1, 1).date(), serial),
                birth_date=datetime(1990, 1, 1).date(), phone="+7 701 000 00 00",
            )  # fmt: skip
            application = Application(
                candidate=profile, qualification=qualification, edition_id=qualification.level.edition_id, state=state
            )
            if state != "draft":
                application.submitted_at = submitted_at
            db.session.add(application)
            db.session.flush()
            notify(user.id, "state_changed", application, state=state)
            notify(user.id, "welcome")  # a notice about nothing in particular
            profiles.append((profile.id, qualification.id, application.id))
        db.session.commit()
        downgrade(revision="efddfdff53ca")
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT kind, application_id FROM notifications ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            ("state_changed", profiles[0][2]),
            ("welcome", None),
            ("state_changed", profiles[1][2]),
            ("welcome", None),
        ]
        upgrade()
        with db.engine.connect() as connection:
            notices = connection.execute(text("SELECT subject_type, subject_id FROM notifications ORDER BY id")).all()
            locks = dict(connection.execute(text("SELECT id, identity_locked_at FROM candidate_profiles")).all())
            freezes = dict(connection.execute(text("SELECT id, criteria_frozen_at FROM qualifications")).all())
        assert [tuple(row) for row in notices] == [
            ("Application", str(profiles[0][2])),
            (None, None),
            ("Application", str(profiles[1][2])),
            (None, None),
        ]
        (submitted_profile, welding_id, _), (draft_profile, kitchen_id, _) = profiles
        assert locks[draft_profile] is None and freezes[kitchen_id] is None
        for moment in (locks[submitted_profile], freezes[welding_id]):
            moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
            assert moment.replace(tzinfo=moment.tzinfo or UTC) == submitted_at
        db.session.remove()


def test_the_domains_migration_carries_its_data_on_sqlite(make_app, tmp_path):
    carry_data_through_the_domains_migration(make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'd.sqlite3'}"))


@pytest.mark.postgres
def test_the_domains_migration_carries_its_data_on_postgresql(make_app):
    with postgresql_schema(make_app, "migration_data") as app:
        carry_data_through_the_domains_migration(app)
