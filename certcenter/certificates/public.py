"""The credentials' routes. For anyone: a shared credential (a page for a browser, the signed JSON or the JWT for a
program), the status lists, and the issuer's keys (did:web document, JWKS). For the holder: the JWT download and the
switch that withdraws or restores the public link. Errors on the public ones are problem details (RFC 9457)."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from certcenter.certificates import services
from certcenter.certificates.credential import JWT_MEDIA_TYPE, VC_MEDIA_TYPE, credential_json, signed_credential
from certcenter.certificates.keys import did_document, jwks
from certcenter.certificates.models import STATUS_LABELS, Certificate
from certcenter.certificates.status_list import MAX_AGE_SECONDS, signed_status_list
from certcenter.extensions import db, limiter

bp = Blueprint("credentials", __name__)

JSON_TYPES = [VC_MEDIA_TYPE, "application/ld+json", "application/json"]
DID_MEDIA_TYPE = "application/did+ld+json"


def lookup_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _negotiated(*offered: str) -> str:
    """The representation the Accept header prefers among those offered (406 if none); without an Accept header,
    the first."""
    if not request.accept_mimetypes:
        return offered[0]
    wanted = request.accept_mimetypes.best_match(list(offered))
    if wanted is None:
        abort(406)
    return wanted


def _shared(code: str) -> Certificate:
    certificate = services.certificate_by_code(code)
    if certificate is None:
        abort(404)
    if not certificate.credential_shared:
        abort(410)
    return certificate


def _credential_response(body: str, mimetype: str, etag: str, *, download_name: str | None = None):
    response = make_response(body)
    response.mimetype = mimetype
    response.set_etag(hashlib.sha256(f"{etag}|{mimetype}".encode()).hexdigest()[:32])
    response.vary.add("Accept")
    response.cache_control.no_cache = True  # a withdrawal takes effect at once; unchanged, a revalidation is cheap
    if download_name:
        response.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response.make_conditional(request)


def _signed(certificate: Certificate):
    record = signed_credential(certificate)
    db.session.commit()  # signed the first time it is asked for, and kept
    return record


# --- anyone ---------------------------------------------------------------------------------------------------------


@bp.get("/credentials/<code>")
@limiter.shared_limit(lookup_limit, scope="certificate-verification")
def credential(code: str):
    """The credential's ``id``: a page for a browser, the signed credential for a program."""
    certificate = _shared(code)
    wanted = _negotiated(*JSON_TYPES, JWT_MEDIA_TYPE, "text/html")
    record = _signed(certificate)
    if wanted == "text/html":
        response = make_response(
            render_template(
                "certificates/credential.html",
                certificate=certificate,
                record=services.public_record(certificate),
                credential=record.document,
                status_labels=STATUS_LABELS,
            )
        )
        response.vary.add("Accept")
        return response
    if wanted == JWT_MEDIA_TYPE:
        return _credential_response(record.jwt, JWT_MEDIA_TYPE, record.jwt)
    return _credential_response(credential_json(record), wanted, record.jwt)


@bp.get("/credentials/<code>.json")
@limiter.shared_limit(lookup_limit, scope="certificate-verification")
def credential_download(code: str):
    certificate = _shared(code)
    record = _signed(certificate)
    return _credential_response(
        credential_json(record), VC_MEDIA_TYPE, record.jwt, download_name=f"{certificate.number}.credential.json"
    )


@bp.get("/credentials/<code>.jwt")
@limiter.shared_limit(lookup_limit, scope="certificate-verification")
def credential_jwt(code: str):
    certificate = _shared(code)
    record = _signed(certificate)
    return _credential_response(record.jwt, JWT_MEDIA_TYPE, record.jwt, download_name=f"{certificate.number}.jwt")


@bp.get("/credentials/status/<any(revocation, suspension):purpose>")
def status_list(purpose: str):
    """The purpose's signed status list; verifiers may keep it for a few minutes (and revalidate by ETag)."""
    wanted = _negotiated(*JSON_TYPES, JWT_MEDIA_TYPE)
    document, token, etag = signed_status_list(purpose)
    body = token if wanted == JWT_MEDIA_TYPE else jsonify(document).get_data(as_text=True)
    response = make_response(body)
    response.mimetype = wanted
    response.set_etag(f"{etag}-{'jwt' if wanted == JWT_MEDIA_TYPE else 'json'}")
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_SECONDS
    response.vary.add("Accept")
    return response.make_conditional(request)


def _keys_response(document: dict, mimetype: str):
    response = jsonify(document)
    response.mimetype = mimetype
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_SECONDS
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/.well-known/did.json")
@bp.get("/did.json")  # where did:web resolvers look when the public address has a path
def did():
    """The issuer's DID document (did:web): every credential key, current and rotated out."""
    return _keys_response(did_document(), DID_MEDIA_TYPE)


@bp.get("/.well-known/jwks.json")
def jwks_document():
    return _keys_response(jwks(), "application/jwk-set+json")


# --- the holder -----------------------------------------------------------------------------------------------------


def _holders(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not certificate.can_download(current_user):
        abort(404)
    return certificate


@bp.get("/certificates/<int:certificate_id>/credential.jwt")
@login_required
def holder_jwt(certificate_id: int):
    certificate = _holders(certificate_id)
    record = _signed(certificate)
    return _credential_response(record.jwt, JWT_MEDIA_TYPE, record.jwt, download_name=f"{certificate.number}.jwt")


@bp.post("/certificates/<int:certificate_id>/credential/sharing")
@login_required
def sharing(certificate_id: int):
    certificate = _holders(certificate_id)
    if not certificate.can_share(current_user):
        abort(403)
    if request.form.get("share") == "1":
        services.share_credential(certificate, actor=current_user)
        message = _("Your credential is public again at its link.")
    else:
        services.withdraw_credential(certificate, actor=current_user)
        message = _("The public link to your credential no longer works.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("applications.dashboard"))
