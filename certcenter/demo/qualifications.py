"""The reference data the demo-scale data set needs (NQF editions, the demo catalogues) and the qualifications it
applies for, read once into plain records: criteria, pathways, and the parts of the decision snapshot and of the
certificate that do not change from one application to the next."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select

from certcenter.assessments.services import criterion_snapshot, qualification_snapshot
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition, FrameworkLevel
from certcenter.framework.services import bundled_edition_files, edition_by_code, load_edition, read_edition_file
from certcenter.qualifications.criteria import assessment_criteria
from certcenter.qualifications.models import Qualification
from certcenter.qualifications.services import DATA_DIR, load_catalogue

SCALE_CATALOGUE = DATA_DIR / "demo-scale-qualifications.yaml"

# Share of applications per NQF level (most demand is at the skilled-worker levels 3 to 5), and the share of
# assessed candidates confirmed at each level before a qualification's own offset.
LEVEL_WEIGHTS = {1: 3, 2: 8, 3: 24, 4: 26, 5: 19, 6: 11, 7: 6, 8: 3}
LEVEL_CONFIRMATION = {1: 0.88, 2: 0.84, 3: 0.77, 4: 0.71, 5: 0.65, 6: 0.6, 7: 0.56, 8: 0.5}


def ensure_reference_data() -> list[str]:
    """Load the bundled framework editions that are missing, the demo catalogue and the demo-scale qualifications
    (each idempotent). Returns the codes of the qualifications created."""
    for path in bundled_edition_files():
        data = read_edition_file(path)
        if edition_by_code(data["edition"]["code"]) is None:
            load_edition(data)
    created = load_catalogue(DATA_DIR / "demo-qualifications.yaml")
    created += load_catalogue(SCALE_CATALOGUE)
    return [qualification.code for qualification in created]


class Criterion(NamedTuple):
    key: str
    kind: str
    unit_code: str | None
    snapshot: dict[str, Any]  # the unchanging part of the decision snapshot's entry


@dataclass
class DemoQualification:
    id: int
    code: str
    level: int
    edition_id: int
    validity_years: int
    theory_pass_mark: int
    practical_pass_mark: int
    title: dict
    weight: float
    confirmation: float
    criteria: list[Criterion]
    pathways: list[tuple[str, dict, dict]]  # code, text, rule
    snapshot: dict[str, Any]  # the edition and qualification parts of the decision snapshot
    certificate: dict[str, Any]  # what certificates copy from the decision snapshot


def active_qualifications(rng: random.Random) -> list[DemoQualification]:
    """The active qualifications, each with its share of demand and its confirmation rate (drawn from ``rng``)."""
    rows = db.session.scalars(
        select(Qualification)
        .join(Qualification.level)
        .where(Qualification.active.is_(True))
        .order_by(Qualification.code)
    ).all()
    per_level = Counter(qualification.level.number for qualification in rows)
    result = []
    for qualification in rows:
        level: FrameworkLevel = qualification.level
        edition: FrameworkEdition = level.edition
        snapshot = {
            "edition": {"id": edition.id, "code": edition.code, "title": edition.title},
            "qualification": qualification_snapshot(qualification),
        }
        result.append(
            DemoQualification(
                id=qualification.id,
                code=qualification.code,
                level=level.number,
                edition_id=edition.id,
                validity_years=qualification.validity_years,
                theory_pass_mark=qualification.theory_pass_mark,
                practical_pass_mark=qualification.practical_pass_mark,
                title=qualification.title,
                weight=LEVEL_WEIGHTS[level.number] / per_level[level.number] * rng.uniform(0.6, 1.4),
                confirmation=min(0.95, max(0.3, LEVEL_CONFIRMATION[level.number] + rng.uniform(-0.08, 0.08))),
                criteria=_criteria(qualification),
                pathways=[(pathway.code, pathway.text, pathway.rule) for pathway in level.pathways],
                snapshot=snapshot,
                certificate=_certificate_fields(qualification, level, edition),
            )
        )
    return result


def _criteria(qualification: Qualification) -> list[Criterion]:
    return [
        Criterion(
            key=criterion.key,
            kind=criterion.kind,
            unit_code=criterion.code if criterion.kind == "unit" else None,
            snapshot=criterion_snapshot(criterion),
        )
        for criterion in assessment_criteria(qualification)
    ]


def _certificate_fields(qualification: Qualification, level: FrameworkLevel, edition: FrameworkEdition) -> dict:
    return {
        "qualification_code": qualification.code,
        "qualification_title": qualification.title,
        "nqf_level": level.number,
        "eqf_level": level.eqf_level,
        "edition_code": edition.code,
        "edition_title": edition.title,
        "professional_standard": qualification.professional_standard,
    }
