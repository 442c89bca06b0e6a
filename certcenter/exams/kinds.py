"""What each kind of question is: what its content must hold, what an answer to it may look like, and how an answer
is marked. Every other part of exams (the editor, the imports, saving, marking) asks here."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from certcenter.core.errors import UserError
from certcenter.exams.models import CHOICE_KINDS, MATCHING, MULTIPLE, NUMERIC, SHORT_TEXT, SINGLE, TRUE_FALSE

REQUIRED_LANGUAGES = ("kk", "ru")
LANGUAGES = ("kk", "ru", "en")
MAX_RESPONSE_CHARS = 500
OPTION_IDS = "ABCDEFGHIJKLMNOP"
TRUE_FALSE_OPTIONS = [
    {"id": "T", "text": {"kk": "Дұрыс", "ru": "Верно", "en": "True"}},
    {"id": "F", "text": {"kk": "Бұрыс", "ru": "Неверно", "en": "False"}},
]


class ResponseError(UserError):
    """An answer that does not fit its question (a tampered or broken client)."""

    status = 400


@dataclass(frozen=True)
class Content:
    """A question version's content as the editor and the imports give it."""

    kind: str
    stem: dict[str, str]
    options: list | dict
    key: dict[str, Any]
    points: int = 1


def content_problems(content: Content) -> list[str]:
    """What is wrong with the content for its kind (empty if nothing). Kazakh and Russian are checked by
    ``approval_problems``: a draft may still lack one of them."""
    problems: list[str] = []
    if not any((content.stem.get(language) or "").strip() for language in LANGUAGES):
        problems.append(str(_l("Write the question.")))
    if not isinstance(content.points, int) or not 1 <= content.points <= 100:
        problems.append(str(_l("Points are a whole number from 1 to 100.")))
    kind, options, key = content.kind, content.options, content.key
    if kind in CHOICE_KINDS:
        ids = [option.get("id") for option in options] if isinstance(options, list) else []
        if kind != TRUE_FALSE and len(ids) < 2:
            problems.append(str(_l("A choice question needs at least two options.")))
        if len(set(ids)) != len(ids):
            problems.append(str(_l("Two options have the same identifier.")))
        if isinstance(options, list) and any(not _has_text(option.get("text")) for option in options):
            problems.append(str(_l("Every option needs its text.")))
        correct = key.get("correct") or []
        if not correct or any(item not in ids for item in correct):
            problems.append(str(_l("Mark the correct option.")))
        elif kind in (SINGLE, TRUE_FALSE) and len(correct) != 1:
            problems.append(str(_l("A single-choice question has exactly one correct option.")))
    elif kind == NUMERIC:
        value, tolerance = key.get("value"), key.get("tolerance", 0)
        if not _is_number(value):
            problems.append(str(_l("Give the correct number.")))
        if not _is_number(tolerance) or float(tolerance) < 0:
            problems.append(str(_l("The tolerance is a number of zero or more.")))
    elif kind == MATCHING:
        left = options.get("left", []) if isinstance(options, dict) else []
        right = options.get("right", []) if isinstance(options, dict) else []
        pairs = key.get("pairs") or {}
        if len(left) < 2:
            problems.append(str(_l("A matching question needs at least two pairs.")))
        if any(not _has_text(option.get("text")) for option in left + right):
            problems.append(str(_l("Every option needs its text.")))
        left_ids, right_ids = {option.get("id") for option in left}, {option.get("id") for option in right}
        if set(pairs) != left_ids or not set(pairs.values()) <= right_ids:
            problems.append(str(_l("Match every item on the left with one on the right.")))
    elif kind == SHORT_TEXT:
        if not [answer for answer in key.get("accepted") or [] if normalize_text(answer)]:
            problems.append(str(_l("Give at least one accepted answer.")))
    else:
        problems.append(str(_l("Unknown kind of question.")))
    return problems


