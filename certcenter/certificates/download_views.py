"""The holder's downloads: the signed PDF of his certificate and its credential."""

from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user, login_required

from certcenter.certificates.credential import VC_MEDIA_TYPE, credential_json, signed_credential
from certcenter.certificates.models import Certificate
from certcenter.certificates.views import bp
from certcenter.core.storage import StorageError, send_stored
from certcenter.extensions import db


def _downloadable(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not certificate.can_download(current_user):
        abort(404)
    return certificate


@bp.get("/certificates/<int:certificate_id>.pdf")
@login_required
def download(certificate_id: int):
    certificate = _downloadable(certificate_id)
    if not certificate.ready:
        abort(404)
    try:
        return send_stored(
            certificate.storage_key,
            size=certificate.size,
            mimetype="application/pdf",
            download_name=f"{certificate.number}.pdf",
            etag=certificate.sha256,
        )
    except StorageError:
        abort(404)


@bp.get("/certificates/<int:certificate_id>/credential.json")
@login_required
def credential(certificate_id: int):
    certificate = _downloadable(certificate_id)
    record = signed_credential(certificate)
    db.session.commit()  # signed the first time it is asked for, and kept
    response = current_app.response_class(credential_json(record), mimetype=VC_MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.number}.credential.json"'
    return response
