from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from certcenter.core.forms import choices


class ExportForm(FlaskForm):
    dataset = SelectField(
        _l("What to export"),
        choices=choices({"certificates": _l("Issued certificates"), "applications": _l("Applications")}),
    )
    format = SelectField(
        _l("Format"),
        choices=choices(
            {"csv": "CSV", "xlsx": "XLSX", "pdf": _l("PDF (for printing)"), "json": _l("JSON (certificate register)")}
        ),
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    level = IntegerField(_l("NQF level"), validators=[Optional(), NumberRange(1, 8)])
    qualification = StringField(_l("Qualification code"), validators=[Optional()])
    status = StringField(_l("Status"), validators=[Optional()])


class StatisticsForm(FlaskForm):
    date_from = DateField(_l("From"), validators=[DataRequired()])
    date_to = DateField(_l("To"), validators=[DataRequired()])

    def validate_date_to(self, field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The period ends before it starts."))
