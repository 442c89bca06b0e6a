"""The administrators' application list: search by name, IIN or number, and filters by qualification, level, state,
period and whatever a higher domain adds (the assessments add "assessor") through ``register_filter``.

Filters are read from the query string, so a page link (``url_with``) carries them to every page of the list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import Select, or_, select

from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.core.i18n import localized, select_timezone
from certcenter.core.registry import Registry
from certcenter.extensions import db
from certcenter.framework.models import FrameworkLevel
from certcenter.qualifications.models import Qualification

_extra_filters = Registry("applications.list_filters")


@dataclass(frozen=True)
class ListFilter:
    """A select on the list: its label, its options (value, label) and how a chosen value narrows the query."""

    label: object
    options: Callable[[], list[tuple[str, str]]]
    narrow: Callable[[Select, str], Select]


def register_filter(app: Flask, name: str, list_filter: ListFilter, *, order: int = 100) -> None:
    _extra_filters.add(app, name, list_filter, order=order)


def extra_filters() -> list[tuple[str, ListFilter]]:
    return _extra_filters.items()


def qualification_options() -> list[tuple[str, str]]:
    rows = db.session.scalars(select(Qualification).order_by(Qualification.code))
    return [(str(row.id), f"{row.code} — {localized(row.title)}") for row in rows]


def level_options() -> list[tuple[str, str]]:
    numbers = db.session.scalars(select(FrameworkLevel.number).distinct().order_by(FrameworkLevel.number))
    return [(str(number), str(number)) for number in numbers]


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def search_applications(args: Mapping[str, str]) -> Select:
    """The list's query narrowed by the filters in ``args`` (unknown or malformed values are ignored)."""
    statement = (
        select(Application)
        .join(CandidateProfile, Application.candidate_id == CandidateProfile.id)
        .join(Qualification, Application.qualification_id == Qualification.id)
        .order_by(Application.state_changed_at.desc(), Application.id.desc())
    )
    text = (args.get("q") or "").strip()
    if text:
        pattern = f"%{text}%"
        matches = [CandidateProfile.full_name.ilike(pattern), CandidateProfile.full_name_latin.ilike(pattern)]
        digits = text.lstrip("№#").strip()
        if digits.isdigit():
            matches.append(CandidateProfile.iin.like(f"{digits}%"))
            if len(digits) <= 9:
                matches.append(Application.id == int(digits))
        statement = statement.where(or_(*matches))
    state = args.get("state") or ""
    if state in workflow.STATES:
        statement = statement.where(Application.state == state)
    qualification = args.get("qualification") or ""
    if qualification.isdigit():
        statement = statement.where(Application.qualification_id == int(qualification))
    level = args.get("level") or ""
    if level.isdigit():
        statement = statement.join(FrameworkLevel, Qualification.level_id == FrameworkLevel.id).where(
            FrameworkLevel.number == int(level)
        )
    # the period's days are the centre's days
    zone = ZoneInfo(select_timezone())
    start, end = parse_day(args.get("submitted_from")), parse_day(args.get("submitted_to"))
    if start:
        statement = statement.where(Application.submitted_at >= datetime.combine(start, time(), zone).astimezone(UTC))
    if end:
        after = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
        statement = statement.where(Application.submitted_at < after)
    for name, list_filter in extra_filters():
        value = args.get(name) or ""
        if value:
            statement = list_filter.narrow(statement, value)
    return statement
