from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE
from certcenter.core.forms import person_name_field

PASSWORD_MIN = 10

ROLE_LABELS = {CANDIDATE: _l("Candidate"), ASSESSOR: _l("Assessor"), ADMINISTRATOR: _l("Administrator")}
ROLE_CHOICES = [SelectChoice(role, label) for role, label in ROLE_LABELS.items()]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class RegistrationForm(FlaskForm):
    full_name = person_name_field(_l("Full name"))
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=PASSWORD_MIN, max=200, message=_l("Use at least %(num)d characters.", num=PASSWORD_MIN)),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", message=_l("Passwords differ."))]
    )
    accept = BooleanField(
        _l("I agree that the centre processes my personal data to assess my qualification."),
        validators=[DataRequired(message=_l("Your consent is needed to register."))],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=PASSWORD_MIN, max=200, message=_l("Use at least %(num)d characters.", num=PASSWORD_MIN)),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[DataRequired(), EqualTo("password", message=_l("Passwords differ."))]
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserCreateForm(FlaskForm):
    full_name = person_name_field(_l("Full name"))
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)]
    )
    roles = MultiCheckboxField(
        _l("Roles"), choices=ROLE_CHOICES, validators=[DataRequired(message=_l("Choose at least one role."))]
    )


class UserRolesForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles"), choices=ROLE_CHOICES, validators=[DataRequired(message=_l("Choose at least one role."))]
    )


class ConfirmForm(FlaskForm):
    """An action button: carries only the CSRF token."""


class AuditSearchForm(FlaskForm):
    """The audit log's filters, read from the address (a search changes nothing: no CSRF token)."""

    class Meta:
        csrf = False

    person = StringField(_l("Person (name or e-mail)"), validators=[Optional(), Length(max=200)])
    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    target_type = SelectField(_l("Object"), choices=[], validators=[Optional()])
    target_id = StringField(_l("Object No."), validators=[Optional(), Length(max=64)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)]
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=PASSWORD_MIN, max=200, message=_l("Use at least %(num)d characters.", num=PASSWORD_MIN)),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[DataRequired(), EqualTo("password", message=_l("Passwords differ."))]
    )


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        _l("New e-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
