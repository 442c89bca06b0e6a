from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from certcenter.core.forms import choices, person_name_field
from certcenter.core.i18n import centre_today
from certcenter.framework.vocabulary import EDUCATION_LEVELS


class ProfileForm(FlaskForm):
    full_name = person_name_field(_l("Full name as in your ID card (Cyrillic)"))
    full_name_latin = person_name_field(
        _l("Full name in Latin letters, as on English documents"),
        Regexp(r"^[A-Za-z][A-Za-z' .-]*\Z", message=_l("Use Latin letters, spaces, apostrophes and dashes.")),
    )
    iin = StringField(_l("IIN (individual identification number)"), validators=[DataRequired(), Length(max=20)])
    birth_date = DateField(_l("Date of birth"), validators=[DataRequired(message=_l("Enter the date of birth."))])
    phone = StringField(
        _l("Phone"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^\+?[0-9 ()-]{7,}$", message=_l("Enter a phone number, e.g. +7 701 123 45 67.")),
        ],
    )
    employer = StringField(_l("Current employer"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("Current position"), validators=[Optional(), Length(max=200)])
    next = HiddenField()


class EducationForm(FlaskForm):
    level = SelectField(_l("Level of education"), choices=[], validators=[DataRequired()])
    institution = StringField(_l("Institution"), validators=[DataRequired(), Length(max=300)])
    speciality = StringField(_l("Speciality or programme"), validators=[Optional(), Length(max=300)])
    year_completed = IntegerField(_l("Year completed"), validators=[DataRequired()])
    document = FileField(_l("Supporting document (diploma, certificate), optional"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.level.choices = choices({code: level.label for code, level in EDUCATION_LEVELS.items()})

    def validate_year_completed(self, field) -> None:
        # this year as the centre's calendar has it now (a bound fixed when the module loads goes stale at New Year)
        this_year = centre_today().year
        if field.data is not None and not 1940 <= field.data <= this_year:
            raise ValidationError(_l("Enter a year between %(min)s and %(max)s.", min=1940, max=this_year))


class ExperienceForm(FlaskForm):
    employer = StringField(_l("Employer"), validators=[DataRequired(), Length(max=200)])
    position = StringField(_l("Position"), validators=[DataRequired(), Length(max=200)])
    started_on = DateField(_l("From"), validators=[DataRequired(message=_l("Enter the start date."))])
    ended_on = DateField(_l("To (leave empty if you work there now)"), validators=[Optional()])
    description = TextAreaField(_l("Duties"), validators=[Optional(), Length(max=2000)])

    def validate_ended_on(self, field) -> None:
        if field.data and self.started_on.data and field.data < self.started_on.data:
            raise ValidationError(_l("The end date is before the start date."))
