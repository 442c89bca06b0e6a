"""Form pieces shared by domains: text in the three languages of the centre, people's names."""

from __future__ import annotations

from flask import abort
from flask_babel import lazy_gettext as _l
from wtforms import Form, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from certcenter.core.text import has_visible, normalize_name

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def _localized_form(field_class, required: bool, max_length: int):
    validators = [DataRequired()] if required else [Optional()]

    class LocalizedForm(Form):
        kk = field_class(LANGUAGE_NAMES["kk"], validators=[*validators, Length(max=max_length)])
        ru = field_class(LANGUAGE_NAMES["ru"], validators=[*validators, Length(max=max_length)])
        en = field_class(LANGUAGE_NAMES["en"], validators=[*validators, Length(max=max_length)])

    return LocalizedForm


LocalizedStringForm = _localized_form(StringField, True, 300)
LocalizedOptionalStringForm = _localized_form(StringField, False, 500)
LocalizedTextForm = _localized_form(TextAreaField, False, 4000)
LocalizedLinesForm = _localized_form(TextAreaField, False, 8000)


def abort_if_stale(obj, submitted_version: str | None) -> None:
    """A form carries the version of the object it was opened on; if the object moved on since, nothing is saved
    and the user is told to reload (409)."""
    if submitted_version and submitted_version != str(obj.version):
        abort(409, description="stale")


def choices(options: dict) -> list[SelectChoice]:
    """Select options from a {value: label} mapping."""
    return [SelectChoice(value, label) for value, label in options.items()]


def lines_to_items(data: dict[str, str]) -> list[dict[str, str]]:
    """Three textareas, one item per line, into a list of {"kk", "ru", "en"} items; ValueError if counts differ."""
    columns = {
        lang: [line.strip() for line in (data.get(lang) or "").splitlines() if line.strip()] for lang in LANGUAGE_NAMES
    }
    counts = {len(lines) for lines in columns.values()}
    if len(counts) != 1:
        raise ValueError(_l("Each language needs the same number of lines."))
    return [dict(zip(LANGUAGE_NAMES, items, strict=True)) for items in zip(*columns.values(), strict=True)]


def items_to_lines(items: list[dict[str, str]]) -> dict[str, str]:
    return {lang: "\n".join(item.get(lang, "") for item in items) for lang in LANGUAGE_NAMES}


class VisibleName:
    """A name typed with only invisible characters is refused with its own message (DataRequired would call it
    missing); runs after the ``normalize_name`` filter."""

    def __call__(self, form: Form, field) -> None:
        typed = (field.raw_data or [""])[0] or ""
        if typed.strip() and not has_visible(field.data or ""):
            raise StopValidation(_l("The name must contain visible letters."))


def person_name_field(label, *validators, max_length: int = 200) -> StringField:
    """A person's name, normalised as it is read (NFC, bidi controls and zero-width characters removed, spaces
    collapsed), so that the form shows, validates and hands on the text that will be stored."""
    return StringField(
        label,
        filters=[normalize_name],
        validators=[VisibleName(), DataRequired(), Length(max=max_length), *validators],
    )
