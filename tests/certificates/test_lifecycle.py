"""Every lifecycle move, its audit entry, and its effect on the verification page and the JSON at once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from certcenter.certificates.models import Certificate
from certcenter.certificates.services import expire_due
from certcenter.core.models import AuditEntry
from certcenter.core.storage import get_storage
from certcenter.extensions import db


@pytest.fixture
def issued(app, confirmed, login_as):
    ids = confirmed(1)
    admin = login_as("admin")
    admin.post("/admin/certificates/issue", data={"application": [str(ids[0])]})
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        admin.certificate_id, admin.code = certificate.id, certificate.verification_code
    admin.post("/language", data={"language": "en"})
    return admin


def public(client, code):
    page = client.get(f"/verify/{code}")
    api = client.get(f"/api/v1/certificates/{code}")
    return page.get_data(as_text=True), api.get_json()


def actions(app):
    with app.app_context():
        return db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("certificate.%")).order_by(AuditEntry.id)
        ).all()


def act(admin, action, reason=""):
    return admin.post(f"/admin/certificates/{admin.certificate_id}/{action}", data={"reason": reason})


def test_valid_certificate_is_shown_without_personal_data(app, issued, client):
    client.post("/language", data={"language": "en"})
    page, record = public(client, issued.code)
    assert "This certificate is genuine and in force." in page
    assert record["status"] == "valid" and record["nqf_level"] == 3 and record["eqf_level"] == 3
    with app.app_context():
        certificate = db.session.get(Certificate, issued.certificate_id)
        profile = certificate.application.candidate
        for secret in (profile.iin, profile.phone, profile.user.email):
            assert secret not in page and secret not in str(record)


def test_suspend_and_reinstate(app, issued, client):
    client.post("/language", data={"language": "en"})
    assert act(issued, "suspend", "").status_code == 409  # a reason is required
    assert act(issued, "suspend", "Employer complaint under review").status_code == 302
    page, record = public(client, issued.code)
    assert "This certificate is suspended since" in page and "Employer complaint under review" in page
    assert record["status"] == "suspended" and record["status_reason"] == "Employer complaint under review"
    assert act(issued, "reinstate", "Complaint unfounded").status_code == 302
    page, record = public(client, issued.code)
    assert record["status"] == "valid" and "genuine and in force" in page
    assert actions(app)[-2:] == ["certificate.suspend", "certificate.reinstate"]


def test_revocation_needs_a_reason_and_is_irreversible(app, issued, client):
    client.post("/language", data={"language": "en"})
    assert act(issued, "revoke", "  ").status_code == 409
    assert act(issued, "revoke", "Forged work record").status_code == 302
    page, record = public(client, issued.code)
    assert "This certificate was revoked on" in page and "Forged work record" in page
    assert record["status"] == "revoked" and record["status_changed_at"]
    for action in ("reinstate", "suspend", "reissue", "revoke"):
        assert act(issued, action, "again").status_code == 409
    assert "certificate.revoke" in actions(app)


def test_reissue_gives_a_new_number_and_links_the_old_one(app, issued, client):
    client.post("/language", data={"language": "en"})
    response = act(issued, "reissue", "Name changed after marriage")
    assert response.status_code == 302
    with app.app_context():
        old, new = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        assert old.status == "superseded" and new.replaces_id == old.id and new.number != old.number
        assert new.generation == 2 and new.decision_id == old.decision_id and new.expires_on == old.expires_on
        assert new.render_status == "ready"
        new_code, new_number = new.verification_code, new.number
    page, record = public(client, issued.code)
    assert f"This certificate was replaced by certificate No. {new_number}" in page
    assert record["status"] == "superseded" and record["superseded_by"] == new_number
    assert public(client, new_code)[1]["replaces"] == record["number"]
    assert {"certificate.supersede", "certificate.reissue"} <= set(actions(app))


def test_expiry_by_the_nightly_task(app, issued, client):
    client.post("/language", data={"language": "en"})
    with app.app_context():
        certificate = db.session.get(Certificate, issued.certificate_id)
        certificate.issued_on = date.today() - timedelta(days=3 * 365)  # set-up: time has passed
        certificate.expires_on = date.today() - timedelta(days=1)
        db.session.commit()
    assert public(client, issued.code)[1]["status"] == "expired"  # shown at once, even before the task
    with app.app_context():
        assert expire_due() == 1
        db.session.commit()
        assert db.session.get(Certificate, issued.certificate_id).status == "expired"
        assert expire_due() == 0
    page, _record = public(client, issued.code)
    assert "This certificate expired on" in page
    assert "certificate.expire" in actions(app)


def test_uploading_the_genuine_file_and_an_altered_one(app, issued, client):
    import io

    client.post("/language", data={"language": "en"})
    with app.app_context():
        certificate = db.session.get(Certificate, issued.certificate_id)
        with get_storage().open(certificate.storage_key) as handle:
            pdf = handle.read()
    genuine = client.post(
        f"/verify/{issued.code}", data={"file": (io.BytesIO(pdf), "c.pdf")}, content_type="multipart/form-data"
    )
    assert "Genuine: this is exactly the file the centre issued" in genuine.get_data(as_text=True)
    altered = pdf.replace(b"/Producer", b"/Producex", 1) if b"/Producer" in pdf else pdf + b"\n%x"
    response = client.post(
        f"/verify/{issued.code}", data={"file": (io.BytesIO(altered), "c.pdf")}, content_type="multipart/form-data"
    )
    assert "Not the genuine file" in response.get_data(as_text=True)


def test_unknown_codes(client):
    assert client.get("/verify/not-a-real-code").status_code == 404
    response = client.get("/api/v1/certificates/not-a-real-code")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/problems/not-found")


def test_the_openapi_document_describes_the_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    operation = document["paths"]["/api/v1/certificates/{code}"]["get"]
    assert set(operation["responses"]) == {"200", "404", "429"}
    properties = document["components"]["schemas"]["Certificate"]["properties"]
    assert "iin" not in str(properties).lower().replace("pdf_sha256", "")


def test_verification_is_rate_limited(make_app, issued):
    app = make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="5 per minute")
    client = app.test_client()
    statuses = [client.get(f"/api/v1/certificates/guess-{n}").status_code for n in range(7)]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429, 429]
    assert client.get(f"/verify/{issued.code}").status_code == 429  # the same budget for the page


def test_every_change_is_audited(app, issued):
    act(issued, "suspend", "x")
    act(issued, "reinstate", "")
    act(issued, "revoke", "y")
    with app.app_context():
        count = db.session.scalar(select(func.count()).where(AuditEntry.target_type == "Certificate"))
    assert count >= 4  # issue, suspend, reinstate, revoke
