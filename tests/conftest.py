"""Fixtures: one app per test session on SQLite (default) or PostgreSQL (CERTCENTER_TEST_DATABASE_URL), migrated
with the project's migrations, emptied after every test; factories and clients signed in as each role."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from certcenter import create_app
from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE, User
from certcenter.accounts.services import create_user
from certcenter.extensions import db
from certcenter.framework.services import bundled_edition_files, load_edition, read_edition_file
from tests.s3 import LoopbackS3

TEST_PASSWORD = "correct-horse-battery"
ROLE_USERS = {"candidate": {CANDIDATE}, "assessor": {ASSESSOR}, "admin": {ADMINISTRATOR}}

# Under pytest-xdist (`make test` runs the suite in several processes) each worker is "gw0", "gw1", ...; it gets a
# database, a Redis database, a temporary folder and an instance folder of its own (see per_worker below).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# Redis database numbers per worker: gwN uses the given number minus N (wrapping below 0 to 15), so up to four workers
# use the given database and the three below it (CI's 15: 15, 14, 13, 12), and no two workers share one.
REDIS_DATABASES = 16

_TMP = Path(tempfile.mkdtemp(prefix=f"certcenter-tests-{XDIST_WORKER + '-' if XDIST_WORKER else ''}"))


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose service is missing; in CI (CI=true) a missing service fails the run instead."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI requires this service: {reason}")
    pytest.skip(reason)


def per_worker_database_url(url: str, worker: str) -> str:
    """The worker's own database beside the given one: PostgreSQL ``<name>_gw0`` on the same server (made here when
    missing), SQLite ``<file>_gw0.sqlite3`` beside the given file."""
    from sqlalchemy.engine import make_url

    given = make_url(url)
    if given.get_backend_name() == "sqlite":
        if not given.database or given.database == ":memory:":
            return url
        path = Path(given.database)
        return given.set(database=str(path.with_name(f"{path.stem}_{worker}{path.suffix}"))).render_as_string(False)
    name = f"{given.database}_{worker}"
    if given.get_backend_name() == "postgresql":
        for maintenance in (given.database, "postgres"):  # the given database need not exist itself
            engine = create_engine(given.set(database=maintenance), isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as connection:
                    found = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
                    if not found:
                        connection.execute(text(f'CREATE DATABASE "{name}"'))
                break
            except Exception as error:  # no server: the tests that need it skip (or fail in CI) as without xdist
                print(f"certcenter tests: could not make database {name} (through {maintenance}): {error}")
            finally:
                engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def per_worker_redis_url(url: str, worker: str) -> str:
    """The worker's own Redis database: the given number minus the worker's (gw0: the given one)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    given = int(parts.path.strip("/") or 0)
    number = (given - int(worker.removeprefix("gw"))) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{number}"))


def _isolate_worker() -> None:
    """Point this process at its worker's own services, once: processes it starts inherit the result (and the mark)."""
    if not XDIST_WORKER or os.environ.get("CERTCENTER_TEST_WORKER") == XDIST_WORKER:
        os.environ.setdefault("CERTCENTER_INSTANCE_PATH", str(_TMP / "instance"))
        return
    os.environ["CERTCENTER_TEST_WORKER"] = XDIST_WORKER
    os.environ["CERTCENTER_INSTANCE_PATH"] = str(_TMP / "instance")  # not the controller's, which all workers inherit
    if database_url := os.environ.get("CERTCENTER_TEST_DATABASE_URL"):
        os.environ["CERTCENTER_TEST_DATABASE_URL"] = per_worker_database_url(database_url, XDIST_WORKER)
    if redis_url := os.environ.get("CERTCENTER_TEST_REDIS_URL"):
        os.environ["CERTCENTER_TEST_REDIS_URL"] = per_worker_redis_url(redis_url, XDIST_WORKER)


