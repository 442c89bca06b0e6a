"""Editions made in the browser: a draft copied from an edition, its texts edited in kk/ru/en, compared with the
edition it came from, published (then frozen); any edition exported as the YAML data file, and a file imported as a
draft. Every change goes through ``services.load_edition``, so a draft passes the same checks as a bundled file."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l

from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_today
from certcenter.core.models import utcnow
from certcenter.framework import rules
from certcenter.framework.models import DRAFT, PUBLISHED, FrameworkEdition
from certcenter.framework.services import (
    LANGUAGES,
    EditionFileError,
    content_hash,
    edition_by_code,
    load_edition,
    validate_edition,
)
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS

YAML_MAX_BYTES = 2 * 1024 * 1024


class EditingError(UserError):
    """A refused change to an edition."""


def export_edition(edition: FrameworkEdition) -> dict[str, Any]:
    """The edition as its data file says it (schema 1): what ``load_edition`` reads back into the same rows."""
    legal = edition.legal_basis or {}
    meta: dict[str, Any] = {
        "code": edition.code,
        "title": dict(edition.title),
        "jurisdiction": edition.jurisdiction,
        "in_force_from": edition.in_force_from,
        "in_force_to": edition.in_force_to,
    }
    if edition.corresponds_to:
        meta["corresponds_to"] = edition.corresponds_to
    for key in ("approved_by", "amends", "registration", "repealed_by", "notes"):
        if legal.get(key) is not None:
            meta[key] = copy.deepcopy(legal[key])
    return {
        "schema": 1,
        "edition": meta,
        "corrections": copy.deepcopy(legal.get("corrections") or []),
        "levels": [
            {
                "number": level.number,
                "eqf_level": level.eqf_level,
                "descriptors": {descriptor.kind: dict(descriptor.text) for descriptor in level.descriptors},
                "pathways_text": dict(level.pathways_text),
                "pathways": [
                    {"code": pathway.code, "text": dict(pathway.text), "rule": copy.deepcopy(pathway.rule)}
                    | ({"interpretation": dict(pathway.interpretation)} if pathway.interpretation else {})
                    for pathway in level.pathways
                ],
            }
            for level in edition.levels
        ],
        "terms": [
            {"number": term.number, "term": dict(term.term), "definition": dict(term.definition)}
            for term in edition.terms
        ],
    }


def export_yaml(edition: FrameworkEdition) -> str:
    return yaml.safe_dump(export_edition(edition), allow_unicode=True, sort_keys=False, width=100)


def _load_draft(data: dict[str, Any], *, actor: Any, derived_from: FrameworkEdition | None) -> FrameworkEdition:
    try:
        result = load_edition(data, actor=actor, update=True, edition_status=DRAFT)
    except EditionFileError as error:
        raise EditingError(_l("The edition is not valid: %(problem)s", problem=str(error))) from None
    edition = result.edition
    if derived_from is not None:
        edition.derived_from = derived_from
    return edition


def _refuse_published(code: str) -> None:
    existing = edition_by_code(code, drafts=True)
    if existing is not None and not existing.is_draft:
        raise EditingError(_l("A published edition is frozen: copy it to make a new one."))


def copy_edition(source: FrameworkEdition, *, code: str, actor: Any) -> FrameworkEdition:
    """A new draft with every text of ``source``, to be edited."""
    code = code.strip()
    if not code or edition_by_code(code, drafts=True) is not None:
        raise EditingError(_l("Choose a code no edition has yet."))
    data = export_edition(source)
    data["edition"]["code"] = code
    for key in ("registration", "repealed_by"):
        data["edition"].pop(key, None)
    data["edition"]["in_force_from"] = max(centre_today(), source.in_force_from + timedelta(days=1))
    data["edition"]["in_force_to"] = None
    data["corrections"] = []
    edition = _load_draft(data, actor=actor, derived_from=source)
    audit.record("framework.copy", edition, actor=actor, code=code, source=source.code)
    return edition


def edit_draft(edition: FrameworkEdition, form: dict[str, str], *, actor: Any) -> list[str]:
    """Save the texts and dates a draft's form sent (names as ``editor_fields`` gives them); returns what changed."""
    if not edition.is_draft:
        raise EditingError(_l("A published edition is frozen: copy it to make a new one."))
    before = export_edition(edition)
    data = copy.deepcopy(before)
    for path, _value in editor_fields(data):
        name = field_name(path)
        if name in form:
            _set(data, path, form[name].strip())
    for index, level in enumerate(data["levels"]):
        raw = (form.get(f"levels-{index}-eqf_level") or "").strip()
        if f"levels-{index}-eqf_level" in form:
            if raw and not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 8):
                raise EditingError(_l("The EQF level is a number from 1 to 8, or nothing."))
            level["eqf_level"] = int(raw) if raw else None
        for pindex, pathway in enumerate(level["pathways"]):
            name = f"levels-{index}-pathways-{pindex}-rule"
            if name in form:
                try:
                    pathway["rule"] = yaml.safe_load(form[name])
                except yaml.YAMLError:
                    raise EditingError(
                        _l("The rule of pathway %(code)s is not valid YAML.", code=pathway["code"])
                    ) from None
    for key in ("in_force_from", "in_force_to"):
        raw = (form.get(key) or "").strip()
        try:
            data["edition"][key] = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise EditingError(_l("Enter the dates as YYYY-MM-DD.")) from None
    if data["edition"]["in_force_from"] is None:
        raise EditingError(_l("The edition needs the date it comes into force."))
    to = data["edition"]["in_force_to"]
    if to is not None and to <= data["edition"]["in_force_from"]:
        raise EditingError(_l("The edition must end after it starts."))
    changed = [field_name(path) for path, value in editor_fields(before) if _get(data, path) != value]
    changed += [key for key in ("in_force_from", "in_force_to") if data["edition"][key] != before["edition"][key]]
    changed += [str(number) for number, (old, new) in enumerate(zip(before["levels"], data["levels"], strict=True))
                if (old["eqf_level"], [p["rule"] for p in old["pathways"]])
                != (new["eqf_level"], [p["rule"] for p in new["pathways"]])]  # fmt: skip
    if changed:
        _load_draft(data, actor=actor, derived_from=None)
        audit.record("framework.edit", edition, actor=actor, count=len(changed))
    return changed


