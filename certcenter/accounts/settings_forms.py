"""The centre settings form: one field for each setting of ``core.settings``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, FormField, IntegerField, StringField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, Regexp, ValidationError

from certcenter.core.forms import LocalizedStringForm
from certcenter.core.settings import DAYS, LOCALIZED, LOGO, PERMANENT, SETTINGS, SWITCH, TEXT, URL, YEARS


def _web_address(_form, field) -> None:
    value = (field.data or "").strip()
    if not value.startswith(("https://", "http://")) or " " in value or len(value.split("/")[2:3][0] or "") == 0:
        raise ValidationError(_l("Enter an address starting with https:// (or http://)."))


def _field(setting):
    if setting.kind == LOCALIZED:
        return FormField(LocalizedStringForm, label=setting.label)
    if setting.kind == TEXT:
        return StringField(
            setting.label,
            validators=[
                DataRequired(),
                Regexp(r"^[A-Z0-9]{2,8}$", message=_l("Use 2 to 8 capital Latin letters or digits.")),
            ],
        )
    if setting.kind == URL:
        return URLField(setting.label, validators=[DataRequired(), Length(max=300), _web_address])
    if setting.kind == DAYS:
        return IntegerField(setting.label, validators=[DataRequired(), NumberRange(min=1, max=365)])
    if setting.kind == YEARS:
        return IntegerField(setting.label, validators=[DataRequired(), NumberRange(min=1, max=100)])
    if setting.kind == LOGO:
        return FileField(setting.label)
    if setting.kind == SWITCH:
        return BooleanField(setting.label)
    raise ValueError(setting.kind)


class CentreSettingsForm(FlaskForm):
    remove_logo = BooleanField(_l("Print certificates without a logo"))


for _setting in SETTINGS.values():
    if _setting.kind != PERMANENT:  # shown, never a field
        setattr(CentreSettingsForm, _setting.key, _field(_setting))
