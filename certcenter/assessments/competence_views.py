"""The administrators' pages of the assessors' competence: each assessor's scopes, current or expired, his workload,
adding a scope with its evidence, withdrawing one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, User, UserRole
from certcenter.assessments import competence
from certcenter.assessments.forms import EndScopeForm, ScopeForm
from certcenter.core.errors import UserError
from certcenter.core.forms import choices
from certcenter.core.i18n import centre_today, localized
from certcenter.core.permissions import role_required
from certcenter.core.storage import StorageError, send_stored
from certcenter.extensions import db
from certcenter.qualifications.models import Qualification

bp = Blueprint("competence", __name__)


def _assessors() -> list[User]:
    return list(
        db.session.scalars(
            select(User).join(UserRole).where(UserRole.role == ASSESSOR, User.active.is_(True)).order_by(User.full_name)
        )
    )


def _scope_form(form: ScopeForm | None = None) -> ScopeForm:
    form = form or ScopeForm()
    form.assessor_id.choices = choices({user.id: user.full_name for user in _assessors()})
    qualifications = db.session.scalars(select(Qualification).order_by(Qualification.code)).all()
    form.qualification_id.choices = choices(
        {0: "—"} | {q.id: f"{q.code} · {localized(q.title)}" for q in qualifications}
    )
    return form


def _page(form: ScopeForm | None = None, status: int = 200):
    assessors = _assessors()
    ids = [user.id for user in assessors]
    return render_template(
        "assessments/competence.html",
        assessors=assessors,
        scopes=competence.scopes_of(ids),
        workload=competence.open_assignments(ids),
        today=centre_today(),
        form=_scope_form(form),
        end_form=EndScopeForm(),
    ), status


@bp.get("/admin/assessors")
@role_required(ADMINISTRATOR)
def assessors():
    return _page()


@bp.post("/admin/assessors/scopes/new")
@role_required(ADMINISTRATOR)
def admin_scope_new():
    form = _scope_form()
    if not form.validate_on_submit():
        return _page(form, 400)
    assessor = db.session.get(User, form.assessor_id.data)
    qualification = db.session.get(Qualification, form.qualification_id.data) if form.qualification_id.data else None
    file = form.document.data
    try:
        competence.add_scope(
            assessor,
            actor=current_user,
            evidence=form.evidence.data,
            valid_until=form.valid_until.data,
            qualification=qualification,
            level_from=form.level_from.data,
            level_to=form.level_to.data,
            field=form.field.data,
            document=file.stream if file else None,
            document_name=file.filename if file else None,
        )
    except competence.CompetenceError as exc:
        db.session.rollback()
        getattr(form, exc.field or "evidence", form.evidence).errors.append(exc.message)
        return _page(form, 400)
    except UserError as exc:  # the document refused by the upload checks
        db.session.rollback()
        form.document.errors.append(exc.message)
        return _page(form, 400)
    db.session.commit()
    flash(_("The scope has been recorded."), "success")
    return redirect(url_for(".assessors"))


@bp.post("/admin/assessors/scopes/<int:scope_id>/end")
@role_required(ADMINISTRATOR)
def admin_scope(scope_id: int):
    scope = db.get_or_404(competence.AssessorScope, scope_id)
    form = EndScopeForm()
    if not form.validate_on_submit():
        flash(_("Write why the scope is withdrawn."), "error")
        return redirect(url_for(".assessors"))
    competence.end_scope(scope, actor=current_user, reason=form.reason.data)
    db.session.commit()
    flash(_("The scope has been withdrawn."), "success")
    return redirect(url_for(".assessors"))


@bp.get("/admin/assessors/scopes/<int:scope_id>/document")
@role_required(ADMINISTRATOR)
def scope_document(scope_id: int):
    scope = db.get_or_404(competence.AssessorScope, scope_id)
    if not scope.document_key:
        abort(404)
    try:
        return send_stored(
            scope.document_key,
            size=scope.document_size,
            mimetype=scope.document_type,
            as_attachment=True,
            download_name=scope.document_name,
            etag=scope.document_sha256,
        )
    except StorageError:
        abort(404)