# --- items added to and removed from a draft -------------------------------------------------------------------------
# Each verb changes the draft's data and loads it again through ``load_edition``, so a draft with an item more or less
# passes the same checks as a file; a published edition is refused.


def _draft_data(edition: FrameworkEdition) -> dict[str, Any]:
    if not edition.is_draft:
        raise EditingError(_l("A published edition is frozen: copy it to make a new one."))
    return export_edition(edition)


def _texts(values: dict[str, str] | None, message: Any, *, optional: bool = False) -> dict[str, str]:
    texts = {language: ((values or {}).get(language) or "").strip() for language in LANGUAGES}
    if optional and not any(texts.values()):
        return {}
    if not all(texts.values()):
        raise EditingError(message)
    return texts


def _level(data: dict[str, Any], number: int) -> dict[str, Any]:
    level = next((level for level in data["levels"] if level["number"] == number), None)
    if level is None:
        raise EditingError(_l("The edition has no level %(number)s.", number=number))
    return level


def parse_rule(source: str) -> dict[str, Any]:
    """A rule typed in the editor (YAML, or JSON, which YAML reads too), checked against the rule grammar."""
    try:
        rule = yaml.safe_load(source or "")
    except yaml.YAMLError:
        raise EditingError(_l("The rule is not valid YAML or JSON.")) from None
    try:
        rules.validate(rule)
    except rules.RuleError as error:
        raise EditingError(_l("The rule does not follow the rule grammar: %(problem)s", problem=str(error))) from None
    return rule


