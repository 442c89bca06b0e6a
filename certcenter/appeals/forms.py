from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from certcenter.appeals.models import APPEAL_OUTCOMES, CATEGORIES, OUTCOMES, SUBJECTS
from certcenter.assessments.forms import DeclarationForm
from certcenter.core.forms import choices


class ComplaintForm(FlaskForm):
    category = SelectField(_l("What is it about?"), choices=choices(CATEGORIES))
    subject_kind = SelectField(_l("Whom is it about?"), choices=choices(SUBJECTS))
    subject_name = StringField(
        _l("Name of the person, if it is about a person"), validators=[Optional(), Length(max=200)]
    )
    certificate_number = StringField(
        _l("Certificate number, if it is about a certificate"), validators=[Optional(), Length(max=40)]
    )
    text = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(message=_l("Describe what happened.")), Length(max=10000)],
    )
    attachment = FileField(_l("A document or a photo (optional: PDF, JPEG, PNG, DOCX or ODT)"))
    contact_name = StringField(
        _l("Your name"), validators=[DataRequired(message=_l("Give your name.")), Length(max=200)]
    )
    contact_email = StringField(
        _l("Your e-mail address"),
        validators=[Optional(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    contact_phone = StringField(_l("Your telephone number"), validators=[Optional(), Length(max=40)])
    # anti-spam without a CAPTCHA service: a field people do not see, and the time the form was shown (signed)
    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=200)])
    shown = HiddenField()


class AcknowledgeForm(FlaskForm):
    note = TextAreaField(_l("Note to the complainant (optional)"), validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    # any id: the service refuses whoever is not independent, and says why
    investigator = SelectField(_l("Investigator"), coerce=int, choices=[], validate_choice=False)


class SubjectForm(FlaskForm):
    subject = SelectField(_l("The person complained about"), coerce=int, choices=[])


class OutcomeForm(FlaskForm):
    findings = TextAreaField(
        _l("Findings"), validators=[DataRequired(message=_l("Write the findings.")), Length(max=10000)]
    )
    outcome = SelectField(_l("Outcome"), choices=choices(OUTCOMES))
    response = TextAreaField(
        _l("Answer to the complainant"),
        validators=[DataRequired(message=_l("Write the answer to the complainant.")), Length(max=5000)],
    )


class AppealForm(FlaskForm):
    contested = SelectMultipleField(_l("The criteria of the decision you contest"), choices=[], validate_choice=False)
    grounds = TextAreaField(
        _l("Grounds of the appeal"),
        validators=[DataRequired(message=_l("Write the grounds of your appeal.")), Length(max=10000)],
    )
    attachment = FileField(_l("New evidence (optional: PDF, JPEG, PNG, DOCX or ODT)"))


class PanelMemberForm(FlaskForm):
    # any id: the service refuses whoever took part in the round appealed against, and says why
    member = SelectField(_l("Member of the panel"), coerce=int, choices=[], validate_choice=False)


# A panel member declares his conflicts of interest with the form the assessors and moderators use.
PanelDeclarationForm = DeclarationForm


class AppealVoteForm(FlaskForm):
    """A member's own vote. Every vote carries the answer: the vote that makes the majority sends its answer."""

    outcome = SelectField(_l("Your vote"), choices=choices(APPEAL_OUTCOMES))
    reasoning = TextAreaField(
        _l("Your reasoning"),
        validators=[DataRequired(message=_l("Write your reasoning.")), Length(max=10000)],
    )
    answer = TextAreaField(
        _l("Answer to the candidate"),
        validators=[DataRequired(message=_l("Write the answer to the candidate.")), Length(max=5000)],
    )


class ReleaseMemberForm(FlaskForm):
    """An administrator releases a member who has not voted; the service asks for the reason."""

    reason = TextAreaField(_l("Why the member is released"), validators=[Optional(), Length(max=2000)])
