"""Eligibility: does the candidate meet a pathway to the qualification's level, and if not, what is missing?"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from certcenter.candidates.models import CandidateProfile, ExperienceRecord
from certcenter.core.i18n import centre_today, localized
from certcenter.framework.models import FrameworkLevel, interpretation_in
from certcenter.framework.rules import DAYS_PER_YEAR, Facts, evaluate
from certcenter.framework.vocabulary import EDUCATION_LEVELS

MET, NEEDS_REVIEW, NOT_MET = "met", "needs_review", "not_met"


def experience_days(records: Iterable[ExperienceRecord], today: date) -> int:
    """Total practical experience in days, counting overlapping periods (two jobs at once) only once."""
    periods = sorted(
        (record.started_on, min(record.ended_on or today, today)) for record in records if record.started_on <= today
    )
    total, current_start, current_end = 0, None, None
    for start, end in periods:
        if current_end is not None and start <= current_end + timedelta(days=1):
            current_end = max(current_end, end)
            continue
        if current_end is not None:
            total += (current_end - current_start).days + 1
        current_start, current_end = start, end
    if current_end is not None:
        total += (current_end - current_start).days + 1
    return total


def format_duration(days: int, *, at_least_a_month: bool = False) -> str:
    """'1 year 4 months' in the user's language (a year is 365 days, a month 30). What is still lacking
    (``at_least_a_month``) is told to the nearest month, and never as "0 months": eight days short is "1 month"."""
    years, rest = divmod(days, int(DAYS_PER_YEAR))
    months = max(round(rest / 30), 0 if years else 1) if at_least_a_month else rest // 30
    if months == 12:
        years, months = years + 1, 0
    parts = []
    if years:
        parts.append(ngettext("%(num)d year", "%(num)d years", years))
    if months or not years:
        parts.append(ngettext("%(num)d month", "%(num)d months", months))
    return " ".join(parts)


def candidate_facts(candidate: CandidateProfile, today: date | None = None) -> Facts:
    today = today or centre_today()
    return Facts(
        education=frozenset(record.level for record in candidate.education),
        experience_days=experience_days(candidate.experience, today),
    )


def describe_shortfall(condition: dict[str, Any], facts: Facts) -> str:
    ((key, value),) = condition.items()
    if key == "experience_years":
        if not facts.experience_days:
            return _(
                "needs %(required)s of practical experience; you have none recorded",
                required=ngettext("%(num)s year", "%(num)s years", value),
            )
        lacking = max(1, round(value * DAYS_PER_YEAR) - facts.experience_days)
        return _(
            "needs %(required)s of practical experience; you have %(actual)s, %(lacking)s short",
            required=ngettext("%(num)s year", "%(num)s years", value),
            actual=format_duration(facts.experience_days),
            lacking=format_duration(lacking, at_least_a_month=True),
        )
    if key == "practical_experience":
        return _("needs documented practical experience; you have none recorded")
    if key == "education":
        names = ", ".join(str(EDUCATION_LEVELS[code].label) for code in value)
        return _("needs education of one of these kinds: %(names)s", names=names)
    if key == "education_at_least":
        return _("needs at least: %(level)s", level=EDUCATION_LEVELS[value].label)
    return _("the centre will judge: %(condition)s", condition=localized(value["text"]))


@dataclass
class PathwayResult:
    code: str
    text: dict
    met: bool | None
    missing: list[str] = field(default_factory=list)
    shortfalls: list[dict[str, Any]] = field(default_factory=list)  # the conditions not met, to be told again later
    interpretation: dict = field(default_factory=dict)  # how the centre reads the pathway's wording, per language

    def interpretation_in(self, language: str) -> tuple[str, str] | None:
        return interpretation_in(self.interpretation, language)


@dataclass
class Eligibility:
    status: str
    pathways: list[PathwayResult]
    facts: Facts

    @property
    def met_pathway(self) -> PathwayResult | None:
        return next((result for result in self.pathways if result.met), None)

    def snapshot(self) -> dict[str, Any]:
        """What is stored on the application at submission (the messages in the candidate's language)."""
        return {
            "status": self.status,
            "met_pathway": self.met_pathway.code if self.met_pathway else None,
            "education": sorted(self.facts.education),
            "experience_days": self.facts.experience_days,
            "pathways": [
                {"code": result.code, "met": result.met, "missing": result.missing, "shortfalls": result.shortfalls}
                for result in self.pathways
            ],
        }


def evaluate_eligibility(candidate: CandidateProfile, level: FrameworkLevel, today: date | None = None) -> Eligibility:
    facts = candidate_facts(candidate, today)
    results = []
    for pathway in level.pathways:
        outcome = evaluate(pathway.rule, facts)
        shortfalls = [] if outcome.met else outcome.shortfalls
        missing = [describe_shortfall(short, facts) for short in shortfalls]
        results.append(
            PathwayResult(
                code=pathway.code,
                text=pathway.text,
                met=outcome.met,
                missing=missing,
                shortfalls=shortfalls,
                interpretation=pathway.interpretation or {},
            )
        )
    outcomes = [result.met for result in results]
    status = MET if True in outcomes else NEEDS_REVIEW if None in outcomes else NOT_MET
    return Eligibility(status=status, pathways=results, facts=facts)


def missing_at_submission(snapshot: dict[str, Any], pathway: dict[str, Any]) -> list[str]:
    """What a pathway lacked when the application was submitted, told in the reader's language (the snapshot keeps
    the conditions and the facts; older snapshots only the words of the day, in the candidate's language)."""
    if "shortfalls" not in pathway:
        return list(pathway.get("missing") or [])
    facts = Facts(
        education=frozenset(snapshot.get("education", [])), experience_days=snapshot.get("experience_days", 0)
    )
    return [describe_shortfall(condition, facts) for condition in pathway["shortfalls"]]