def add_term(edition: FrameworkEdition, term: dict[str, str], definition: dict[str, str], *, actor: Any) -> int:
    """A new glossary term after the last one; returns its number."""
    data = _draft_data(edition)
    entry = {
        "number": max((item["number"] for item in data["terms"]), default=0) + 1,
        "term": _texts(term, _l("Give the term in Kazakh, Russian and English.")),
        "definition": _texts(definition, _l("Give the definition in Kazakh, Russian and English.")),
    }
    data["terms"].append(entry)
    _load_draft(data, actor=actor, derived_from=None)
    audit.record("framework.term_add", edition, actor=actor, term_number=entry["number"], term=entry["term"])
    return entry["number"]


def remove_term(edition: FrameworkEdition, number: int, *, actor: Any) -> None:
    data = _draft_data(edition)
    removed = next((item for item in data["terms"] if item["number"] == number), None)
    if removed is None:
        raise EditingError(_l("The edition has no term %(number)s.", number=number))
    data["terms"].remove(removed)
    _load_draft(data, actor=actor, derived_from=None)
    audit.record("framework.term_remove", edition, actor=actor, term_number=number, term=removed["term"])


def add_pathway(
    edition: FrameworkEdition,
    level_number: int,
    *,
    code: str,
    text: dict[str, str],
    rule: str,
    interpretation: dict[str, str] | None = None,
    actor: Any,
) -> str:
    """A new pathway at the end of a level's; returns its code."""
    data = _draft_data(edition)
    level = _level(data, level_number)
    code = (code or "").strip()
    if not code or len(code) > 20 or any(character.isspace() for character in code):
        raise EditingError(_l("Give the pathway a short code without spaces, such as %(example)s.",
                              example=f"{level_number}.{len(level['pathways']) + 1}"))  # fmt: skip
    if code in {str(pathway["code"]) for pathway in level["pathways"]}:
        raise EditingError(_l("Level %(number)s already has a pathway %(code)s.", number=level_number, code=code))
    entry: dict[str, Any] = {
        "code": code,
        "text": _texts(text, _l("Give the pathway's wording in Kazakh, Russian and English.")),
        "rule": parse_rule(rule),
    }
    note = _texts(interpretation, _l("Give the interpretation in all three languages, or in none."), optional=True)
    if note:
        entry["interpretation"] = note
    level["pathways"].append(entry)
    _load_draft(data, actor=actor, derived_from=None)
    audit.record("framework.pathway_add", edition, actor=actor, nqf_level=level_number, pathway=code)
    return code


def remove_pathway(edition: FrameworkEdition, level_number: int, code: str, *, actor: Any) -> None:
    data = _draft_data(edition)
    level = _level(data, level_number)
    removed = next((pathway for pathway in level["pathways"] if str(pathway["code"]) == code), None)
    if removed is None:
        raise EditingError(_l("Level %(number)s has no pathway %(code)s.", number=level_number, code=code))
    if len(level["pathways"]) == 1:
        raise EditingError(_l("A level needs at least one pathway: add the new one before removing this one."))
    level["pathways"].remove(removed)
    _load_draft(data, actor=actor, derived_from=None)
    audit.record("framework.pathway_remove", edition, actor=actor, nqf_level=level_number, pathway=code)


def add_level(
    edition: FrameworkEdition,
    number: int,
    *,
    eqf_level: str = "",
    descriptors: dict[str, dict[str, str]],
    pathways_text: dict[str, str],
    pathway: dict[str, Any],
    actor: Any,
) -> None:
    """A level the draft lacks (the framework has levels 1 to 8), with its descriptors and its first pathway
    (``pathway``: code, text, rule, interpretation as ``add_pathway`` takes them)."""
    data = _draft_data(edition)
    if number not in missing_levels(data):
        raise EditingError(_l("Choose a level from 1 to 8 that the edition does not have yet."))
    raw = (eqf_level or "").strip()
    if raw and not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 8):
        raise EditingError(_l("The EQF level is a number from 1 to 8, or nothing."))
    code = (pathway.get("code") or "").strip()
    if not code or len(code) > 20 or any(character.isspace() for character in code):
        raise EditingError(_l("Give the pathway a short code without spaces, such as %(example)s.",
                              example=f"{number}.1"))  # fmt: skip
    first: dict[str, Any] = {
        "code": code,
        "text": _texts(pathway.get("text"), _l("Give the pathway's wording in Kazakh, Russian and English.")),
        "rule": parse_rule(pathway.get("rule") or ""),
    }
    note = _texts(pathway.get("interpretation"), _l("Give the interpretation in all three languages, or in none."),
                  optional=True)  # fmt: skip
    if note:
        first["interpretation"] = note
    level = {
        "number": number,
        "eqf_level": int(raw) if raw else None,
        "descriptors": {
            kind: _texts(descriptors.get(kind), _l("Give every descriptor in Kazakh, Russian and English."))
            for kind in DESCRIPTOR_KINDS
        },
        "pathways_text": _texts(pathways_text, _l("Give the ways to reach the level in Kazakh, Russian and English.")),
        "pathways": [first],
    }
    data["levels"] = sorted([*data["levels"], level], key=lambda item: item["number"])
    _load_draft(data, actor=actor, derived_from=None)
    audit.record("framework.level_add", edition, actor=actor, nqf_level=number)


