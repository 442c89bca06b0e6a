from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class IssueForm(FlaskForm):
    english = BooleanField(_l("Add an English page"))


class LifecycleForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    english = BooleanField(_l("Add an English page"))


class VerifyUploadForm(FlaskForm):
    file = FileField(_l("The certificate PDF you were given"))


class RenewForm(FlaskForm):
    route = SelectField(
        _l("Route"),
        choices=[("short", _l("The rule's short route")), ("reassessment", _l("A full reassessment"))],
        default="short",
    )
    form_token = HiddenField()


class RenewalStatementForm(FlaskForm):
    statement = TextAreaField(
        _l("Your practice since the certificate was issued (employer, position, what you did)"),
        validators=[Optional(), Length(max=5000)],
    )


class CPDForm(FlaskForm):
    title = StringField(_l("Course or activity"), validators=[DataRequired(), Length(max=300)])
    provider = StringField(_l("Provider"), validators=[Optional(), Length(max=200)])
    hours = IntegerField(_l("Hours"), validators=[DataRequired(), NumberRange(min=1, max=1000)])
    completed_on = DateField(_l("Completed on"), validators=[DataRequired()])


class SurveillanceForm(FlaskForm):
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    statement = TextAreaField(_l("What you do now"), validators=[Optional(), Length(max=5000)])
    document = FileField(_l("A document that shows it (employer's letter, work record)"))


class SurveillanceDecisionForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class CertificateAppealForm(FlaskForm):
    grounds = TextAreaField(
        _l("Grounds of the appeal"),
        validators=[DataRequired(message=_l("Write the grounds of your appeal.")), Length(max=10000)],
    )
    attachment = FileField(_l("A document (optional: PDF, JPEG, PNG, DOCX or ODT)"))
