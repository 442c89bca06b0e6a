from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired, Optional, ValidationError

from certcenter.applications.workflow import STATE_LABELS
from certcenter.certificates.models import STATUS_LABELS
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
    level = SelectField(_l("NQF level"), choices=[], validators=[Optional()])
    qualification = SelectField(_l("Qualification"), choices=[], validators=[Optional()])
    status = SelectField(_l("Status or state"), choices=[], validators=[Optional()])

    def __init__(self, *args, qualifications: dict[str, str] | None = None, **kwargs) -> None:
        """``qualifications``: code -> title, in the reader's language."""
        super().__init__(*args, **kwargs)
        self.level.choices = [("", _l("Any"))] + [(str(n), str(n)) for n in range(1, 9)]
        self.qualification.choices = [("", _l("Any"))] + [
            (code, f"{code} · {title}") for code, title in (qualifications or {}).items()
        ]
        self.status.choices = {
            "": [("", _l("Any"))],
            str(_l("Certificate status")): list(STATUS_LABELS.items()),
            str(_l("Application state")): list(STATE_LABELS.items()),
        }

    def validate_status(self, field) -> None:
        if field.data in STATUS_LABELS and self.dataset.data != "certificates":
            raise ValidationError(
                _l("This is a certificate status: choose an application state, or export certificates.")
            )
        if field.data in STATE_LABELS and self.dataset.data != "applications":
            raise ValidationError(
                _l("This is an application state: choose a certificate status, or export applications.")
            )


class StatisticsForm(FlaskForm):
    date_from = DateField(_l("From"), validators=[DataRequired()])
    date_to = DateField(_l("To"), validators=[DataRequired()])

    def validate_date_to(self, field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The period ends before it starts."))