def remove_level(edition: FrameworkEdition, number: int, *, actor: Any) -> None:
    data = _draft_data(edition)
    level = _level(data, number)
    if len(data["levels"]) == 1:
        raise EditingError(_l("An edition needs at least one level."))
    data["levels"].remove(level)
    _load_draft(data, actor=actor, derived_from=None)
    audit.record("framework.level_remove", edition, actor=actor, nqf_level=number)


def missing_levels(data: dict[str, Any]) -> list[int]:
    """The levels of the framework (1 to 8) an edition's data lacks: those the editor may add."""
    present = {level["number"] for level in data["levels"]}
    return [number for number in range(1, 9) if number not in present]


def publish(edition: FrameworkEdition, *, actor: Any) -> None:
    """The draft becomes public and frozen; applications made from now on may use its levels."""
    if not edition.is_draft:
        raise EditingError(_l("This edition is already published."))
    validate_edition(export_edition(edition))
    edition.status = PUBLISHED
    edition.published_at = utcnow()
    audit.record("framework.publish", edition, actor=actor, code=edition.code, sha256=edition.source_sha256)


def import_yaml(content: bytes, *, actor: Any) -> FrameworkEdition:
    """A data file uploaded: a new draft under its code, or the draft of that code replaced."""
    if len(content) > YAML_MAX_BYTES:
        raise EditingError(_l("The file is larger than 2 MB."))
    try:
        data = yaml.safe_load(content.decode("utf-8"))
        validate_edition(data)
    except (UnicodeDecodeError, yaml.YAMLError):
        raise EditingError(_l("The file is not a YAML framework edition.")) from None
    except EditionFileError as error:
        raise EditingError(_l("The edition is not valid: %(problem)s", problem=str(error))) from None
    _refuse_published(str(data["edition"]["code"]))
    edition = _load_draft(data, actor=actor, derived_from=None)
    audit.record("framework.import", edition, actor=actor, code=edition.code, sha256=content_hash(data))
    return edition


# --- the editor's fields and the comparison -------------------------------------------------------------------------


def editor_fields(data: dict[str, Any]) -> list[tuple[tuple, str]]:
    """Every text of an edition's data in the editor's order, as (path, text): path is a tuple of keys and indexes
    ending in the language."""
    fields = []
    for language in LANGUAGES:
        fields.append((("edition", "title", language), data["edition"]["title"][language]))
    for index, level in enumerate(data["levels"]):
        for kind in DESCRIPTOR_KINDS:
            for language in LANGUAGES:
                fields.append((("levels", index, "descriptors", kind, language), level["descriptors"][kind][language]))
        for language in LANGUAGES:
            fields.append((("levels", index, "pathways_text", language), level["pathways_text"][language]))
        for pindex, pathway in enumerate(level["pathways"]):
            for language in LANGUAGES:
                fields.append((("levels", index, "pathways", pindex, "text", language), pathway["text"][language]))
            for language in LANGUAGES:
                note = (pathway.get("interpretation") or {}).get(language) or ""
                fields.append((("levels", index, "pathways", pindex, "interpretation", language), note))
    for index, term in enumerate(data.get("terms") or []):
        for part in ("term", "definition"):
            for language in LANGUAGES:
                fields.append((("terms", index, part, language), term[part][language]))
    return fields


