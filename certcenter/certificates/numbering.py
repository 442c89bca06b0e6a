"""Certificate numbers: a readable series per year (KZQC-2026-000042), allocated under a row lock so that two
administrators issuing at once never get the same number."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from certcenter.certificates.models import CertificateSeries
from certcenter.core.settings import centre_settings
from certcenter.extensions import db


def reserve_block(year: int, count: int) -> int:
    """Take ``count`` consecutive numbers of the year's series in one statement (the series row stays locked until
    the transaction ends) and return the first."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(CertificateSeries).values(year=year, last_number=0).on_conflict_do_nothing())
    last = db.session.execute(
        update(CertificateSeries)
        .where(CertificateSeries.year == year)
        .values(last_number=CertificateSeries.last_number + count)
        .returning(CertificateSeries.last_number)
        # the series row is never loaded as an object: nothing in the session to bring up to date
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return last - count + 1


def format_number(year: int, number: int) -> str:
    return f"{centre_settings().certificate_number_prefix}-{year}-{number:06d}"


def reserve_numbers(year: int, count: int) -> list[str]:
    first = reserve_block(year, count) if count else 0
    return [format_number(year, number) for number in range(first, first + count)]


def next_number(year: int) -> str:
    return reserve_numbers(year, 1)[0]


def last_number(year: int) -> int:
    return db.session.scalar(select(CertificateSeries.last_number).where(CertificateSeries.year == year)) or 0
