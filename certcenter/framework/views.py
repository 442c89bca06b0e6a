"""Public pages of the framework: the levels table, one page per level with its pathways, the glossary."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from certcenter.framework.models import FrameworkEdition
from certcenter.framework.services import current_edition, edition_by_code, published_editions
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS, DESCRIPTOR_LABELS, EDUCATION_LEVELS

bp = Blueprint("framework", __name__, url_prefix="/framework")


def _edition_or_404(code: str) -> FrameworkEdition:
    edition = edition_by_code(code)
    if edition is None:
        abort(404)
    return edition


@bp.get("/")
def index():
    edition = current_edition()
    if edition is None:
        return render_template("framework/empty.html")
    return redirect(url_for("framework.levels", code=edition.code))


@bp.get("/editions")
def editions():
    return render_template("framework/editions.html", editions=published_editions(), current=current_edition())


@bp.get("/<code>/")
def levels(code: str):
    edition = _edition_or_404(code)
    return render_template(
        "framework/levels.html", edition=edition, kinds=DESCRIPTOR_KINDS, kind_labels=DESCRIPTOR_LABELS
    )


@bp.get("/<code>/levels/<int:number>")
def level(code: str, number: int):
    edition = _edition_or_404(code)
    found = edition.level(number)
    if found is None:
        abort(404)
    return render_template(
        "framework/level.html",
        edition=edition,
        level=found,
        kinds=DESCRIPTOR_KINDS,
        kind_labels=DESCRIPTOR_LABELS,
        education_levels=EDUCATION_LEVELS,
    )


@bp.get("/<code>/glossary")
def glossary(code: str):
    edition = _edition_or_404(code)
    return render_template("framework/glossary.html", edition=edition)
