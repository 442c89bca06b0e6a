from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FormField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from certcenter.core.forms import (
    LocalizedLinesForm,
    LocalizedOptionalStringForm,
    LocalizedStringForm,
    LocalizedTextForm,
)
from certcenter.qualifications.models import PRACTICE, RECERTIFICATION_RULES


class QualificationForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Latin letters, digits, dashes.")),
        ],
    )
    title = FormField(LocalizedStringForm, label=_l("Title"))
    description = FormField(LocalizedTextForm, label=_l("Description"))
    level_id = SelectField(_l("NQF level"), coerce=int, validators=[DataRequired()])
    professional_standard = FormField(LocalizedOptionalStringForm, label=_l("Professional standard"))
    theory_pass_mark = IntegerField(_l("Theory pass mark, %"), validators=[DataRequired(), NumberRange(0, 100)])
    practical_pass_mark = IntegerField(_l("Practical pass mark, %"), validators=[DataRequired(), NumberRange(0, 100)])
    validity_years = IntegerField(_l("Certificate validity, years"), validators=[DataRequired(), NumberRange(1, 10)])
    active = BooleanField(_l("Open for applications"), default=True)
    recertification_rule = SelectField(
        _l("Recertification rule"), choices=list(RECERTIFICATION_RULES.items()), default=PRACTICE
    )
    recertification_practice_years = IntegerField(
        _l("Years of practice (N)"), default=2, validators=[DataRequired(), NumberRange(1, 10)]
    )
    recertification_practice_window = IntegerField(
        _l("… within the last years (M)"), default=4, validators=[DataRequired(), NumberRange(1, 10)]
    )
    recertification_cpd_hours = IntegerField(
        _l("Professional development hours"), default=40, validators=[Optional(), NumberRange(0, 1000)]
    )
    recertification_assessors = SelectField(
        _l("Assessors of a renewal"), choices=[(1, "1"), (2, "2")], coerce=int, default=1
    )
    surveillance_after_years = IntegerField(
        _l("Surveillance check after (years; empty: none)"), validators=[Optional(), NumberRange(1, 9)]
    )


class UnitForm(FlaskForm):
    code = StringField(_l("Unit code"), validators=[DataRequired(), Length(max=20)])
    title = FormField(LocalizedStringForm, label=_l("Labour function"))
    skills = FormField(LocalizedLinesForm, label=_l("Skills (one per line, the same lines in each language)"))
    knowledge = FormField(LocalizedLinesForm, label=_l("Knowledge (one per line, the same lines in each language)"))
