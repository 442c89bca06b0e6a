"""Register exports: issued certificates and applications, filtered, to CSV, XLSX (streamed, bounded memory) and
the certificate register as JSON for a national registry. Rows come from one query each, read in chunks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from certcenter.applications.models import Application
from certcenter.applications.workflow import STATE_LABELS
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates.models import STATUS_LABELS, Certificate
from certcenter.certificates.services import public_record
from certcenter.core.i18n import centre_midnight, localized, select_timezone
from certcenter.core.spreadsheets import to_csv, to_xlsx
from certcenter.extensions import db
from certcenter.framework.models import FrameworkLevel
from certcenter.qualifications.models import Qualification

CHUNK = 2000
ELIGIBILITY_WORDS = {"met": _l("met"), "needs_review": _l("needs review"), "not_met": _l("not met")}
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
            func.coalesce(Application.identity_name, CandidateProfile.full_name),
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
        statement = statement.where(Application.created_at >= centre_midnight(_day(filters["date_from"])))
    if filters.get("date_to"):
        statement = statement.where(
            Application.created_at < centre_midnight(_day(filters["date_to"]) + timedelta(days=1))
        )
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


def _local(moment: datetime | None) -> datetime | None:
    """A moment as the centre's clock showed it, to the second, without a zone (what a spreadsheet cell holds)."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(select_timezone())).replace(tzinfo=None, microsecond=0)


def readable_columns(dataset: str) -> list[str]:
    if dataset == "certificates":
        return [
            _("Number"),
            _("Holder"),
            _("Holder (Latin letters)"),
            _("Qualification code"),
            _("Qualification"),
            _("NQF level"),
            _("EQF level"),
            _("Date of issue"),
            _("Valid until"),
            _("Status"),
        ]
    return [
        _("Application No."),
        _("Candidate"),
        _("Qualification code"),
        _("Qualification"),
        _("NQF level"),
        _("State"),
        _("Submitted"),
        _("Eligibility"),
        _("Started"),
    ]


def readable_rows(dataset: str, filters: dict[str, Any]) -> tuple[list[str], Iterator[list[Any]]]:
    """The register as a person reads it in a spreadsheet, in the language of the report: headings and coded values
    in words, titles in that language, dates as dates and times as the centre's clock showed them."""
    if dataset == "certificates":

        def certificate_rows() -> Iterator[list[Any]]:
            for c in db.session.scalars(certificate_query(filters).execution_options(yield_per=CHUNK)):
                status = c.current_status()
                yield [
                    c.number,
                    c.holder_name,
                    c.holder_name_latin,
                    c.qualification_code,
                    localized(c.qualification_title),
                    c.nqf_level,
                    c.eqf_level,
                    c.issued_on,
                    c.expires_on,
                    str(STATUS_LABELS.get(status, status)),
                ]

        return readable_columns(dataset), certificate_rows()

    def application_rows() -> Iterator[list[Any]]:
        statement = application_query(filters).add_columns(Qualification.title)
        for row in db.session.execute(statement.execution_options(yield_per=CHUNK)):
            number, candidate, code, level, state, submitted, eligibility, created, title = row
            yield [
                number,
                candidate,
                code,
                localized(title),
                level,
                str(STATE_LABELS.get(state, state)),
                _local(submitted),
                str(ELIGIBILITY_WORDS.get(eligibility, "")) if eligibility else None,
                _local(created),
            ]

    return readable_columns(dataset), application_rows()


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
    columns, data = readable_rows(dataset, filters)
    if fmt == "xlsx":
        return (
            to_xlsx(columns, data),
            f"{dataset}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return to_csv(columns, data), f"{dataset}.csv", "text/csv"
