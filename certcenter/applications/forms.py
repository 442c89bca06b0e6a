from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from certcenter.core.forms import choices


class SubmitForm(FlaskForm):
    exception_request = TextAreaField(_l("Request for an exception"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=2000)])
    version = HiddenField()


class ExceptionDecisionForm(FlaskForm):
    decision = SelectField(
        _l("Decision"), choices=choices({"grant": _l("Grant the exception"), "refuse": _l("Refuse the exception")})
    )
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Write the reason for the decision.")), Length(max=5000)]
    )
    version = HiddenField()
