"""Security headers: pages framed by nobody and loading no plug-ins, downloads sandboxed, the evidence preview
still framed by the assessor's page, HSTS in production. (Chromium's view of the same: tests/e2e/test_framing.py,
beside the other browser tests, which share one browser.)"""

import io

import pytest
from sqlalchemy import select

from certcenter import create_app
from certcenter.certificates.models import Certificate
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from certcenter.reports.models import Report
from tests import samples
from tests.conftest import database_url_for_tests


def policy(response) -> dict[str, str]:
    directives = (part.strip() for part in response.headers["Content-Security-Policy"].split(";"))
    return {name: value for name, _sep, value in (d.partition(" ") for d in directives if d)}


def test_pages_are_framed_by_nobody_and_load_no_plugins(app, client, login_as):
    for response in (client.get("/"), client.get("/login"), login_as("admin").get("/admin/users")):
        csp = policy(response)
        assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'" and csp["frame-ancestors"] == "'none'"
        assert csp["script-src"] == "'self'" and csp["form-action"] == "'self'"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in response.headers  # development and tests speak plain HTTP


@pytest.fixture
def evidence(app, make_candidate, catalogue):
    client = make_candidate()
    response = client.post(f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": "t"})
    application_id = response.headers["Location"].rsplit("/", 1)[1]
    for name, content in (("d.pdf", samples.PDF), ("p.png", samples.png()), ("r.docx", samples.docx())):
        data = {"kind": "diploma", "description": name, "file": (io.BytesIO(content), name)}
        client.post(f"/applications/{application_id}/evidence", data=data, content_type="multipart/form-data")
    with app.app_context():
        client.items = {item.original_filename: item.id for item in db.session.scalars(select(EvidenceItem))}
    return client


def test_evidence_downloads_are_sandboxed(evidence):
    for item_id in evidence.items.values():
        response = evidence.get(f"/evidence/{item_id}")
        assert response.headers["Content-Disposition"].startswith("attachment")
        csp = policy(response)
        assert "sandbox" in csp and csp["default-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_evidence_previews_are_framed_by_the_centres_pages_only(evidence):
    pdf = evidence.get(f"/evidence/{evidence.items['d.pdf']}?inline=1")
    image = evidence.get(f"/evidence/{evidence.items['p.png']}?inline=1")
    for response in (pdf, image):
        assert response.headers["Content-Disposition"].startswith("inline")
        assert policy(response)["frame-ancestors"] == "'self'" and response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "sandbox" in policy(image)
    assert "sandbox" not in policy(pdf)  # Chromium's PDF viewer refuses to run in a sandboxed document
    document = evidence.get(f"/evidence/{evidence.items['r.docx']}?inline=1")  # not previewable: a download
    assert "sandbox" in policy(document) and policy(document)["frame-ancestors"] == "'none'"


def test_certificate_credential_and_report_downloads_are_sandboxed(app, confirmed, login_as):
    ids = confirmed()
    admin = login_as("admin")
    admin.post("/admin/certificates/issue", data={"application": [str(i) for i in ids]})
    admin.post("/admin/reports/export", data={"dataset": "certificates", "format": "csv"})
    with app.app_context():
        certificate_id = db.session.scalar(select(Certificate.id))
        report_id = db.session.scalar(select(Report.id).where(Report.status == "ready"))
    for url in (
        f"/certificates/{certificate_id}.pdf",
        f"/certificates/{certificate_id}/credential.json",
        f"/reports/{report_id}/download",
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert "sandbox" in policy(response) and policy(response)["frame-ancestors"] == "'none'", url


def test_production_sends_hsts(app):
    production = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=database_url_for_tests(),
        STORAGE_ROOT=app.config["STORAGE_ROOT"],
        SECRET_KEY="k" * 32,
        PUBLIC_BASE_URL="https://certcenter.example.kz",
    )
    response = production.test_client().get("/login", base_url="https://certcenter.example.kz")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert policy(response)["frame-ancestors"] == "'none'"
