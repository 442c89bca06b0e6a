"""The bank in an XLSX workbook: the template to fill in (with the qualification's units and the allowed values as
drop-down lists), the import that checks every row and imports nothing unless all are right, and the export in the
same columns (so an exported bank can be imported again)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certcenter.accounts.models import User
from certcenter.core.errors import UserError
from certcenter.core.i18n import localized
from certcenter.exams import entry, services
from certcenter.exams.models import KINDS, RETIRED, Question
from certcenter.extensions import db
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS, DESCRIPTOR_LABELS
from certcenter.qualifications.models import Qualification

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "Questions"
COLUMNS = (
    "code",
    "unit",
    "descriptor",
    "kind",
    "points",
    "question_kk",
    "question_ru",
    "question_en",
    "options_kk",
    "options_ru",
    "options_en",
    "correct",
    "value",
    "tolerance",
    "accepted",
)
REQUIRED_COLUMNS = ("unit", "descriptor", "kind", "question_kk", "question_ru")
MAX_ROWS = 5000
# Where parse_fields' problems are shown.
FIELD_COLUMNS = {"stem": "question_kk", "options": "options_kk", "points": "points", "kind": "kind"}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None
    message: str

    @property
    def cell(self) -> str:
        if self.column is None:
            return ""
        return f"{get_column_letter(COLUMNS.index(self.column) + 1)} ({self.column})"


class ImportProblems(UserError):
    """An import refused, with every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(_l("Nothing was imported: correct the file and upload it again."))
        self.problems = problems


def _instructions() -> list[tuple[str, str]]:
    return [
        ("code", _("Optional: the question's identifier; made up if empty.")),
        ("unit", _("The unit's code (see the sheet “Units”).")),
        ("descriptor", _("competence, skills or knowledge.")),
        ("kind", _("single, multiple, true_false, numeric, matching or short_text.")),
        ("points", _("A whole number from 1 to 100; 1 if empty.")),
        ("question_kk / _ru / _en", _("The question in Kazakh, Russian and (optionally) English.")),
        (
            "options_kk / _ru / _en",
            _("Choice: one option per line; matching: “left | right”; same lines in each language."),
        ),
        ("correct", _("Choice: the letters of the correct options (A, B, …), e.g. “A, C”; true_false: true or false.")),
        ("value / tolerance", _("Numeric questions: the correct number and how far an answer may be from it.")),
        ("accepted", _("Short text: the accepted answers, one per line (case and spaces do not matter).")),
    ]


def xlsx_template(qualification: Qualification) -> bytes:
    return _workbook(qualification, [])


def xlsx_export(qualification: Qualification) -> bytes:
    questions = db.session.scalars(
        select(Question)
        .where(Question.qualification_id == qualification.id, Question.status != RETIRED)
        .options(selectinload(Question.versions), selectinload(Question.unit))
        .order_by(Question.id)
    ).all()
    rows = []
    for question in questions:
        fields = entry.fields_of(services.content_of(question.current))
        row = {
            "code": question.code,
            "unit": question.unit.code,
            "descriptor": question.descriptor,
            "kind": question.kind,
            "points": fields["points"],
            "correct": fields["correct"],
            "value": fields["value"],
            "tolerance": fields["tolerance"],
            "accepted": fields["accepted"],
        }
        for language in ("kk", "ru", "en"):
            row[f"question_{language}"] = fields["stem"].get(language, "")
            row[f"options_{language}"] = fields["options"].get(language, "")
        rows.append(row)
    return _workbook(qualification, rows)


