from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional


class IssueForm(FlaskForm):
    english = BooleanField(_l("Add an English page"))


class LifecycleForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    english = BooleanField(_l("Add an English page"))


class VerifyUploadForm(FlaskForm):
    file = FileField(_l("The certificate PDF you were given"))
