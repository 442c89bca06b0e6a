"""Downloads from the object store: streamed through the app, or, above a configured size, a redirect to a presigned
URL valid for a minute; in both cases only after the same access checks as from the filesystem."""

import hashlib
import urllib.request

import pytest
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.extensions import db
from tests.conftest import login


@pytest.fixture
def issued(confirmed, make_user):
    """An S3-backed app with one certificate rendered into its bucket, an administrator and a stranger signed in."""

    def _issue(app):
        (application_id,) = confirmed(1)
        admin, stranger = app.test_client(), app.test_client()
        login(admin, make_user("administrator").email)
        login(stranger, make_user("candidate").email)
        assert admin.post("/admin/certificates/issue", data={"application": [str(application_id)]}).status_code == 302
        with app.app_context():
            certificate = db.session.scalar(select(Certificate))
            db.session.expunge(certificate)
        assert certificate.render_status == "ready"
        return certificate, admin, stranger

    return _issue


def test_a_download_is_streamed_from_the_object_store(make_app, s3, issued):
    bucket = s3.new_bucket()
    app = make_app(**s3.settings(bucket))
    certificate, admin, stranger = issued(app)
    stored = s3.client().get_object(Bucket=bucket, Key=f"files/{certificate.storage_key}")["Body"].read()
    response = admin.get(f"/certificates/{certificate.id}.pdf", buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert response.content_length == certificate.size == len(stored)
    assert response.get_data() == stored and hashlib.sha256(stored).hexdigest() == certificate.sha256
    assert stranger.get(f"/certificates/{certificate.id}.pdf").status_code == 404


def test_a_large_download_is_a_presigned_url_after_the_access_checks(make_app, s3, issued):
    bucket = s3.new_bucket()
    app = make_app(**s3.settings(bucket, S3_PRESIGN_ABOVE_BYTES=1000, S3_PRESIGN_SECONDS=30))
    certificate, admin, stranger = issued(app)
    refused = stranger.get(f"/certificates/{certificate.id}.pdf")
    assert refused.status_code == 404 and "Location" not in refused.headers
    response = admin.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 303
    url = response.headers["Location"]
    assert url.startswith(f"{s3.endpoint}/{bucket}/files/certificates/") and "X-Amz-Expires=30&" in url
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert hashlib.sha256(answer.read()).hexdigest() == certificate.sha256
        assert answer.headers["Content-Disposition"] == f"attachment; filename*=UTF-8''{certificate.number}.pdf"
        assert answer.headers["Content-Type"] == "application/pdf"
    tampered = url.replace("certificates%2F", "evidence%2F").replace("/certificates/", "/evidence/")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(tampered, timeout=10)  # the signature covers the key
