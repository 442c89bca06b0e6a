"""The public qualification catalogue and the administrators' catalogue editor (applying is the applications
domain's panel on the qualification's page)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import ADMINISTRATOR
from certcenter.core.forms import choices, items_to_lines, lines_to_items
from certcenter.core.paging import paginate_list
from certcenter.core.permissions import role_required
from certcenter.extensions import db
from certcenter.framework.models import PUBLISHED, FrameworkEdition, FrameworkLevel
from certcenter.qualifications import services
from certcenter.qualifications.criteria import assessment_criteria
from certcenter.qualifications.forms import QualificationForm, UnitForm
from certcenter.qualifications.models import Qualification, QualificationUnit

bp = Blueprint("qualifications", __name__)


@bp.get("/qualifications")
def catalogue():
    return render_template("qualifications/catalogue.html", qualifications=services.active_qualifications())


@bp.get("/qualifications/<int:qualification_id>")
def detail(qualification_id: int):
    qualification = db.get_or_404(Qualification, qualification_id)
    if not qualification.active and not (current_user.is_authenticated and current_user.has_role(ADMINISTRATOR)):
        abort(404)
    return render_template(
        "qualifications/detail.html", qualification=qualification, criteria=assessment_criteria(qualification)
    )


# --- administration -----------------------------------------------------------------------------------------------


def _level_choices() -> list:
    levels = db.session.scalars(
        select(FrameworkLevel)
        .join(FrameworkEdition)
        .where(FrameworkEdition.status == PUBLISHED)  # a draft edition's levels are not yet to be used
        .order_by(FrameworkEdition.in_force_from.desc(), FrameworkLevel.number)
    )
    return choices(
        {level.id: f"{level.edition.code} · {_('Level %(number)s', number=level.number)}" for level in levels}
    )


@bp.get("/admin/qualifications")
@role_required(ADMINISTRATOR)
def admin_list():
    """The catalogue a page at a time, searched by code or title (in any language) and filtered by level."""
    statement = select(Qualification).join(Qualification.level).order_by(FrameworkLevel.number, Qualification.code)
    level = request.args.get("level", "")
    if level.isdigit():
        statement = statement.where(FrameworkLevel.number == int(level))
    rows = list(db.session.scalars(statement))
    text = request.args.get("q", "").strip().casefold()
    if text:
        # titles are kept as {"kk", "ru", "en"}: matched here rather than in SQL, the catalogue being short
        rows = [
            row
            for row in rows
            if text in row.code.casefold() or any(text in str(title).casefold() for title in (row.title or {}).values())
        ]
    levels = db.session.scalars(select(FrameworkLevel.number).distinct().order_by(FrameworkLevel.number)).all()
    return render_template(
        "qualifications/admin_list.html",
        page=paginate_list(rows, per_page=current_app.config["ADMIN_LIST_PER_PAGE"]),
        args=request.args,
        levels=levels,
    )


def _standard(data: dict) -> dict | None:
    """The professional standard in the three languages, or none if no language was given."""
    texts = {language: (data.get(language) or "").strip() for language in ("kk", "ru", "en")}
    return texts if any(texts.values()) else None


@bp.route("/admin/qualifications/new", methods=["GET", "POST"])
@bp.route("/admin/qualifications/<int:qualification_id>", methods=["GET", "POST"])
@role_required(ADMINISTRATOR)
def admin_edit(qualification_id: int | None = None):
    qualification = db.get_or_404(Qualification, qualification_id) if qualification_id else None
    form = QualificationForm(obj=qualification)
    form.level_id.choices = _level_choices()
    if form.validate_on_submit():
        level = db.get_or_404(FrameworkLevel, form.level_id.data)
        try:
            qualification = services.save_qualification(
                qualification,
                actor=current_user,
                level=level,
                code=form.code.data,
                title=form.title.data,
                description=form.description.data,
                professional_standard=_standard(form.professional_standard.data),
                theory_pass_mark=form.theory_pass_mark.data,
                practical_pass_mark=form.practical_pass_mark.data,
                validity_years=form.validity_years.data,
                active=form.active.data,
                recertification_rule=form.recertification_rule.data,
                recertification_practice_years=form.recertification_practice_years.data,
                recertification_practice_window=form.recertification_practice_window.data,
                recertification_cpd_hours=form.recertification_cpd_hours.data or 0,
                recertification_assessors=form.recertification_assessors.data,
                surveillance_after_years=form.surveillance_after_years.data or None,
            )
        except services.CatalogueError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The qualification has been saved."), "success")
            return redirect(url_for(".admin_edit", qualification_id=qualification.id))
    return render_template(
        "qualifications/admin_edit.html", form=form, qualification=qualification, action_form=ConfirmForm()
    )


@bp.route("/admin/qualifications/<int:qualification_id>/units/new", methods=["GET", "POST"])
@bp.route("/admin/qualifications/<int:qualification_id>/units/<int:unit_id>", methods=["GET", "POST"])
@role_required(ADMINISTRATOR)
def admin_unit(qualification_id: int, unit_id: int | None = None):
    qualification = db.get_or_404(Qualification, qualification_id)
    unit = None
    if unit_id is not None:
        unit = db.get_or_404(QualificationUnit, unit_id)
        if unit.qualification_id != qualification.id:
            abort(404)
    form = UnitForm()
    if unit is not None and request.method == "GET":
        form = UnitForm(
            data={
                "code": unit.code,
                "title": unit.title,
                "skills": items_to_lines(unit.skills),
                "knowledge": items_to_lines(unit.knowledge),
            }
        )
    if form.validate_on_submit():
        try:
            skills = lines_to_items(form.skills.data)
            knowledge = lines_to_items(form.knowledge.data)
            services.save_unit(
                qualification,
                unit,
                actor=current_user,
                code=form.code.data,
                title=form.title.data,
                skills=skills,
                knowledge=knowledge,
            )
        except ValueError as exc:
            form.form_errors.append(getattr(exc, "message", None) or exc.args[0])
        else:
            db.session.commit()
            flash(_("The unit has been saved."), "success")
            return redirect(url_for(".admin_edit", qualification_id=qualification.id))
    return render_template("qualifications/admin_unit.html", form=form, qualification=qualification, unit=unit)


@bp.post("/admin/qualifications/<int:qualification_id>/units/<int:unit_id>/delete")
@role_required(ADMINISTRATOR)
def admin_unit_delete(qualification_id: int, unit_id: int):
    unit = db.get_or_404(QualificationUnit, unit_id)
    if unit.qualification_id != qualification_id or not ConfirmForm().validate_on_submit():
        abort(404)
    try:
        services.remove_unit(unit, actor=current_user)
    except services.CatalogueError as exc:
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The unit has been removed."), "success")
    return redirect(url_for(".admin_edit", qualification_id=qualification_id))