def _workbook(qualification: Qualification, rows: list[dict[str, Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(column, "") for column in COLUMNS])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = (
            40 if column.startswith(("question", "options")) else 14
        )
    last = MAX_ROWS + 1
    for column, values in (
        ("unit", [unit.code for unit in qualification.units]),
        ("descriptor", list(DESCRIPTOR_KINDS)),
        ("kind", list(KINDS)),
    ):
        letter = get_column_letter(COLUMNS.index(column) + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=False)
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    units = workbook.create_sheet("Units")
    units.append(["unit", "kk", "ru", "en"])
    for unit in qualification.units:
        units.append([unit.code, unit.title.get("kk", ""), unit.title.get("ru", ""), unit.title.get("en", "")])
    help_sheet = workbook.create_sheet("Instructions")
    help_sheet.append([qualification.code, localized(qualification.title)])
    for kind in DESCRIPTOR_KINDS:
        help_sheet.append([kind, str(DESCRIPTOR_LABELS[kind])])
    for kind, label in KINDS.items():
        help_sheet.append([kind, str(label)])
    for column, text in _instructions():
        help_sheet.append([column, text])
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The filled rows of the workbook (row number, values by column), or the problems that keep it from being read."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        return [], [
            Problem(0, None, str(_l("The file is not an XLSX workbook. Download the template and fill it in.")))
        ]
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [_text(cell).lower() for cell in next(lines, ())]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            return [], [
                Problem(
                    1,
                    None,
                    str(_l("The first row must name the columns; missing: %(columns)s.", columns=", ".join(missing))),
                )
            ]
        rows = []
        for number, cells in enumerate(lines, start=2):
            values = {column: _text(cells[header.index(column)]) if header.index(column) < len(cells) else ""
                      for column in COLUMNS if column in header}  # fmt: skip
            if not any(values.values()):
                continue
            if len(rows) >= MAX_ROWS:
                return [], [Problem(number, None, str(_l("At most %(count)s questions at once.", count=MAX_ROWS)))]
            rows.append((number, values))
        return rows, []
    finally:
        workbook.close()


def import_xlsx(qualification: Qualification, content: bytes, *, actor: User) -> list[Question]:
    """Every row is checked first; any problem and nothing is imported (ImportProblems lists them all)."""
    rows, problems = read_rows(content)
    if not problems and not rows:
        problems = [Problem(0, None, str(_l("The workbook has no questions.")))]
    units = {unit.code.casefold(): unit for unit in qualification.units}
    existing = set(db.session.scalars(select(Question.code).where(Question.qualification_id == qualification.id)))
    seen: set[str] = set()
    parsed = []
    for number, values in rows:
        row_problems = []
        unit = units.get(values.get("unit", "").casefold())
        if unit is None:
            row_problems.append(Problem(number, "unit", str(_l("No unit of this qualification has this code."))))
        descriptor = values.get("descriptor", "").casefold()
        if descriptor not in DESCRIPTOR_KINDS:
            row_problems.append(Problem(number, "descriptor", str(_l("Write competence, skills or knowledge."))))
        kind = values.get("kind", "").casefold()
        code = values.get("code", "")
        if code and (code in existing or code in seen):
            row_problems.append(
                Problem(number, "code", str(_l("A question with this code is already in the bank or the file.")))
            )
        seen.add(code)
        if kind not in KINDS:
            row_problems.append(Problem(number, "kind", str(_l("Unknown kind of question."))))
            content_value = None
        else:
            content_value, errors = entry.parse_fields(
                kind,
                stem={lang: values.get(f"question_{lang}", "") for lang in ("kk", "ru", "en")},
                options={lang: values.get(f"options_{lang}", "") for lang in ("kk", "ru", "en")},
                correct=values.get("correct", ""),
                value=values.get("value", ""),
                tolerance=values.get("tolerance", ""),
                accepted=values.get("accepted", ""),
                points=values.get("points", "") or 1,
            )
            row_problems += [
                Problem(number, FIELD_COLUMNS.get(field, field), message) for field, message in errors.items()
            ]
        if content_value is not None and not all((content_value.stem.get(lang) or "").strip() for lang in ("kk", "ru")):
            missing = "question_kk" if not content_value.stem.get("kk") else "question_ru"
            row_problems.append(
                Problem(number, missing, str(_l("The question needs its text in Kazakh and in Russian.")))
            )
        problems += row_problems
        if not row_problems:
            parsed.append((unit, descriptor, content_value, code))
    if problems:
        raise ImportProblems(problems)
    return [
        services.create_question(
            qualification,
            actor=actor,
            unit_id=unit.id,
            descriptor=descriptor,
            content=content_value,
            code=code or None,
            audit_action="exams.question_import",
        )
        for unit, descriptor, content_value, code in parsed
    ]
