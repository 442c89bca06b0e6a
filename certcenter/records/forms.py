from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from certcenter.records.models import HOLD_GROUNDS


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class HoldForm(ReasonForm):
    ground = SelectField(_l("Ground"), choices=[(key, label) for key, label in HOLD_GROUNDS.items()])


class ErasureForm(FlaskForm):
    note = TextAreaField(_l("Anything the administrator should know (optional)"), validators=[Length(max=2000)])
    confirm = BooleanField(
        _l("I understand that my account will be closed and my data erased, except what the law requires to keep."),
        validators=[DataRequired(message=_l("Confirm that you understand what erasure means."))],
    )


class DecisionForm(ReasonForm):
    approve = BooleanField(_l("Approve"))


class ConsentForm(FlaskForm):
    accept = BooleanField(
        _l("I agree that the centre processes my personal data as this notice describes."),
        validators=[DataRequired(message=_l("Your consent is needed to continue."))],
    )
