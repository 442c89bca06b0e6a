from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from certcenter.assessments.models import CONFLICT_KINDS, EVIDENCE_RULES, RATING_LABELS, RESULT_KINDS
from certcenter.core.forms import choices
from certcenter.core.ids import ids_or_400, parse_id


class DeclarationForm(FlaskForm):
    """The assessor's conflict-of-interest declaration: neither answer is chosen for him."""

    conflict = RadioField(
        _l("Do you have a conflict of interest with this candidate?"),
        choices=choices(
            {"no": _l("No, I have no conflict of interest"), "yes": _l("Yes, I have a conflict of interest")}
        ),
        validators=[InputRequired(message=_l("Answer whether you have a conflict of interest."))],
    )
    kind = SelectField(_l("Kind of conflict"), choices=choices({"": "—"} | CONFLICT_KINDS), validators=[Optional()])
    note = TextAreaField(_l("Details"), validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    assessor_id = SelectField(_l("Assessor"), coerce=int, validators=[DataRequired()])
    lead = BooleanField(_l("Lead assessor"))


class ModerationForm(FlaskForm):
    criterion_key = HiddenField(validators=[DataRequired()])
    rating = SelectField(_l("Moderated rating"), choices=choices(RATING_LABELS))
    met_at_level = IntegerField(_l("If not met: the level the evidence meets it at"), validators=[Optional()])
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Write the reason for the rating.")), Length(max=5000)]
    )


class ModeratorDeclarationForm(FlaskForm):
    """The moderator's conflict-of-interest declaration: neither answer is chosen for him."""

    conflict = RadioField(
        _l("Do you have a conflict of interest with this candidate?"),
        choices=choices(
            {"no": _l("No, I have no conflict of interest"), "yes": _l("Yes, I have a conflict of interest")}
        ),
        validators=[InputRequired(message=_l("Answer whether you have a conflict of interest."))],
    )
    kind = SelectField(_l("Kind of conflict"), choices=choices({"": "—"} | CONFLICT_KINDS), validators=[Optional()])
    note = TextAreaField(_l("Details"), validators=[Optional(), Length(max=2000)])


class PickModeratorForm(FlaskForm):
    moderator_id = SelectField(_l("Moderator"), coerce=int, validators=[DataRequired()])


class ResultModerationForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    percent = IntegerField(
        _l("Moderated result, %"),
        validators=[InputRequired(message=_l("A result is a percentage from 0 to 100.")), NumberRange(0, 100)],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Write the reason for the moderated result.")), Length(max=5000)],
    )


class DecisionForm(FlaskForm):
    outcome = SelectField(
        _l("Decision"),
        choices=choices(
            {"confirmed": _l("Qualification confirmed"), "not_confirmed": _l("Qualification not confirmed")}
        ),
    )
    deviation_reason = TextAreaField(
        _l("Reason for differing from the recommendation"), validators=[Optional(), Length(max=5000)]
    )
    comment = TextAreaField(_l("Comment to the candidate"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class JudgementForm(FlaskForm):
    """Only the CSRF token and the version: the judgement's many fields are read by ``parse_judgement``."""

    version = HiddenField()


def parse_judgement(form: Any) -> dict[str, Any]:
    """The judgement page's fields into the structure ``save_draft`` takes."""
    data: dict[str, Any] = {"reviews": {}, "ratings": {}, "results": {}}
    for name in form:
        parts = name.split("|")
        if parts[0] == "review" and len(parts) == 3:
            if parse_id(parts[1]) is None:
                abort(400)
            review = data["reviews"].setdefault(parts[1], {})
            if parts[2] in EVIDENCE_RULES:
                review[parts[2]] = form.get(name) == "on"
            elif parts[2] == "comment":
                review["comment"] = form.get(name, "")
        elif parts[0] == "rating" and len(parts) == 3:
            rating = data["ratings"].setdefault(parts[1], {})
            if parts[2] == "evidence":
                rating["evidence_ids"] = ids_or_400(form.getlist(name))
            elif parts[2] in ("rating", "justification", "met_at_level"):
                rating[parts[2]] = form.get(name, "")
        elif parts[0] == "result" and len(parts) == 3 and parts[1] in RESULT_KINDS:
            data["results"].setdefault(parts[1], {})[parts[2]] = form.get(name, "")
    for review_id in ids_or_400(form.getlist("reviewed")):
        data["reviews"].setdefault(str(review_id), {})
    return data


class ScopeForm(FlaskForm):
    """An assessor's scope of competence: one qualification, or NQF levels within a field."""

    assessor_id = SelectField(_l("Assessor"), coerce=int, validators=[DataRequired(message=_l("Choose the assessor."))])
    qualification_id = SelectField(_l("Qualification"), coerce=int, validators=[Optional()])
    level_from = IntegerField(_l("Or NQF levels from"), validators=[Optional()])
    level_to = IntegerField(_l("to"), validators=[Optional()])
    field = StringField(
        _l("Field of activity (as the professional standard names it)"), validators=[Optional(), Length(max=300)]
    )
    evidence = TextAreaField(
        _l("Evidence of competence"),
        validators=[DataRequired(message=_l("Describe the evidence of competence.")), Length(max=5000)],
    )
    document = FileField(_l("Document (PDF, JPEG or PNG), if any"))
    valid_until = DateField(
        _l("Valid until"), validators=[DataRequired(message=_l("Enter the date it is valid until."))]
    )


class EndScopeForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the scope is withdrawn"),
        validators=[DataRequired(message=_l("Write why the scope is withdrawn.")), Length(max=2000)],
    )
