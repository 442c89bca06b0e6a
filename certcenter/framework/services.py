"""Loading framework editions from their data files, and finding the edition in force."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from certcenter.core import audit
from certcenter.core.i18n import centre_today
from certcenter.extensions import db
from certcenter.framework import rules
from certcenter.framework.models import (
    PUBLISHED,
    FrameworkEdition,
    FrameworkLevel,
    GlossaryTerm,
    LevelDescriptor,
    Pathway,
)
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS

DATA_DIR = Path(__file__).parent / "data"
LANGUAGES = ("kk", "ru", "en")


class EditionFileError(ValueError):
    pass


@dataclass
class LoadResult:
    edition: FrameworkEdition
    status: str  # "created", "unchanged" or "updated"


def _require_localized(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or any(
        not isinstance(value.get(lang), str) or not value[lang].strip() for lang in LANGUAGES
    ):
        raise EditionFileError(f"{where}: needs non-empty text in {', '.join(LANGUAGES)}")
    return {lang: value[lang].strip() for lang in LANGUAGES}


def interpretation_of(value: Any, where: str = "interpretation") -> dict[str, str]:
    """A pathway's interpretation note as stored: {"kk": .., "ru": .., "en": ..} without the empty languages. A plain
    text (the files before notes were translated) is English."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        return {"en": value.strip()}
    if not isinstance(value, dict) or any(
        language not in LANGUAGES or not isinstance(text, str | None) for language, text in value.items()
    ):
        raise EditionFileError(f"{where}: a text, or texts in {', '.join(LANGUAGES)}")
    return {language: value[language].strip() for language in LANGUAGES if (value.get(language) or "").strip()}


def _require(mapping: dict, key: str, where: str) -> Any:
    if key not in mapping or mapping[key] in (None, ""):
        raise EditionFileError(f"{where}: missing {key!r}")
    return mapping[key]


def validate_edition(data: Any) -> dict[str, Any]:
    """Check an edition's structure; raise EditionFileError naming the first problem found."""
    if not isinstance(data, dict) or data.get("schema") != 1:
        raise EditionFileError("not a framework edition file (schema: 1 expected)")
    edition = _require(data, "edition", "file")
    _require(edition, "code", "edition")
    _require_localized(_require(edition, "title", "edition"), "edition.title")
    _require(edition, "jurisdiction", "edition")
    if not isinstance(_require(edition, "in_force_from", "edition"), date):
        raise EditionFileError("edition.in_force_from: needs a date (YYYY-MM-DD)")
    if edition.get("in_force_to") is not None and not isinstance(edition["in_force_to"], date):
        raise EditionFileError("edition.in_force_to: needs a date (YYYY-MM-DD) or nothing")
    levels = _require(data, "levels", "file")
    numbers = [level.get("number") for level in levels]
    if len(set(numbers)) != len(numbers) or any(not isinstance(n, int) or not 1 <= n <= 8 for n in numbers):
        raise EditionFileError("levels: numbers must be distinct integers from 1 to 8")
    for level in levels:
        where = f"level {level['number']}"
        descriptors = _require(level, "descriptors", where)
        for kind in DESCRIPTOR_KINDS:
            _require_localized(descriptors.get(kind), f"{where}.descriptors.{kind}")
        _require_localized(level.get("pathways_text"), f"{where}.pathways_text")
        pathways = _require(level, "pathways", where)
        codes = [pathway.get("code") for pathway in pathways]
        if len(set(codes)) != len(codes):
            raise EditionFileError(f"{where}.pathways: codes must be distinct")
        for pathway in pathways:
            pwhere = f"{where}.pathway {pathway.get('code')}"
            _require(pathway, "code", pwhere)
            _require_localized(pathway.get("text"), f"{pwhere}.text")
            try:
                rules.validate(pathway.get("rule"), f"{pwhere}.rule")
            except rules.RuleError as exc:
                raise EditionFileError(str(exc)) from None
            interpretation_of(pathway.get("interpretation"), f"{pwhere}.interpretation")
    terms = data.get("terms") or []
    for term in terms:
        where = f"term {term.get('number')}"
        _require(term, "number", where)
        _require_localized(term.get("term"), f"{where}.term")
        _require_localized(term.get("definition"), f"{where}.definition")
    return data


