"""Catalogue verbs: create and edit qualifications and their units, load a catalogue file. None commits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.models import utcnow
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition, FrameworkLevel
from certcenter.qualifications.models import Qualification, QualificationUnit, QualificationVersion

DATA_DIR = Path(__file__).parent / "data"
FIELDS = (
    "code",
    "title",
    "description",
    "professional_standard",
    "theory_pass_mark",
    "practical_pass_mark",
    "validity_years",
    "active",
    "recertification_rule",
    "recertification_practice_years",
    "recertification_practice_window",
    "recertification_cpd_hours",
    "recertification_assessors",
    "surveillance_after_years",
)


class CatalogueError(UserError):
    """A refused change to the catalogue."""


def active_qualifications() -> list[Qualification]:
    return list(
        db.session.scalars(
            select(Qualification)
            .join(Qualification.level)
            .where(Qualification.active.is_(True))
            .order_by(FrameworkLevel.number, Qualification.code)
        )
    )


def save_qualification(
    qualification: Qualification | None, *, actor: User | None, level: FrameworkLevel, **values: Any
) -> Qualification:
    code = values["code"].strip().upper()
    clash = db.session.scalar(select(Qualification.id).where(Qualification.code == code))
    if clash and (qualification is None or clash != qualification.id):
        raise CatalogueError(_l("Another qualification already has this code."), "code")
    years, window = values.get("recertification_practice_years"), values.get("recertification_practice_window")
    if years is not None and window is not None and years > window:
        raise CatalogueError(
            _l("The years of practice cannot be more than the years they are counted in."),
            "recertification_practice_years",
        )
    created = qualification is None
    if not created and level.id != qualification.level_id and in_use(qualification):
        raise CatalogueError(
            _l("Applications have been submitted for this qualification; its level cannot change."), "level_id"
        )
    if created:
        qualification = Qualification()
        db.session.add(qualification)
    before = {name: getattr(qualification, name) for name in FIELDS} | {"level_id": qualification.level_id}
    for name in FIELDS:
        if name in values:
            setattr(qualification, name, values[name])
    qualification.code = code
    qualification.level = level
    db.session.flush()
    after = {name: getattr(qualification, name) for name in FIELDS} | {"level_id": qualification.level_id}
    changed = sorted(name for name in after if before[name] != after[name])
    if created or changed:
        audit.record(
            "qualification.create" if created else "qualification.update", qualification, actor=actor, changed=changed
        )
    return qualification


def save_unit(
    qualification: Qualification,
    unit: QualificationUnit | None,
    *,
    actor: User | None,
    code: str,
    title: dict,
    skills: list[dict],
    knowledge: list[dict],
) -> QualificationUnit:
    code = code.strip()
    if any(other.code == code and other is not unit for other in qualification.units):
        raise CatalogueError(_l("This qualification already has a unit with this code."), "code")
    created = unit is None
    if created:
        unit = QualificationUnit(position=len(qualification.units))
        qualification.units.append(unit)
    unit.code, unit.title, unit.skills, unit.knowledge = code, title, skills, knowledge
    db.session.flush()
    audit.record(
        "qualification.unit_create" if created else "qualification.unit_update", qualification, actor=actor, unit=code
    )
    if in_use(qualification):  # the applications already submitted keep their version; new ones get this one
        new_version(qualification, actor=actor)
    return unit


def in_use(qualification: Qualification) -> bool:
    """Submitted applications were judged against these criteria: their level stays, and their units are kept in
    versions."""
    return qualification.criteria_frozen_at is not None


def units_snapshot(qualification: Qualification) -> list[dict[str, Any]]:
    return [
        {
            "id": unit.id,
            "code": unit.code,
            "title": unit.title,
            "skills": list(unit.skills),
            "knowledge": list(unit.knowledge),
        }
        for unit in qualification.units
    ]


def new_version(qualification: Qualification, *, actor: User | None) -> QualificationVersion:
    """Keep the qualification's units as they are now as its next version, used by applications submitted from
    now on."""
    current = qualification.current_version
    version = QualificationVersion(
        number=current.number + 1 if current else 1, created_by=actor, units=units_snapshot(qualification)
    )
    qualification.versions.append(version)
    audit.record("qualification.version", qualification, actor=actor, number=version.number)
    return version


def freeze_criteria(qualification: Qualification) -> QualificationVersion:
    """An application is being submitted against the qualification (called by the submission): the version it is
    assessed against, made if the units are not kept as they are yet."""
    # reading the versions and units writes nothing of the submission yet: it is written once, with its move
    with db.session.no_autoflush:
        if qualification.criteria_frozen_at is None:
            qualification.criteria_frozen_at = utcnow()
        current = qualification.current_version
        if current is not None and current.units == units_snapshot(qualification):
            return current
        return new_version(qualification, actor=None)


def remove_unit(unit: QualificationUnit, *, actor: User) -> None:
    qualification = unit.qualification
    if in_use(qualification):
        raise CatalogueError(
            _l(
                "Applications have been submitted for this qualification; its units cannot be "
                "removed. Create a new qualification instead."
            )
        )
    qualification.units.remove(unit)
    for position, other in enumerate(qualification.units):
        other.position = position
    audit.record("qualification.unit_remove", qualification, actor=actor, unit=unit.code)


def level_by_edition(edition_code: str, number: int) -> FrameworkLevel:
    level = db.session.scalar(
        select(FrameworkLevel)
        .join(FrameworkEdition)
        .where(FrameworkEdition.code == edition_code, FrameworkLevel.number == number)
    )
    if level is None:
        raise CatalogueError(f"no level {number} in edition {edition_code!r}; load the edition first")
    return level


def load_catalogue(path: str | Path, *, actor: User | None = None) -> list[Qualification]:
    """Create the qualifications of a catalogue file that do not exist yet (matched by code); idempotent."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    created = []
    for item in data["qualifications"]:
        if db.session.scalar(select(Qualification.id).where(Qualification.code == item["code"])):
            continue
        level = level_by_edition(item["edition"], item["level"])
        qualification = save_qualification(
            None,
            actor=actor,
            level=level,
            code=item["code"],
            title=item["title"],
            description=item.get("description") or {},
            professional_standard=item.get("professional_standard"),
            theory_pass_mark=item["theory_pass_mark"],
            practical_pass_mark=item["practical_pass_mark"],
            validity_years=item["validity_years"],
            active=True,
        )
        for unit in item.get("units", []):
            save_unit(
                qualification,
                None,
                actor=actor,
                code=unit["code"],
                title=unit["title"],
                skills=unit.get("skills", []),
                knowledge=unit.get("knowledge", []),
            )
        created.append(qualification)
    return created
