"""For anyone: verification of a certificate (its page, and an uploaded copy checked against it) and the JSON
API, both rate-limited together."""

from __future__ import annotations

import hashlib

from flask import abort, current_app, jsonify, render_template

from certcenter.certificates import services
from certcenter.certificates.forms import VerifyUploadForm
from certcenter.certificates.models import STATUS_LABELS
from certcenter.certificates.openapi import OPENAPI
from certcenter.certificates.signing import verify_pdf
from certcenter.certificates.views import bp
from certcenter.core.settings import centre_settings
from certcenter.extensions import csrf, limiter


def verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


@bp.route("/verify/<code>", methods=["GET", "POST"])
@limiter.shared_limit(verify_limit, scope="certificate-verification")
def verify(code: str):
    certificate = services.certificate_by_code(code)
    if certificate is None:
        return render_template("certificates/verify_unknown.html"), 404
    form = VerifyUploadForm()
    check = None
    if form.validate_on_submit() and form.file.data:
        content = form.file.data.read(current_app.config["EVIDENCE_MAX_FILE_BYTES"] + 1)
        digest = hashlib.sha256(content).hexdigest()
        signature = verify_pdf(content)
        check = {
            "matches": digest == certificate.sha256,
            "sha256": digest,
            "signature": signature,
            "other": None if digest == certificate.sha256 else services.certificate_by_hash(digest),
        }
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        record=services.public_record(certificate),
        form=form,
        check=check,
        status_labels=STATUS_LABELS,
    )


@bp.get("/api/v1/certificates/<code>")
@limiter.shared_limit(verify_limit, scope="certificate-verification")
@csrf.exempt
def api_certificate(code: str):
    certificate = services.certificate_by_code(code)
    if certificate is None:
        abort(404)  # answered as problem details
    return jsonify(services.public_record(certificate))


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(OPENAPI | {"servers": [{"url": centre_settings().public_base_url.rstrip("/")}]})
