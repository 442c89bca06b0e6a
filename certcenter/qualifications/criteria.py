"""The assessment criteria of a qualification: the three NQF descriptors of its level, then its units.

A criterion is named by a stable key ("descriptor:skills", "unit:12") that evidence links and ratings refer to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from certcenter.framework.vocabulary import DESCRIPTOR_KINDS, DESCRIPTOR_LABELS
from certcenter.qualifications.models import Qualification, QualificationVersion


@dataclass(frozen=True)
class Criterion:
    key: str
    kind: str  # "descriptor" or "unit"
    code: str
    title: Any  # a {"kk", "ru", "en"} mapping, or a lazy string
    text: dict
    skills: list = field(default_factory=list)
    knowledge: list = field(default_factory=list)


def descriptor_key(kind: str) -> str:
    return f"descriptor:{kind}"


def unit_key(unit_id: int) -> str:
    return f"unit:{unit_id}"


def assessment_criteria(qualification: Qualification, version: QualificationVersion | None = None) -> list[Criterion]:
    """The descriptors of the qualification's level, then its units: as they are now, or as ``version`` kept them."""
    level = qualification.level
    criteria = [
        Criterion(
            key=descriptor_key(kind),
            kind="descriptor",
            code=str(position + 1),
            title=DESCRIPTOR_LABELS[kind],
            text=level.descriptor(kind).text,
        )
        for position, kind in enumerate(DESCRIPTOR_KINDS)
    ]
    criteria += (
        [
            Criterion(
                key=unit_key(unit.id),
                kind="unit",
                code=unit.code,
                title=unit.title,
                text={},
                skills=list(unit.skills),
                knowledge=list(unit.knowledge),
            )
            for unit in qualification.units
        ]
        if version is None
        else [
            Criterion(
                key=unit_key(unit["id"]),
                kind="unit",
                code=unit["code"],
                title=unit["title"],
                text={},
                skills=list(unit["skills"]),
                knowledge=list(unit["knowledge"]),
            )
            for unit in version.units
        ]
    )
    return criteria


def criteria_for(application: Any) -> list[Criterion]:
    """The criteria an application is judged against: its qualification as it was when submitted (the version it
    was submitted under), or, for a draft, as it is now."""
    return assessment_criteria(application.qualification, application.qualification_version)


def criterion_keys(qualification: Qualification) -> set[str]:
    return {criterion.key for criterion in assessment_criteria(qualification)}
