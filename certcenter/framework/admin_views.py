"""Administrators' pages for editions: the list with copy and import, a draft's editor, its comparison with the
edition it came from, publishing, and the YAML export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from certcenter.core.permissions import role_required
from certcenter.extensions import db
from certcenter.framework import editing
from certcenter.framework.models import FrameworkEdition
from certcenter.framework.services import LANGUAGES, edition_by_code
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS, DESCRIPTOR_LABELS

# the accounts' role name (framework sits beside accounts and does not import it)
ADMINISTRATOR = "administrator"

admin_bp = Blueprint("framework_admin", __name__, url_prefix="/admin/framework")


class ActionForm(FlaskForm):
    """A button or a form read field by field: carries the CSRF token."""


def _edition_or_404(code: str) -> FrameworkEdition:
    edition = edition_by_code(code, drafts=True)
    if edition is None:
        abort(404)
    return edition


@admin_bp.get("/")
@role_required(ADMINISTRATOR)
def editions():
    all_editions = db.session.scalars(
        db.select(FrameworkEdition).order_by(FrameworkEdition.in_force_from.desc(), FrameworkEdition.id.desc())
    ).all()
    return render_template("framework/admin_editions.html", editions=all_editions, form=ActionForm())


@admin_bp.post("/copy")
@role_required(ADMINISTRATOR)
def copy():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    source = _edition_or_404(request.form.get("source", ""))
    try:
        edition = editing.copy_edition(source, code=request.form.get("code", ""), actor=current_user)
    except editing.EditingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("framework_admin.editions"))
    db.session.commit()
    flash(_("A draft edition has been made; edit it, then publish it."), "success")
    return redirect(url_for("framework_admin.edit", code=edition.code))


@admin_bp.post("/import")
@role_required(ADMINISTRATOR)
def import_file():
    form = ActionForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None:
        abort(400)
    try:
        edition = editing.import_yaml(upload.read(editing.YAML_MAX_BYTES + 1), actor=current_user)
    except editing.EditingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("framework_admin.editions"))
    db.session.commit()
    flash(_("The file has been imported as a draft edition."), "success")
    return redirect(url_for("framework_admin.edit", code=edition.code))


@admin_bp.route("/<code>/edit", methods=["GET", "POST"])
@role_required(ADMINISTRATOR)
def edit(code: str):
    edition = _edition_or_404(code)
    form = ActionForm()
    values = dict(request.form) if request.method == "POST" else {}
    if form.validate_on_submit():
        try:
            changed = editing.edit_draft(edition, values, actor=current_user)
        except editing.EditingError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The draft has been saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("framework_admin.edit", code=edition.code))
    return _editor(edition, form, values)


def _editor(edition: FrameworkEdition, form: ActionForm, values: dict, *, status: int = 200, item_errors=None,
            item_values=None):  # fmt: skip
    """The editor; ``item_errors``/``item_values``: a refused addition's message and input, by its form's name
    (``term``, ``pathway-<level>``), shown at that form."""
    data = editing.export_edition(edition)
    return render_template(
        "framework/admin_edit.html",
        edition=edition,
        data=data,
        form=form,
        values=values,
        item_errors=item_errors or {},
        item_values=item_values or {},
        field_name=editing.field_name,
        rule_text=editing.rule_text,
        kinds=DESCRIPTOR_KINDS,
        kind_labels=DESCRIPTOR_LABELS,
        missing_levels=editing.missing_levels(data),
        differences=len(editing.compare(edition, edition.derived_from))
        + len(editing.item_changes(edition, edition.derived_from)),
    ), status


def _texts(prefix: str) -> dict[str, str]:
    return {language: request.form.get(f"{prefix}-{language}", "") for language in LANGUAGES}


def _item_change(edition: FrameworkEdition, where: str, change, done: str, anchor: str):
    """Run one addition or removal; refused, the editor again with the message at its form and the input kept
    (409 for a published edition, 400 otherwise)."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        change()
    except editing.EditingError as error:
        db.session.rollback()
        status = 409 if not edition.is_draft else 400
        return _editor(edition, ActionForm(), {}, status=status, item_errors={where: str(error)},
                       item_values={where: dict(request.form)})  # fmt: skip
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("framework_admin.edit", code=edition.code, _anchor=anchor))


