"""How a question is typed in. The editor's fields and the XLSX template's columns are the same: the text in each
language, the options one per line (for matching, "left | right" per line), the correct options by letter
("A" or "A, C"; "true" or "false"), the number and its tolerance, the accepted answers one per line."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from certcenter.exams import kinds
from certcenter.exams.models import CHOICE_KINDS, KINDS, MATCHING, NUMERIC, SHORT_TEXT, TRUE_FALSE

TRUE_WORDS = {"true", "t", "yes", "1", "дұрыс", "иә", "верно", "да", "истина"}
FALSE_WORDS = {"false", "f", "no", "0", "бұрыс", "жоқ", "неверно", "нет", "ложь"}
PAIR_SEPARATOR = " | "


def _lines(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def parse_fields(
    kind: str,
    *,
    stem: dict[str, str],
    options: dict[str, str],
    correct: str = "",
    value: Any = "",
    tolerance: Any = "",
    accepted: str = "",
    points: Any = 1,
) -> tuple[kinds.Content | None, dict[str, str]]:
    """The content, or the problems by field ("options", "correct", "value", "tolerance", "accepted", "points")."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        return None, {"kind": str(_l("Unknown kind of question."))}
    try:
        points_value = int(str(points).strip() or 1)
    except ValueError:
        points_value = 0
    if not 1 <= points_value <= 100:
        errors["points"] = str(_l("Points are a whole number from 1 to 100."))
    columns = {language: _lines(options.get(language)) for language in kinds.LANGUAGES}
    filled = {language: lines for language, lines in columns.items() if lines}
    option_list: list | dict = []
    key: dict[str, Any] = {}
    if (kind in CHOICE_KINDS and kind != TRUE_FALSE) or kind == MATCHING:
        counts = {len(lines) for lines in filled.values()}
        if len(counts) > 1:
            errors["options"] = str(_l("Each language needs the same number of lines."))
        count = max(counts, default=0)
        if count > len(kinds.OPTION_IDS):
            errors["options"] = str(_l("At most %(count)s options.", count=len(kinds.OPTION_IDS)))
            count = len(kinds.OPTION_IDS)
        texts = [
            {language: (filled[language][i] if i < len(filled[language]) else "") for language in filled}
            for i in range(count)
        ]
        if kind == MATCHING:
            left, right, pairs = [], [], {}
            for index, text in enumerate(texts):
                halves = {language: line.split("|", 1) for language, line in text.items()}
                if any(len(parts) != 2 or not parts[0].strip() or not parts[1].strip() for parts in halves.values()):
                    errors["options"] = str(_l("Write each pair as “left | right”."))
                    break
                left_id, right_id = f"L{index + 1}", f"R{index + 1}"
                left.append({"id": left_id, "text": {lang: parts[0].strip() for lang, parts in halves.items()}})
                right.append({"id": right_id, "text": {lang: parts[1].strip() for lang, parts in halves.items()}})
                pairs[left_id] = right_id
            option_list, key = {"left": left, "right": right}, {"pairs": pairs}
        else:
            option_list = [{"id": kinds.OPTION_IDS[i], "text": text} for i, text in enumerate(texts)]
            letters = [part.strip().upper() for part in str(correct or "").replace(";", ",").split(",") if part.strip()]
            if not letters or any(letter not in {o["id"] for o in option_list} for letter in letters):
                errors["correct"] = str(_l("Give the letters of the correct options, e.g. “A” or “A, C”."))
            key = {"correct": sorted(set(letters))}
    elif kind == TRUE_FALSE:
        option_list = kinds.TRUE_FALSE_OPTIONS
        word = str(correct or "").strip().casefold()
        if word in TRUE_WORDS:
            key = {"correct": ["T"]}
        elif word in FALSE_WORDS:
            key = {"correct": ["F"]}
        else:
            errors["correct"] = str(_l("Write “true” or “false”."))
    elif kind == NUMERIC:
        number = kinds.parse_number(value)
        spread = kinds.parse_number(tolerance) if str(tolerance or "").strip() else 0.0
        if number is None:
            errors["value"] = str(_l("Give the correct number."))
        if spread is None or spread < 0:
            errors["tolerance"] = str(_l("The tolerance is a number of zero or more."))
        key = {"value": number, "tolerance": spread or 0.0}
    elif kind == SHORT_TEXT:
        answers = _lines(accepted)
        if not answers:
            errors["accepted"] = str(_l("Give at least one accepted answer."))
        key = {"accepted": answers}
    if errors:
        return None, errors
    content = kinds.Content(
        kind, {lang: (stem.get(lang) or "").strip() for lang in kinds.LANGUAGES}, option_list, key, points_value
    )
    problems = kinds.content_problems(content)
    if problems:
        return None, {"stem": problems[0]}
    return content, {}


def fields_of(content: kinds.Content) -> dict[str, Any]:
    """The editor's (and the XLSX row's) fields of a content: ``parse_fields`` gives it back."""
    options: dict[str, str] = {}
    correct = value = tolerance = accepted = ""
    if content.kind == MATCHING:
        right = {option["id"]: option["text"] for option in content.options["right"]}
        pairs = content.key["pairs"]
        for language in kinds.LANGUAGES:
            lines = [
                f"{option['text'].get(language, '')}{PAIR_SEPARATOR}{right[pairs[option['id']]].get(language, '')}"
                for option in content.options["left"]
            ]
            options[language] = (
                "\n".join(lines) if any(o["text"].get(language) for o in content.options["left"]) else ""
            )
    elif content.kind in CHOICE_KINDS and content.kind != TRUE_FALSE:
        for language in kinds.LANGUAGES:
            lines = [option["text"].get(language, "") for option in content.options]
            options[language] = "\n".join(lines) if any(lines) else ""
        correct = ", ".join(content.key["correct"])
    elif content.kind == TRUE_FALSE:
        correct = "true" if content.key["correct"] == ["T"] else "false"
    elif content.kind == NUMERIC:
        value, tolerance = _number_text(content.key["value"]), _number_text(content.key.get("tolerance") or 0)
    elif content.kind == SHORT_TEXT:
        accepted = "\n".join(content.key["accepted"])
    return {
        "stem": dict(content.stem),
        "options": options,
        "correct": correct,
        "value": value,
        "tolerance": tolerance,
        "accepted": accepted,
        "points": content.points,
    }


def _number_text(number: float) -> str:
    return (
        f"{number:g}" if float(number) != int(float(number)) or abs(float(number)) >= 1e15 else str(int(float(number)))
    )
