from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from certcenter.core.forms import choices, person_name_field


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


class NameChangeForm(FlaskForm):
    full_name = person_name_field(_l("New full name as in your ID card (Cyrillic)"))
    full_name_latin = person_name_field(
        _l("New full name in Latin letters"),
        Regexp(r"^[A-Za-z][A-Za-z' .-]*\Z", message=_l("Use Latin letters, spaces, apostrophes and dashes.")),
    )
    explanation = TextAreaField(_l("Why the name changed"), validators=[Optional(), Length(max=2000)])
    document = FileField(_l("Document showing the new name (PDF, JPEG or PNG): a new ID card, a marriage certificate"))


class NameChangeDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=choices({"approve": _l("Approve the new name"), "refuse": _l("Refuse the change")}),
        validators=[InputRequired(message=_l("Choose approve or refuse."))],
    )
    reason = TextAreaField(_l("Reason (required to refuse)"), validators=[Optional(), Length(max=2000)])


class EligibilityResolutionForm(FlaskForm):
    decision = RadioField(
        _l("Your judgement"),
        choices=choices({"met": _l("The condition is met"), "not_met": _l("The condition is not met")}),
        validators=[InputRequired(message=_l("Choose met or not met."))],
    )
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Write the reason for your judgement.")), Length(max=5000)]
    )
    version = HiddenField()
