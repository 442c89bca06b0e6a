"""Certificate numbers: a readable series per year (KZQC-2026-000042), allocated under a row lock so that two
administrators issuing at once never get the same number."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from certcenter.certificates.models import CertificateSeries
from certcenter.extensions import db


def next_number(year: int) -> str:
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(CertificateSeries).values(year=year, last_number=0).on_conflict_do_nothing())
    number = db.session.execute(
        update(CertificateSeries)
        .where(CertificateSeries.year == year)
        .values(last_number=CertificateSeries.last_number + 1)
        .returning(CertificateSeries.last_number)
        # the series row is never loaded as an object: nothing in the session to bring up to date (scanning it for
        # one made issuing quadratic in the number of certificates in the request)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    prefix = current_app.config["CERTIFICATE_NUMBER_PREFIX"]
    return f"{prefix}-{year}-{number:06d}"


def last_number(year: int) -> int:
    return db.session.scalar(select(CertificateSeries.last_number).where(CertificateSeries.year == year)) or 0
