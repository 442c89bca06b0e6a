"""The bank as QTI 3.0 items, in and out, so that a centre can bring its bank from TAO or Moodle and take it away.

Out: an IMS content package (ZIP): ``imsmanifest.xml`` naming each item with its unit and descriptor as LOM
keywords, and one ``qti-assessment-item`` per question. Choice questions (single, multiple, true/false) are
``qti-choice-interaction`` with ``match_correct`` processing; a numeric answer is a ``qti-text-entry-interaction`` of
base type float whose processing compares with the tolerance (``qti-equal tolerance-mode="absolute"``); a short
text is a string text entry with the accepted answers in its mapping (``map_response``); matching is a
``qti-match-interaction`` of directed pairs. Each text carries its languages as ``<span xml:lang="kk">`` and so on.

In: a package or a single item. Uploads are untrusted: parsed by defusedxml (no DTD, no entities, no external
references), with limits on the size of the archive, of each file and on the number of items; an interaction
certcenter does not have is reported by file, and nothing is imported unless every item is understood. Text not
marked with a language is taken to be in the language the importer names (or the item's ``xml:lang``)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certcenter.accounts.models import User
from certcenter.exams import kinds, services
from certcenter.exams.models import (
    CHOICE_KINDS,
    MATCHING,
    MULTIPLE,
    NUMERIC,
    RETIRED,
    SHORT_TEXT,
    SINGLE,
    TRUE_FALSE,
    Question,
)
from certcenter.exams.transfer import ImportProblems, Problem
from certcenter.extensions import db
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS
from certcenter.qualifications.models import Qualification

QTI = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
LOM = "http://ltsc.ieee.org/xsd/LOM"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ITEM_TYPE = "imsqti_item_xmlv3p0"
MATCH_CORRECT = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
MAP_RESPONSE = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_ITEM_BYTES = 1024 * 1024
MAX_ITEMS = 2000
SKIPPED_IN_STEM = {"qti-simple-choice", "qti-simple-associable-choice", "qti-feedback-inline", "qti-feedback-block",
                   "qti-modal-feedback", "qti-simple-match-set"}  # fmt: skip

ET.register_namespace("", QTI)


def q(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


# --- out ------------------------------------------------------------------------------------------------------------


def _texts(parent: ET.Element, text: dict[str, str]) -> None:
    for language in kinds.LANGUAGES:
        if (text.get(language) or "").strip():
            span = ET.SubElement(parent, "span", {XML_LANG: language})
            span.text = text[language]


def item_xml(question: Question) -> bytes:
    version = question.current
    kind = question.kind
    root = ET.Element(
        q("qti-assessment-item"),
        {"identifier": question.code, "title": question.code, "adaptive": "false", "time-dependent": "false"},
    )
    cardinality = "multiple" if kind in (MULTIPLE, MATCHING) else "single"
    base_type = {NUMERIC: "float", SHORT_TEXT: "string", MATCHING: "directedPair"}.get(kind, "identifier")
    declaration = ET.SubElement(
        root,
        q("qti-response-declaration"),
        {"identifier": "RESPONSE", "cardinality": cardinality, "base-type": base_type},
    )
    correct = ET.SubElement(declaration, q("qti-correct-response"))
    if kind in CHOICE_KINDS:
        values = version.key["correct"]
    elif kind == NUMERIC:
        values = [repr(float(version.key["value"]))]
    elif kind == MATCHING:
        values = [f"{left} {right}" for left, right in version.key["pairs"].items()]
    else:
        values = version.key["accepted"][:1]
    for value in values:
        ET.SubElement(correct, q("qti-value")).text = value
    if kind == SHORT_TEXT:
        mapping = ET.SubElement(declaration, q("qti-mapping"), {"default-value": "0"})
        for answer in version.key["accepted"]:
            ET.SubElement(
                mapping,
                q("qti-map-entry"),
                {"map-key": answer, "mapped-value": str(version.points), "case-sensitive": "false"},
            )
    ET.SubElement(
        root,
        q("qti-outcome-declaration"),
        {"identifier": "SCORE", "cardinality": "single", "base-type": "float", "normal-maximum": str(version.points)},
    )
    body = ET.SubElement(root, q("qti-item-body"))
    stem = ET.SubElement(body, "div", {"class": "stem"})
    _texts(stem, version.stem)
    if kind in CHOICE_KINDS:
        interaction = ET.SubElement(
            body,
            q("qti-choice-interaction"),
            {"response-identifier": "RESPONSE", "shuffle": "true", "max-choices": "0" if kind == MULTIPLE else "1"},
        )
        for option in version.options:
            _texts(ET.SubElement(interaction, q("qti-simple-choice"), {"identifier": option["id"]}), option["text"])
    elif kind == MATCHING:
        left, right = version.options["left"], version.options["right"]
        interaction = ET.SubElement(
            body,
            q("qti-match-interaction"),
            {"response-identifier": "RESPONSE", "shuffle": "true", "max-associations": str(len(left))},
        )
        for side in (left, right):
            match_set = ET.SubElement(interaction, q("qti-simple-match-set"))
            for option in side:
                choice = ET.SubElement(
                    match_set, q("qti-simple-associable-choice"), {"identifier": option["id"], "match-max": "1"}
                )
                _texts(choice, option["text"])
    else:
        paragraph = ET.SubElement(body, "p")
        ET.SubElement(
            paragraph, q("qti-text-entry-interaction"), {"response-identifier": "RESPONSE", "expected-length": "20"}
        )
    if kind == NUMERIC:
        _numeric_processing(root, version.key, version.points)
    else:
        ET.SubElement(
            root, q("qti-response-processing"), {"template": MAP_RESPONSE if kind == SHORT_TEXT else MATCH_CORRECT}
        )
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _numeric_processing(root: ET.Element, key: dict[str, Any], points: int) -> None:
    processing = ET.SubElement(root, q("qti-response-processing"))
    condition = ET.SubElement(processing, q("qti-response-condition"))
    branch = ET.SubElement(condition, q("qti-response-if"))
    tolerance = repr(float(key.get("tolerance") or 0))
    equal = ET.SubElement(
        branch, q("qti-equal"), {"tolerance-mode": "absolute", "tolerance": f"{tolerance} {tolerance}"}
    )
    ET.SubElement(equal, q("qti-variable"), {"identifier": "RESPONSE"})
    ET.SubElement(equal, q("qti-correct"), {"identifier": "RESPONSE"})
    set_score = ET.SubElement(branch, q("qti-set-outcome-value"), {"identifier": "SCORE"})
    ET.SubElement(set_score, q("qti-base-value"), {"base-type": "float"}).text = str(points)


def export_package(qualification: Qualification) -> bytes:
    questions = db.session.scalars(
        select(Question)
        .where(Question.qualification_id == qualification.id, Question.status != RETIRED)
        .options(selectinload(Question.versions), selectinload(Question.unit))
        .order_by(Question.id)
    ).all()
    ET.register_namespace("", CP)
    ET.register_namespace("imsmd", LOM)
    manifest = ET.Element(f"{{{CP}}}manifest", {"identifier": f"MANIFEST-{_safe(qualification.code)}"})
    metadata = ET.SubElement(manifest, f"{{{CP}}}metadata")
    ET.SubElement(metadata, f"{{{CP}}}schema").text = "QTI Package"
    ET.SubElement(metadata, f"{{{CP}}}schemaversion").text = "3.0.0"
    ET.SubElement(manifest, f"{{{CP}}}organizations")
    resources = ET.SubElement(manifest, f"{{{CP}}}resources")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for question in questions:
            href = f"items/{_safe(question.code)}.xml"
            archive.writestr(href, item_xml(question))
            resource = ET.SubElement(
                resources,
                f"{{{CP}}}resource",
                {"identifier": f"R-{_safe(question.code)}", "type": ITEM_TYPE, "href": href},
            )
            lom = ET.SubElement(ET.SubElement(resource, f"{{{CP}}}metadata"), f"{{{LOM}}}lom")
            general = ET.SubElement(lom, f"{{{LOM}}}general")
            for keyword in (f"unit:{question.unit.code}", f"descriptor:{question.descriptor}"):
                ET.SubElement(ET.SubElement(general, f"{{{LOM}}}keyword"), f"{{{LOM}}}string").text = keyword
            ET.SubElement(resource, f"{{{CP}}}file", {"href": href})
        archive.writestr("imsmanifest.xml", ET.tostring(manifest, encoding="utf-8", xml_declaration=True))
    ET.register_namespace("", QTI)
    return buffer.getvalue()


def _safe(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", code)


# --- in -------------------------------------------------------------------------------------------------------------


class ItemError(ValueError):
    pass


def _parse(content: bytes) -> ET.Element:
    if len(content) > MAX_ITEM_BYTES:
        raise ItemError(str(_l("The file is larger than %(size)s MB.", size=MAX_ITEM_BYTES // 1024 // 1024)))
    try:
        return SafeET.fromstring(content, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise ItemError(str(_l("Not well-formed or unsafe XML: %(error)s", error=str(exc)[:200]))) from None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(element: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in element.iter() if _local(child.tag) == name), None)


def _find_all(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element.iter() if _local(child.tag) == name]


def _text_by_language(element: ET.Element, default: str, skip: set[str] = frozenset()) -> dict[str, str]:
    """The element's text per language: a descendant's xml:lang says its language, anything else is ``default``."""
    parts: dict[str, list[str]] = {}

    def walk(node: ET.Element, language: str) -> None:
        if _local(node.tag) in skip:
            return
        language = node.get(XML_LANG, language)
        language = language.split("-")[0].lower() if language else default
        if node.text and node.text.strip():
            parts.setdefault(language, []).append(node.text.strip())
        for child in node:
            walk(child, language)
            if child.tail and child.tail.strip():
                parts.setdefault(language, []).append(child.tail.strip())

    walk(element, default)
    return {
        language: " ".join(" ".join(words).split()) for language, words in parts.items() if language in kinds.LANGUAGES
    }


def parse_item(content: bytes, *, default_language: str) -> tuple[str, kinds.Content]:
    """The item's identifier and content; ItemError when it is not an item certcenter can hold."""
    root = _parse(content)
    if _local(root.tag) != "qti-assessment-item":
        raise ItemError(str(_l("Not a QTI 3.0 item (qti-assessment-item).")))
    identifier = (root.get("identifier") or "").strip()
    language = (root.get(XML_LANG) or default_language).split("-")[0].lower()
    language = language if language in kinds.LANGUAGES else default_language
    body = _find(root, "qti-item-body")
    declaration = _find(root, "qti-response-declaration")
    if body is None or declaration is None:
        raise ItemError(str(_l("The item has no body or no response declaration.")))
    points = _points(root)
    correct_response = _find(declaration, "qti-correct-response")
    correct = (
        [(v.text or "").strip() for v in _find_all(correct_response, "qti-value")]
        if correct_response is not None
        else []
    )
    stem = _text_by_language(body, language, SKIPPED_IN_STEM)
    choice, text_entry, match = (
        _find(body, name) for name in ("qti-choice-interaction", "qti-text-entry-interaction", "qti-match-interaction")
    )
    interactions = [i for i in (choice, text_entry, match) if i is not None]
    others = {_local(e.tag) for e in body.iter() if _local(e.tag).endswith("-interaction")} - {
        "qti-choice-interaction", "qti-text-entry-interaction", "qti-match-interaction"}  # fmt: skip
    if len(interactions) != 1 or others or len(_find_all(body, "qti-text-entry-interaction")) > 1:
        raise ItemError(str(_l("Only items with one choice, text entry or match interaction can be imported.")))
    if choice is not None:
        options = [
            {
                "id": (option.get("identifier") or "").strip(),
                "text": _text_by_language(option, language, {"qti-feedback-inline"}),
            }
            for option in _find_all(choice, "qti-simple-choice")
        ]
        ids = [option["id"] for option in options]
        multiple = declaration.get("cardinality") == "multiple" or choice.get("max-choices", "1") != "1"
        kind = MULTIPLE if multiple else TRUE_FALSE if sorted(ids) == ["F", "T"] else SINGLE
        if kind == TRUE_FALSE:
            options = kinds.TRUE_FALSE_OPTIONS
        content = kinds.Content(kind, stem, options, {"correct": sorted(correct)}, points)
    elif match is not None:
        sets = _find_all(match, "qti-simple-match-set")
        if len(sets) != 2:
            raise ItemError(str(_l("A match interaction needs two sets.")))
        left, right = (
            [{"id": o.get("identifier", ""), "text": _text_by_language(o, language)}
             for o in _find_all(match_set, "qti-simple-associable-choice")]
            for match_set in sets
        )  # fmt: skip
        pairs = dict(value.split() for value in correct if len(value.split()) == 2)
        content = kinds.Content(MATCHING, stem, {"left": left, "right": right}, {"pairs": pairs}, points)
    else:
        base_type = declaration.get("base-type", "string")
        if base_type in ("float", "integer"):
            value = kinds.parse_number(correct[0]) if correct else None
            equal = _find(root, "qti-equal")
            tolerance = 0.0
            if equal is not None and equal.get("tolerance-mode") == "absolute":
                tolerance = kinds.parse_number((equal.get("tolerance") or "0").split()[0]) or 0.0
            content = kinds.Content(NUMERIC, stem, [], {"value": value, "tolerance": tolerance}, points)
        else:
            accepted = list(correct)
            for entry in _find_all(declaration, "qti-map-entry"):
                key = (entry.get("map-key") or "").strip()
                if key and (kinds.parse_number(entry.get("mapped-value")) or 0) > 0 and key not in accepted:
                    accepted.append(key)
            content = kinds.Content(SHORT_TEXT, stem, [], {"accepted": accepted}, points)
    problems = kinds.content_problems(content)
    if problems:
        raise ItemError(problems[0])
    return identifier, content


