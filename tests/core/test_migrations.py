"""The migrations build exactly the models' schema: alembic's autogenerate finds nothing to add or change."""

import os

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


@pytest.mark.postgres
def test_migrations_match_models_on_postgresql(make_app):
    url = os.environ.get("CERTCENTER_TEST_DATABASE_URL", "")
    require_service(url.startswith("postgresql"), "set CERTCENTER_TEST_DATABASE_URL to a PostgreSQL database")
    schema = "migration_check"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        app = make_app(
            SQLALCHEMY_DATABASE_URI=url,
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": f"-csearch_path={schema}"}},
        )
        assert schema_differences(app) == []
        with app.app_context():
            db.engine.dispose()
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()