def approval_problems(content: Content) -> list[str]:
    """What keeps the content from being approved: its own problems, and the Kazakh or Russian text missing."""
    problems = content_problems(content)
    texts = [content.stem]
    if content.kind in CHOICE_KINDS and isinstance(content.options, list):
        texts += [option.get("text") or {} for option in content.options]
    if content.kind == MATCHING and isinstance(content.options, dict):
        texts += [option.get("text") or {} for side in ("left", "right") for option in content.options.get(side, [])]
    for language in REQUIRED_LANGUAGES:
        if any(not (text.get(language) or "").strip() for text in texts):
            problems.append(str(_l("The question needs its text in Kazakh and in Russian.")))
            break
    return problems


def _has_text(text: Any) -> bool:
    return isinstance(text, dict) and any((text.get(language) or "").strip() for language in LANGUAGES)


def _is_number(value: Any) -> bool:
    try:
        return value is not None and not isinstance(value, bool) and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def parse_number(text: Any) -> float | None:
    """A number as people type it: "12,5", "12.5", " 1 200 "."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text) if math.isfinite(float(text)) else None
    cleaned = re.sub(r"[\s\u00a0]", "", str(text or "")).replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def normalize_text(text: Any) -> str:
    """Short-text answers compare without case, surrounding or repeated spaces, or Unicode form differences."""
    return " ".join(unicodedata.normalize("NFKC", str(text or "")).casefold().split())


# --- answers --------------------------------------------------------------------------------------------------------


def normalize_response(raw: Any) -> Any:
    """An answer in its stored form, whatever the question (``clean_response`` then checks it fits the question):
    text stripped, chosen options sorted once each, matching pairs without the empty ones, nothing as None."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        raw = str(raw)
    if isinstance(raw, str):
        raw = raw.strip()
    elif isinstance(raw, list):
        raw = sorted(set(raw)) if all(isinstance(item, str) for item in raw) else raw
    elif isinstance(raw, dict):
        raw = {key: value for key, value in raw.items() if value}
    return None if raw in ("", [], {}) else raw


def clean_response(kind: str, option_order: list | dict, raw: Any) -> Any:
    """The answer as it is stored, or None for "no answer"; ResponseError for one that does not fit the question."""
    if raw in (None, "", [], {}):
        return None
    if kind in (SINGLE, TRUE_FALSE):
        if not isinstance(raw, str) or raw not in option_order:
            raise ResponseError(_l("Unknown option."))
        return raw
    if kind == MULTIPLE:
        if not isinstance(raw, list) or not all(isinstance(item, str) and item in option_order for item in raw):
            raise ResponseError(_l("Unknown option."))
        return sorted(set(raw)) or None
    if kind == MATCHING:
        left, right = option_order.get("left", []), option_order.get("right", [])
        if not isinstance(raw, dict) or not all(k in left and (v in right or v == "") for k, v in raw.items()):
            raise ResponseError(_l("Unknown option."))
        pairs = {k: v for k, v in raw.items() if v}
        return pairs or None
    if kind in (NUMERIC, SHORT_TEXT):
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise ResponseError(_l("An answer is text."))
        text = str(raw).strip()
        if len(text) > MAX_RESPONSE_CHARS:
            raise ResponseError(_l("The answer is too long."))
        return text or None
    raise ResponseError(_l("Unknown kind of question."))


@dataclass(frozen=True)
class Mark:
    score: float
    needs_review: bool = False


def mark(kind: str, key: dict[str, Any], points: int, response: Any) -> Mark:
    """The automatic mark of an answer: all or nothing. A short text that matches no accepted answer is not wrong
    yet: an assessor decides (``needs_review``)."""
    if response in (None, "", [], {}):
        return Mark(0.0)
    if kind in (SINGLE, TRUE_FALSE):
        right = [response] == list(key.get("correct") or [])
    elif kind == MULTIPLE:
        right = sorted(response) == sorted(key.get("correct") or [])
    elif kind == NUMERIC:
        value = parse_number(response)
        right = value is not None and abs(value - float(key["value"])) <= float(key.get("tolerance") or 0) + 1e-9
    elif kind == MATCHING:
        right = response == dict(key.get("pairs") or {})
    elif kind == SHORT_TEXT:
        accepted = {normalize_text(answer) for answer in key.get("accepted") or []}
        if normalize_text(response) in accepted:
            return Mark(float(points))
        return Mark(0.0, needs_review=True)
    else:
        right = False
    return Mark(float(points) if right else 0.0)