@admin_bp.post("/<code>/terms")
@role_required(ADMINISTRATOR)
def add_term(code: str):
    edition = _edition_or_404(code)
    return _item_change(
        edition,
        "term",
        lambda: editing.add_term(edition, _texts("term"), _texts("definition"), actor=current_user),
        _("The term has been added to the glossary."),
        "glossary",
    )


@admin_bp.post("/<code>/terms/<int:number>/remove")
@role_required(ADMINISTRATOR)
def remove_term(code: str, number: int):
    edition = _edition_or_404(code)
    return _item_change(
        edition,
        "term",
        lambda: editing.remove_term(edition, number, actor=current_user),
        _("The term has been removed from the glossary."),
        "glossary",
    )


@admin_bp.post("/<code>/levels/<int:number>/pathways")
@role_required(ADMINISTRATOR)
def add_pathway(code: str, number: int):
    edition = _edition_or_404(code)
    return _item_change(
        edition,
        f"pathway-{number}",
        lambda: editing.add_pathway(
            edition,
            number,
            code=request.form.get("code", ""),
            text=_texts("text"),
            rule=request.form.get("rule", ""),
            interpretation=_texts("interpretation"),
            actor=current_user,
        ),
        _("The pathway has been added."),
        f"level-{number}",
    )


@admin_bp.post("/<code>/levels/<int:number>/pathways/<pathway>/remove")
@role_required(ADMINISTRATOR)
def remove_pathway(code: str, number: int, pathway: str):
    edition = _edition_or_404(code)
    return _item_change(
        edition,
        f"pathway-{number}",
        lambda: editing.remove_pathway(edition, number, pathway, actor=current_user),
        _("The pathway has been removed."),
        f"level-{number}",
    )


@admin_bp.post("/<code>/levels")
@role_required(ADMINISTRATOR)
def add_level(code: str):
    edition = _edition_or_404(code)
    raw = request.form.get("number", "")
    number = int(raw) if raw.isascii() and raw.isdigit() else 0
    return _item_change(
        edition,
        "level",
        lambda: editing.add_level(
            edition,
            number,
            eqf_level=request.form.get("eqf_level", ""),
            descriptors={kind: _texts(f"descriptor-{kind}") for kind in DESCRIPTOR_KINDS},
            pathways_text=_texts("pathways_text"),
            pathway={
                "code": request.form.get("code", ""),
                "text": _texts("text"),
                "rule": request.form.get("rule", ""),
                "interpretation": _texts("interpretation"),
            },
            actor=current_user,
        ),
        _("The level has been added."),
        f"level-{number}",
    )


@admin_bp.post("/<code>/levels/<int:number>/remove")
@role_required(ADMINISTRATOR)
def remove_level(code: str, number: int):
    edition = _edition_or_404(code)
    return _item_change(
        edition,
        f"pathway-{number}",
        lambda: editing.remove_level(edition, number, actor=current_user),
        _("The level has been removed."),
        "levels",
    )


@admin_bp.get("/<code>/compare")
@role_required(ADMINISTRATOR)
def compare(code: str):
    edition = _edition_or_404(code)
    return render_template(
        "framework/admin_compare.html",
        edition=edition,
        source=edition.derived_from,
        differences=editing.compare(edition, edition.derived_from),
        items=editing.item_changes(edition, edition.derived_from),
        kind_labels=DESCRIPTOR_LABELS,
    )


@admin_bp.post("/<code>/publish")
@role_required(ADMINISTRATOR)
def publish(code: str):
    edition = _edition_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        editing.publish(edition, actor=current_user)
    except editing.EditingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The edition has been published; it can no longer be changed."), "success")
    return redirect(url_for("framework_admin.editions"))


@admin_bp.get("/<code>.yaml")
@role_required(ADMINISTRATOR)
def export(code: str):
    edition = _edition_or_404(code)
    return Response(
        editing.export_yaml(edition),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{edition.code}.yaml"'},
    )