def read_edition_file(path: str | Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EditionFileError(f"cannot read {path}: {exc}") from None
    return validate_edition(data)


def content_hash(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_edition(
    data: dict[str, Any], *, actor: Any = None, update: bool = False, edition_status: str = PUBLISHED
) -> LoadResult:
    """Create the edition, or leave it unchanged if the same content is loaded again.

    A different content under an existing code is refused unless ``update`` is given (a corrected translation,
    say); rows are matched by their natural keys, so their ids, and what refers to them, stay. ``edition_status``:
    what a new edition is (a draft, from the browser's editor; see ``framework/editing.py``).
    """
    validate_edition(data)
    meta = data["edition"]
    digest = content_hash(data)
    edition = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == meta["code"]))
    if edition is not None and edition.source_sha256 == digest:
        return LoadResult(edition, "unchanged")
    if edition is not None and not update:
        raise EditionFileError(
            f"edition {meta['code']!r} is already loaded with different content; "
            "load a new edition under a new code, or pass --update to correct this one"
        )
    status = "created" if edition is None else "updated"
    if edition is None:
        edition = FrameworkEdition(code=meta["code"], status=edition_status)
        db.session.add(edition)
    edition.title = _require_localized(meta["title"], "edition.title")
    edition.jurisdiction = meta["jurisdiction"]
    edition.in_force_from = meta["in_force_from"]
    edition.in_force_to = meta.get("in_force_to")
    edition.registration_number = str((meta.get("registration") or {}).get("number") or "") or None
    edition.corresponds_to = meta.get("corresponds_to")
    edition.legal_basis = json.loads(
        json.dumps(
            {key: meta.get(key) for key in ("approved_by", "amends", "registration", "repealed_by", "notes")}
            | {"corrections": data.get("corrections") or []},
            default=str,
        )
    )
    edition.source_sha256 = digest
    _sync_levels(edition, data["levels"])
    _sync_terms(edition, data.get("terms") or [])
    db.session.flush()
    audit.record("framework.load", edition, actor=actor, status=status, sha256=digest)
    return LoadResult(edition, status)


def _sync_levels(edition: FrameworkEdition, levels: list[dict[str, Any]]) -> None:
    # Each collection is assigned once, after its members are built, so rows kept by natural key are never
    # orphaned in between (and autoflush cannot delete them halfway).
    with db.session.no_autoflush:
        existing = {level.number: level for level in edition.levels}
        new_levels = []
        for item in sorted(levels, key=lambda level: level["number"]):
            level = existing.get(item["number"]) or FrameworkLevel(number=item["number"])
            level.eqf_level = item.get("eqf_level")
            level.pathways_text = _require_localized(item["pathways_text"], "pathways_text")
            descriptors = {descriptor.kind: descriptor for descriptor in level.descriptors}
            new_descriptors = []
            for position, kind in enumerate(DESCRIPTOR_KINDS):
                descriptor = descriptors.get(kind) or LevelDescriptor(kind=kind)
                descriptor.position = position
                descriptor.text = _require_localized(item["descriptors"][kind], kind)
                new_descriptors.append(descriptor)
            level.descriptors = new_descriptors
            pathways = {pathway.code: pathway for pathway in level.pathways}
            new_pathways = []
            for position, entry in enumerate(item["pathways"]):
                pathway = pathways.get(str(entry["code"])) or Pathway(code=str(entry["code"]))
                pathway.position = position
                pathway.text = _require_localized(entry["text"], "pathway.text")
                pathway.rule = entry["rule"]
                pathway.interpretation = interpretation_of(entry.get("interpretation"))
                new_pathways.append(pathway)
            level.pathways = new_pathways
            new_levels.append(level)
        edition.levels = new_levels


def _sync_terms(edition: FrameworkEdition, terms: list[dict[str, Any]]) -> None:
    with db.session.no_autoflush:
        existing = {term.number: term for term in edition.terms}
        new_terms = []
        for item in sorted(terms, key=lambda term: term["number"]):
            term = existing.get(item["number"]) or GlossaryTerm(number=item["number"])
            term.term = _require_localized(item["term"], "term")
            term.definition = _require_localized(item["definition"], "definition")
            new_terms.append(term)
        edition.terms = new_terms


def bundled_edition_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.yaml"))


def current_edition(day: date | None = None) -> FrameworkEdition | None:
    """The published edition in force on ``day`` (today by default); failing that, the most recent one published."""
    day = day or centre_today()
    editions = published_editions()
    return next((edition for edition in editions if edition.in_force_on(day)), editions[0] if editions else None)


def edition_in_force(day: date | None = None) -> FrameworkEdition | None:
    """The published edition in force on ``day`` by its dates, or None: no fallback (see ``current_edition`` for
    pages). Drafts are never in force."""
    day = day or centre_today()
    editions = db.session.scalars(
        select(FrameworkEdition)
        .where(FrameworkEdition.status == PUBLISHED)
        .order_by(FrameworkEdition.in_force_from.desc())
    ).all()
    return next((edition for edition in editions if edition.in_force_on(day)), None)


def last_edition_begun(day: date | None = None) -> FrameworkEdition | None:
    """The most recent published edition that had come into force by ``day`` (in force or repealed since)."""
    day = day or centre_today()
    return db.session.scalar(
        select(FrameworkEdition)
        .where(FrameworkEdition.status == PUBLISHED, FrameworkEdition.in_force_from <= day)
        .order_by(FrameworkEdition.in_force_from.desc())
        .limit(1)
    )


def published_editions() -> list[FrameworkEdition]:
    """The editions the public sees (drafts are not), the latest first: the history of the framework."""
    return list(
        db.session.scalars(
            select(FrameworkEdition)
            .where(FrameworkEdition.status == PUBLISHED)
            .order_by(FrameworkEdition.in_force_from.desc(), FrameworkEdition.id.desc())
        )
    )


def edition_by_code(code: str, *, drafts: bool = False) -> FrameworkEdition | None:
    statement = select(FrameworkEdition).where(FrameworkEdition.code == code)
    if not drafts:
        statement = statement.where(FrameworkEdition.status == PUBLISHED)
    return db.session.scalar(statement)