_isolate_worker()


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--dist loadgroup`` (as `make test` runs): a module's tests go to one worker, sharing its module-scoped
    fixtures, and the tests marked ``serial`` (timing-sensitive) all go to one worker, one after another. A test
    that names its own ``xdist_group`` keeps it (the WCAG check's languages run side by side)."""
    if getattr(config.option, "dist", "no") != "loadgroup":
        return
    for item in items:
        if item.get_closest_marker("xdist_group"):  # a long test's parts spread over the workers by their own groups
            continue
        group = "serial" if item.get_closest_marker("serial") else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


def database_url_for_tests() -> str:
    return os.environ.get("CERTCENTER_TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.sqlite3'}"


def redis_url_for_tests() -> str | None:
    return os.environ.get("CERTCENTER_TEST_REDIS_URL") or None


def reset_database(url: str) -> None:
    """Start from an empty database, so the migrations build every table themselves."""
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build_app(**overrides) -> Flask:
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url_for_tests(),
        "STORAGE_ROOT": str(_TMP / "files"),
        # /health's checks may take their time here (a loaded test machine); the hostile tests hold it to a second
        "HEALTH_BUDGET_SECONDS": 5.0,
    }
    return create_app("testing", **(settings | overrides))


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    reset_database(database_url_for_tests())
    app = build_app()
    with app.app_context():
        upgrade()
    yield app


@pytest.fixture
def make_app(app: Flask):
    """Another app on the same (migrated) test database, for tests that change configuration or add routes."""
    return build_app


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames or request.node.get_closest_marker("shared_data"):
        return
    empty_database(request.getfixturevalue("app"))


def empty_database(app: Flask) -> None:
    """Every table emptied and the stored files removed (after every test; after a class of shared_data tests)."""
    shutil.rmtree(app.config["STORAGE_ROOT"], ignore_errors=True)
    with app.app_context():
        db.session.remove()
        tables = [table for table in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # rows that point at each other
                for table in tables:
                    connection.execute(table.delete())
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An app context for tests that call services directly. Tests that make requests must not hold one:
    Flask would reuse it for every request, sharing ``g`` (the signed-in user) and the session between them."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def load_bundled_framework(app: Flask) -> str:
    with app.app_context():
        codes = [load_edition(read_edition_file(path)).edition.code for path in bundled_edition_files()]
        db.session.commit()
    return codes[0]


@pytest.fixture
def framework(app: Flask) -> str:
    """Loads the bundled 2013 edition; gives its code."""
    return load_bundled_framework(app)


class UserFactory:
    """Creates committed users in a short app context of its own and hands them back detached. An assessor is
    competent (has a scope, valid for years) for every qualification in the catalogue at the time, unless made with
    ``scoped=False``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.count = 0

    def __call__(self, roles: set[str] | str = CANDIDATE, **fields) -> User:
        self.count += 1
        roles = {roles} if isinstance(roles, str) else roles
        scoped = fields.pop("scoped", True)
        with self.app.app_context():
            user = create_user(
                fields.pop("email", f"user{self.count}@example.kz"),
                fields.pop("full_name", f"Тест Пайдаланушы {self.count}"),
                fields.pop("password", TEST_PASSWORD),
                roles,
            )
            for key, value in fields.items():
                setattr(user, key, value)
            if ASSESSOR in roles and scoped:
                give_scopes(user)
            db.session.commit()
            db.session.refresh(user)
            user.roles  # noqa: B018 - load the roles before the session closes
            db.session.expunge(user)
        return user


def give_scopes(user: User, valid_until=None) -> None:
    """A scope for every qualification in the catalogue now (the fixtures' assessors are competent for all)."""
    from datetime import date

    from sqlalchemy import select

    from certcenter.assessments.competence import AssessorScope
    from certcenter.qualifications.models import Qualification

    for qualification_id in db.session.scalars(select(Qualification.id)):
        db.session.add(
            AssessorScope(
                assessor=user,
                qualification_id=qualification_id,
                evidence="Test assessor: certified for the whole catalogue.",
                valid_until=valid_until or date(2099, 12, 31),
            )
        )


@pytest.fixture
def make_user(app: Flask) -> UserFactory:
    return UserFactory(app)


@pytest.fixture
def catalogue(app: Flask, framework: str) -> dict[str, int]:
    """The demo catalogue loaded; qualification code -> id."""
    from certcenter.qualifications.services import DATA_DIR, load_catalogue

    with app.app_context():
        qualifications = load_catalogue(DATA_DIR / "demo-qualifications.yaml")
        db.session.commit()
        return {qualification.code: qualification.id for qualification in qualifications}


def login(client: FlaskClient, email: str, password: str = TEST_PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(app: Flask, make_user: UserFactory):
    """login_as("admin") -> a test client signed in as a new user with that role."""

    def _login(role: str, **fields) -> FlaskClient:
        user = make_user(ROLE_USERS[role], **fields)
        client = app.test_client()
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        client.user = user
        return client

    return _login


@pytest.fixture
def make_candidate(app: Flask, login_as):
    """make_candidate(education=["technical_vocational"], years=4) -> a signed-in client whose candidate has a
    profile, those education records and that many years of experience (ending today)."""
    from datetime import date, timedelta

    from certcenter.candidates import services as candidates
    from tests.samples import make_iin

    counter = iter(range(1000, 9999))

    def _make(education=("general_secondary",), years: float = 0, **profile) -> FlaskClient:
        client = login_as("candidate")
        birth = profile.pop("birth_date", date(1990, 1, 1))
        with app.app_context():
            user = db.session.get(User, client.user.id)
            record = candidates.save_profile(
                user,
                full_name=profile.pop("full_name", user.full_name),
                full_name_latin="Test Candidate",
                iin=make_iin(birth, serial=next(counter)),
                birth_date=birth,
                phone="+7 701 000 00 00",
                employer="ТОО «Тест»",
                position="Маман",
            )
            for level in education:
                candidates.add_education(
                    record, actor=user, level=level, institution="Колледж", speciality="", year_completed=2010
                )
            if years:
                start = date.today() - timedelta(days=round(years * 365))
                candidates.add_experience(
                    record, actor=user, employer="ТОО «Тест»", position="Маман", started_on=start, ended_on=None
                )
            db.session.commit()
            client.profile_id = record.id
        return client

    return _make


@pytest.fixture(scope="session")
def s3() -> Iterator[LoopbackS3]:
    """An S3-compatible server (moto) on a free loopback port, for the whole session."""
    server = LoopbackS3()
    yield server
    server.stop()


def html_lang(html: str) -> str | None:
    match = re.search(r'<html lang="([^"]+)"', html)
    return match.group(1) if match else None


# Fixtures of one domain that other domains' tests build on.
from tests.assessments.conftest import in_assessment, submitted  # noqa: E402, F401
from tests.certificates.conftest import confirmed  # noqa: E402, F401
from tests.exams.conftest import another_candidate, exam  # noqa: E402, F401
from tests.reports.conftest import fixed_data  # noqa: E402, F401