def rule_text(rule: Any) -> str:
    """A pathway's rule as the editor shows it: YAML, as in the edition file."""
    return yaml.safe_dump(rule, allow_unicode=True, sort_keys=False).strip()


def field_name(path: tuple) -> str:
    return "-".join(str(part) for part in path)


def _get(data: Any, path: tuple) -> Any:
    try:
        for part in path:
            data = data[part]
    except KeyError:  # an optional text not given (a pathway's interpretation)
        return ""
    return data


def _set(data: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {}) if isinstance(part, str) else data[part]
    data[path[-1]] = value


@dataclass
class Difference:
    where: tuple  # the path without the language
    language: str
    before: str | None
    after: str | None


def compare(edition: FrameworkEdition, source: FrameworkEdition | None) -> list[Difference]:
    """The texts of ``edition`` that differ from those of ``source`` (matched by level number, pathway code and
    term number, so that a level added or removed shows as such)."""
    if source is None:
        return []
    before, after = _keyed(export_edition(source)), _keyed(export_edition(edition))
    keys = sorted(set(before) | set(after), key=lambda key: [str(part) for part in key])
    return [
        Difference(key[:-1], key[-1], before.get(key), after.get(key))
        for key in keys
        if before.get(key) != after.get(key)
    ]


@dataclass
class ItemChange:
    kind: str  # "level", "pathway" or "term"
    key: tuple  # (number,), (level number, code) or (number,)
    added: bool  # False: removed
    label: dict[str, str] | None = None  # the term, or the pathway's wording, to show which it is


def item_changes(edition: FrameworkEdition, source: FrameworkEdition | None) -> list[ItemChange]:
    """The levels, pathways and glossary terms ``edition`` has and ``source`` has not, or the reverse."""
    if source is None:
        return []
    before, after = _items(export_edition(source)), _items(export_edition(edition))
    changes = [ItemChange(key[0], key[1:], True, after[key]) for key in after if key not in before]
    changes += [ItemChange(key[0], key[1:], False, before[key]) for key in before if key not in after]
    order = {"level": 0, "pathway": 1, "term": 2}
    return sorted(changes, key=lambda change: (order[change.kind], [str(part) for part in change.key], change.added))


def _items(data: dict[str, Any]) -> dict[tuple, dict[str, str] | None]:
    items: dict[tuple, dict[str, str] | None] = {}
    for level in data["levels"]:
        items[("level", level["number"])] = None
        for pathway in level["pathways"]:
            items[("pathway", level["number"], str(pathway["code"]))] = pathway["text"]
    for term in data.get("terms") or []:
        items[("term", term["number"])] = term["term"]
    return items


def _keyed(data: dict[str, Any]) -> dict[tuple, str]:
    texts = {}
    for language in LANGUAGES:
        texts[("title", language)] = data["edition"]["title"][language]
    for field in ("in_force_from", "in_force_to"):
        value = data["edition"].get(field)
        texts[(field, "")] = value.isoformat() if value else ""
    for level in data["levels"]:
        number = level["number"]
        for kind in DESCRIPTOR_KINDS:
            for language in LANGUAGES:
                texts[("level", number, kind, language)] = level["descriptors"][kind][language]
        for language in LANGUAGES:
            texts[("level", number, "pathways_text", language)] = level["pathways_text"][language]
        texts[("level", number, "eqf_level", "")] = str(level.get("eqf_level") or "")
        for pathway in level["pathways"]:
            for language in LANGUAGES:
                texts[("level", number, "pathway", pathway["code"], language)] = pathway["text"][language]
            texts[("level", number, "pathway_rule", pathway["code"], "")] = rule_text(pathway["rule"])
            for language, note in (pathway.get("interpretation") or {}).items():
                texts[("level", number, "pathway_interpretation", pathway["code"], language)] = note
    for term in data.get("terms") or []:
        for part in ("term", "definition"):
            for language in LANGUAGES:
                texts[("term", term["number"], part, language)] = term[part][language]
    return texts
