"""Evidence files, served by id to those allowed to see them (never by path), and the candidate's evidence on his
application: upload, remove, map to criteria."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import CANDIDATE
from certcenter.applications.models import Application
from certcenter.applications.views import application_page, viewable_application
from certcenter.core.headers import frame_within_site
from certcenter.core.permissions import role_required
from certcenter.core.storage import StorageError, send_stored
from certcenter.evidence import services
from certcenter.evidence.forms import EvidenceUploadForm
from certcenter.evidence.models import EvidenceItem
from certcenter.evidence.uploads import UploadError
from certcenter.extensions import db

bp = Blueprint("evidence", __name__)


@bp.get("/evidence/<int:item_id>")
@login_required
def download(item_id: int):
    item = db.session.get(EvidenceItem, item_id)
    if item is None or not item.can_view(current_user):
        abort(404)
    # Previews (PDF and images) open inline in the assessor's page; everything else is a download.
    inline = request.args.get("inline") == "1" and item.previewable
    try:
        response = send_stored(
            item.storage_key,
            size=item.size,
            mimetype=item.content_type,
            as_attachment=not inline,
            download_name=item.original_filename,
            etag=item.sha256,
        )
    except StorageError:
        abort(404)
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        # shown by the browser's own viewer inside the assessor's page; a download gets the sandboxed policy of all
        frame_within_site(response, sandbox=item.content_type != "application/pdf")
    return response


def _editable_application(application_id: int) -> Application:
    application = viewable_application(application_id)
    if not application.is_owner(current_user):
        abort(403)
    if not application.is_editable:
        abort(409, description=_("The application has been submitted; it can no longer be changed."))
    return application


def _own_item(application: Application, item_id: int) -> EvidenceItem:
    item = db.session.get(EvidenceItem, item_id)
    if item is None or item.application_id != application.id or not ConfirmForm().validate_on_submit():
        abort(404)
    return item


def _back_to(application: Application, anchor: str):
    return redirect(url_for("applications.application", application_id=application.id) + anchor)


@bp.post("/applications/<int:application_id>/evidence")
@role_required(CANDIDATE)
def upload(application_id: int):
    application = _editable_application(application_id)
    form = EvidenceUploadForm()
    if form.validate_on_submit():
        file = form.file.data
        try:
            if not file:
                raise UploadError(_l("Choose a file to upload."))
            services.add_evidence(
                application.candidate,
                file.stream,
                file.filename,
                kind=form.kind.data,
                actor=current_user,
                application=application,
                description=form.description.data,
                document_date=form.document_date.data,
            )
        except UploadError as exc:
            db.session.rollback()
            form.file.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The file has been added. Now map it to the criteria it supports."), "success")
            return _back_to(application, "#evidence")
    return application_page(application, 400, upload_form=form)


@bp.post("/applications/<int:application_id>/evidence/<int:item_id>/delete")
@role_required(CANDIDATE)
def delete(application_id: int, item_id: int):
    application = _editable_application(application_id)
    item = _own_item(application, item_id)
    services.remove_evidence(item, actor=current_user)
    db.session.commit()
    flash(_("The file has been removed."), "success")
    return _back_to(application, "#evidence")


@bp.post("/applications/<int:application_id>/evidence/<int:item_id>/criteria")
@role_required(CANDIDATE)
def criteria(application_id: int, item_id: int):
    application = _editable_application(application_id)
    item = _own_item(application, item_id)
    services.set_criteria(item, set(request.form.getlist("criteria")), actor=current_user)
    db.session.commit()
    flash(_("The criteria for “%(name)s” have been saved.", name=item.original_filename), "success")
    return _back_to(application, f"#item-{item.id}")
