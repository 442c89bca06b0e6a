"""The examination forms: the question editor, the specification's settings, scheduling, the proctor's actions,
the imports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from certcenter.core.forms import LocalizedLinesForm, LocalizedTextForm, choices
from certcenter.exams.models import KINDS, MODES
from certcenter.framework.vocabulary import DESCRIPTOR_LABELS


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of question"), choices=choices(KINDS), validators=[DataRequired()])
    code = StringField(_l("Code"), validators=[Optional(), Length(max=64)])
    unit_id = SelectField(_l("Unit (labour function)"), coerce=int, validators=[InputRequired()])
    descriptor = SelectField(_l("NQF descriptor"), choices=choices(DESCRIPTOR_LABELS), validators=[DataRequired()])
    points = IntegerField(_l("Points"), default=1, validators=[InputRequired(), NumberRange(1, 100)])
    stem = FormField(LocalizedTextForm, label=_l("Question"))
    options = FormField(
        LocalizedLinesForm,
        label=_l("Options, one per line (for matching: “left | right” per line)"),
    )
    correct = StringField(_l("Correct options (letters, e.g. “A” or “A, C”; or “true” / “false”)"))
    value = StringField(_l("Correct number"))
    tolerance = StringField(_l("Tolerance (±)"))
    accepted = TextAreaField(_l("Accepted answers, one per line"))


class BlueprintForm(FlaskForm):
    time_limit_minutes = IntegerField(
        _l("Time limit, minutes"), default=60, validators=[InputRequired(), NumberRange(1, 600)]
    )
    shuffle_questions = BooleanField(_l("Shuffle the questions"), default=True)
    shuffle_options = BooleanField(_l("Shuffle the options"), default=True)
    max_attempts = IntegerField(_l("Attempts allowed"), default=2, validators=[InputRequired(), NumberRange(1, 10)])
    retake_wait_days = IntegerField(
        _l("Days to wait between attempts"), default=14, validators=[InputRequired(), NumberRange(0, 365)]
    )
    reveal_answers = BooleanField(_l("Show candidates the correct answers after marking"))


class SittingForm(FlaskForm):
    qualification_id = SelectField(_l("Qualification"), coerce=int, validators=[InputRequired()])
    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("From"), validators=[InputRequired()])
    end_time = TimeField(_l("To"), validators=[InputRequired()])
    mode = SelectField(_l("Where"), choices=choices(MODES), validators=[DataRequired()])
    room = StringField(_l("Room or link"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(_l("Places"), default=20, validators=[InputRequired(), NumberRange(1, 1000)])
    proctor_id = SelectField(_l("Proctor (an assessor)"), coerce=int, validators=[InputRequired()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class AddTimeForm(FlaskForm):
    minutes = IntegerField(_l("Minutes"), default=10, validators=[InputRequired(), NumberRange(1, 120)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class CodeForm(FlaskForm):
    code = StringField(_l("Admission code"), validators=[DataRequired(), Length(max=12)])


class ImportForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])


class QtiImportForm(FlaskForm):
    file = FileField(_l("QTI package (ZIP) or item (XML)"), validators=[FileRequired()])
    unit_id = SelectField(_l("Unit for items that do not name one"), coerce=int, validators=[InputRequired()])
    descriptor = SelectField(
        _l("Descriptor for items that do not name one"), choices=choices(DESCRIPTOR_LABELS), validators=[DataRequired()]
    )
    language = SelectField(
        _l("Language of text not marked with one"),
        choices=choices({"ru": "Русский", "kk": "Қазақша", "en": "English"}),
        validators=[DataRequired()],
    )


class AnalysisForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form of filters

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    qualification_id = SelectField(_l("Qualification"), coerce=int, validators=[Optional()])
