from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from certcenter.core.forms import choices


class ExportForm(FlaskForm):
    dataset = SelectField(
        _l("Register"), choices=choices({"certificates": _l("Issued certificates"), "applications": _l("Applications")})
    )
    format = SelectField(
        _l("Format"), choices=choices({"csv": "CSV", "xlsx": "XLSX", "json": _l("JSON (certificate register)")})
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    level = IntegerField(_l("NQF level"), validators=[Optional(), NumberRange(1, 8)])
    qualification = StringField(_l("Qualification code"), validators=[Optional()])
    status = StringField(_l("Status"), validators=[Optional()])
