"""Evidence files, served by id to those allowed to see them, never by path."""

from __future__ import annotations

from flask import Blueprint, abort, request, send_file
from flask_login import current_user, login_required

from certcenter.core.headers import frame_within_site
from certcenter.core.storage import StorageError, get_storage
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db

bp = Blueprint("evidence", __name__)


@bp.get("/evidence/<int:item_id>")
@login_required
def download(item_id: int):
    item = db.session.get(EvidenceItem, item_id)
    if item is None or not item.can_view(current_user):
        abort(404)
    try:
        handle = get_storage().open(item.storage_key)
    except StorageError:
        abort(404)
    # Previews (PDF and images) open inline in the assessor's page; everything else is a download.
    inline = request.args.get("inline") == "1" and item.previewable
    response = send_file(
        handle,
        mimetype=item.content_type,
        as_attachment=not inline,
        download_name=item.original_filename,
        etag=item.sha256,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        # shown by the browser's own viewer inside the assessor's page; a download gets the sandboxed policy of all
        frame_within_site(response, sandbox=item.content_type != "application/pdf")
    return response
