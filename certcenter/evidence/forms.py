from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from certcenter.core.forms import choices
from certcenter.evidence.models import EVIDENCE_KINDS


class EvidenceUploadForm(FlaskForm):
    file = FileField(_l("File (PDF, JPEG, PNG, DOCX or ODT)"))
    kind = SelectField(_l("Kind of evidence"), choices=[], validators=[DataRequired()])
    document_date = DateField(_l("Date of the document"), validators=[Optional()])
    description = TextAreaField(_l("What it shows"), validators=[DataRequired(), Length(max=2000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(EVIDENCE_KINDS)
