"""Certificate routes for each role: the register and lifecycle for administrators only, files for the holder and
administrators, verification for anyone."""

import pytest
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.extensions import db

ROUTES = [
    ("GET", "/admin/certificates", {"anonymous": 302, "candidate": 403, "holder": 403, "assessor": 403, "admin": 200}),
    (
        "GET",
        "/admin/certificates/issue",
        {"anonymous": 302, "candidate": 403, "holder": 403, "assessor": 403, "admin": 200},
    ),
    (
        "GET",
        "/admin/certificates/progress?ids={id}",
        {"anonymous": 302, "candidate": 403, "holder": 403, "assessor": 403, "admin": 200},
    ),
    (
        "GET",
        "/admin/certificates/status.json?ids={id}",
        {"anonymous": 302, "candidate": 403, "holder": 403, "assessor": 403, "admin": 200},
    ),
    (
        "GET",
        "/admin/certificates/{id}",
        {"anonymous": 302, "candidate": 403, "holder": 403, "assessor": 403, "admin": 200},
    ),
    (
        "POST",
        "/admin/certificates/{id}/suspend",
        {"anonymous": 302, "candidate": 403, "holder": 403, "assessor": 403, "admin": 302},
    ),
    (
        "POST",
        "/admin/certificates/retry-failed",
        {"anonymous": 302, "candidate": 403, "holder": 403, "assessor": 403, "admin": 302},
    ),
    (
        "GET",
        "/certificates/{id}.pdf",
        {"anonymous": 302, "candidate": 404, "holder": 200, "assessor": 404, "admin": 200},
    ),
    (
        "GET",
        "/certificates/{id}/credential.json",
        {"anonymous": 302, "candidate": 404, "holder": 200, "assessor": 404, "admin": 200},
    ),
    # renewal: the holder's alone; a certificate just issued is not yet in its window, a certified application is
    # not a renewal
    (
        "POST",
        "/certificates/{id}/renew",
        {"anonymous": 302, "candidate": 403, "holder": 409, "assessor": 403, "admin": 403},
    ),
    ("GET", "/admin/surveillance", {"anonymous": 302, "candidate": 403, "holder": 403, "assessor": 403, "admin": 200}),
    (
        "POST",
        "/admin/surveillance/{check}",
        {"anonymous": 302, "candidate": 403, "holder": 403, "assessor": 403, "admin": 404},
    ),
    (
        "GET",
        "/admin/surveillance/{check}/document",
        {"anonymous": 302, "candidate": 403, "holder": 403, "assessor": 403, "admin": 404},
    ),
    (
        "GET",
        "/certificates/{id}/surveillance",
        {"anonymous": 302, "candidate": 403, "holder": 404, "assessor": 403, "admin": 403},
    ),
    (
        "POST",
        "/certificates/{id}/surveillance",
        {"anonymous": 302, "candidate": 403, "holder": 404, "assessor": 403, "admin": 403},
    ),
    ("GET", "/renewals/{app}", {"anonymous": 302, "candidate": 403, "holder": 404, "assessor": 403, "admin": 403}),
    ("POST", "/renewals/{app}", {"anonymous": 302, "candidate": 403, "holder": 404, "assessor": 403, "admin": 403}),
    (
        "POST",
        "/renewals/{app}/submit",
        {"anonymous": 302, "candidate": 403, "holder": 404, "assessor": 403, "admin": 403},
    ),
    ("GET", "/verify/{code}", {"anonymous": 200, "candidate": 200, "holder": 200, "assessor": 200, "admin": 200}),
    (
        "GET",
        "/api/v1/certificates/{code}",
        {"anonymous": 200, "candidate": 200, "holder": 200, "assessor": 200, "admin": 200},
    ),
    ("GET", "/api/v1/openapi.json", {"anonymous": 200, "candidate": 200, "holder": 200, "assessor": 200, "admin": 200}),
    # the credential (certificates/public.py)
    (
        "GET",
        "/certificates/{id}/credential.jwt",
        {"anonymous": 302, "candidate": 404, "holder": 200, "assessor": 404, "admin": 200},
    ),
    (
        "POST",
        "/certificates/{id}/credential/sharing",
        {"anonymous": 302, "candidate": 404, "holder": 302, "assessor": 404, "admin": 403},
    ),
    (
        "GET",
        "/certificates/{id}/appeal",
        {"anonymous": 302, "candidate": 404, "holder": 200, "assessor": 404, "admin": 404},
    ),
    ("GET", "/credentials/{code}", {"anonymous": 200, "candidate": 200, "holder": 200, "assessor": 200, "admin": 200}),
    (
        "GET",
        "/credentials/{code}.json",
        {"anonymous": 200, "candidate": 200, "holder": 200, "assessor": 200, "admin": 200},
    ),
    (
        "GET",
        "/credentials/{code}.jwt",
        {"anonymous": 200, "candidate": 200, "holder": 200, "assessor": 200, "admin": 200},
    ),
    (
        "GET",
        "/credentials/status/revocation",
        {"anonymous": 200, "candidate": 200, "holder": 200, "assessor": 200, "admin": 200},
    ),
    (
        "GET",
        "/.well-known/did.json",
        {"anonymous": 200, "candidate": 200, "holder": 200, "assessor": 200, "admin": 200},
    ),
    ("GET", "/did.json", {"anonymous": 200, "candidate": 200, "holder": 200, "assessor": 200, "admin": 200}),
    (
        "GET",
        "/.well-known/jwks.json",
        {"anonymous": 200, "candidate": 200, "holder": 200, "assessor": 200, "admin": 200},
    ),
]


def test_every_certificate_route_is_listed():
    from certcenter import create_app

    app = create_app("testing")
    found = {
        rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(("certificates.", "credentials."))
    }
    lifecycle = "/admin/certificates/<int:certificate_id>/<any(suspend, reinstate, revoke, reissue, retry):action>"
    status_lists = "/credentials/status/<any(revocation, suspension):purpose>"
    listed = {
        lifecycle
        if url.endswith("/suspend")
        else status_lists
        if url.startswith("/credentials/status/")
        else url.split("?")[0]
        .replace("{id}", "<int:certificate_id>")
        .replace("{code}", "<code>")
        .replace("{app}", "<int:application_id>")
        .replace("{check}", "<int:check_id>")
        for _method, url, _expected in ROUTES
    }
    assert found == listed


@pytest.mark.parametrize(("method", "template", "expected"), ROUTES)
@pytest.mark.parametrize("role", ["anonymous", "candidate", "holder", "assessor", "admin"])
def test_access(app, confirmed, login_as, method, template, expected, role):
    from tests.conftest import login

    (application_id,) = confirmed(1)
    admin = login_as("admin")
    admin.post("/admin/certificates/issue", data={"application": [str(application_id)]})
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        holder_email = certificate.application.candidate.user.email
        url = template.format(id=certificate.id, code=certificate.verification_code, app=application_id, check=987654)
    if role == "anonymous":
        client = app.test_client()
    elif role == "holder":
        client = app.test_client()
        login(client, holder_email)
    elif role == "admin":
        client = admin
    else:
        client = login_as(role)
    response = client.open(url, method=method, data={"reason": "Checked."} if method == "POST" else None)
    assert response.status_code == expected[role]