def _points(root: ET.Element) -> int:
    for outcome in _find_all(root, "qti-outcome-declaration"):
        if outcome.get("identifier") == "SCORE":
            maximum = kinds.parse_number(outcome.get("normal-maximum"))
            if maximum and maximum >= 1 and float(maximum).is_integer():
                return min(int(maximum), 100)
    return 1


def _package_items(content: bytes) -> tuple[list[tuple[str, bytes, dict[str, str]]], list[Problem]]:
    """(file name, bytes, metadata) of each item of a package, or of the single item uploaded."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        return [("item.xml", content, {})], []
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return [], [Problem(0, None, str(_l("The ZIP archive cannot be read.")))]
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ITEMS + 10 or sum(entry.file_size for entry in entries) > MAX_ARCHIVE_BYTES:
            return [], [Problem(0, None, str(_l("The package is too large.")))]
        names = {entry.filename for entry in entries}
        hrefs: list[tuple[str, dict[str, str]]] = []
        if "imsmanifest.xml" in names:
            try:
                manifest = _parse(archive.read("imsmanifest.xml"))
            except ItemError as exc:
                return [], [Problem(0, None, f"imsmanifest.xml: {exc}")]
            for resource in _find_all(manifest, "resource"):
                if (resource.get("type") or "").startswith("imsqti_item") and resource.get("href"):
                    keywords = [(s.text or "").strip() for s in _find_all(resource, "string")]
                    meta = dict(k.split(":", 1) for k in keywords if k.startswith(("unit:", "descriptor:")))
                    hrefs.append((resource.get("href"), meta))
        else:
            hrefs = [(name, {}) for name in sorted(names) if name.lower().endswith(".xml")]
        items, problems = [], []
        for href, meta in hrefs[: MAX_ITEMS + 1]:
            if href not in names:
                problems.append(
                    Problem(0, None, f"{href}: " + str(_l("named in the manifest but not in the package.")))
                )
                continue
            info = archive.getinfo(href)
            if info.file_size > MAX_ITEM_BYTES:
                problems.append(Problem(0, None, f"{href}: " + str(_l("The file is larger than %(size)s MB.", size=1))))
                continue
            items.append((href, archive.read(href), meta))
        if len(hrefs) > MAX_ITEMS:
            problems.append(Problem(0, None, str(_l("At most %(count)s questions at once.", count=MAX_ITEMS))))
        return items, problems


def import_upload(
    qualification: Qualification, content: bytes, *, actor: User, unit_id: int, descriptor: str, language: str
) -> list[Question]:
    """Import every item as a draft; ImportProblems (by file) and nothing imported if any item is not understood."""
    if descriptor not in DESCRIPTOR_KINDS:
        raise ImportProblems([Problem(0, None, str(_l("Choose the NQF descriptor the question tests.")))])
    files, problems = _package_items(content)
    units = {unit.code: unit.id for unit in qualification.units}
    existing = set(db.session.scalars(select(Question.code).where(Question.qualification_id == qualification.id)))
    parsed = []
    for number, (name, data, meta) in enumerate(files, start=1):
        try:
            identifier, item = parse_item(data, default_language=language)
        except ItemError as exc:
            problems.append(Problem(number, None, f"{name}: {exc}"))
            continue
        if identifier in existing:
            problems.append(
                Problem(
                    number, None, f"{name}: " + str(_l("A question with this code is already in the bank or the file."))
                )
            )
            continue
        existing.add(identifier)
        item_descriptor = meta.get("descriptor") if meta.get("descriptor") in DESCRIPTOR_KINDS else descriptor
        parsed.append((identifier, item, units.get(meta.get("unit", ""), unit_id), item_descriptor))
    if not files and not problems:
        problems.append(Problem(0, None, str(_l("The package has no items."))))
    if problems:
        raise ImportProblems(problems)
    return [
        services.create_question(
            qualification,
            actor=actor,
            unit_id=item_unit,
            descriptor=item_descriptor,
            content=item,
            code=identifier[:64] or None,
            audit_action="exams.question_import",
        )
        for identifier, item, item_unit, item_descriptor in parsed
    ]
