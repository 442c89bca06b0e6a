"""A refused form comes back on the page it was sent from, with the reason on top and what was typed kept; an
irreversible act sent without its confirmation does nothing."""

from __future__ import annotations

import io
import json
import re

from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.certificates.models import Certificate
from certcenter.extensions import db
from tests import samples

BASE = "http://localhost"


def kept_input(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="kept-input">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else {}


def state_of(app, application_id):
    with app.app_context():
        return db.session.get(Application, application_id).state


def test_submitting_without_the_confirmation_does_nothing_and_says_so(app, submitted, make_candidate, catalogue):
    candidate = make_candidate(years=2)
    candidate.post("/language", data={"language": "en"})
    response = candidate.post(f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": "t1"})
    page = response.headers["Location"]
    application_id = int(page.rsplit("/", 1)[1])
    # the page asks: a required tick box next to the button, and the dialog's words on the button
    html = candidate.get(page).get_data(as_text=True)
    assert 'name="confirmation_asked"' in html and 'name="confirmed" value="y" required' in html
    assert 'data-confirm="Submit the application? After submission' in html

    response = candidate.post(f"{page}/submit", data={"confirmation_asked": "1"}, headers={"Referer": BASE + page})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was done: confirm first." in html
    assert "<h2>Submit the application</h2>" in html  # the application page itself, not a bare error page
    assert state_of(app, application_id) == "draft"


def test_a_refusal_returns_to_the_page_with_the_typed_reason_kept(app, confirmed, make_user, login_as):
    from certcenter.accounts.models import User
    from certcenter.certificates.services import issue_certificates, revoke

    (application_id,) = confirmed(1)
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    with app.app_context():
        actor = db.session.get(User, admin.user.id)
        issue_certificates([application_id], actor=actor)
        certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == application_id))
        page, number = f"/admin/certificates/{certificate.id}", certificate.number
        # another administrator revokes it while this one has the page open
        revoke(certificate, actor=actor, reason="Жалған құжат")
        db.session.commit()
    response = admin.post(
        f"{page}/suspend",
        data={"reason": "Тексеру жүріп жатыр", "confirmation_asked": "1", "confirmed": "y"},
        headers={"Referer": BASE + page},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Only a valid certificate can be suspended." in html
    assert number in html  # the certificate's own page
    kept = kept_input(html)
    assert kept["action"] == f"{page}/suspend"
    assert kept["fields"]["reason"] == ["Тексеру жүріп жатыр"]
    assert "csrf_token" not in kept["fields"]


def test_without_a_page_to_return_to_the_refusal_is_the_error_page(app, confirmed, login_as):
    (application_id,) = confirmed(1)
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    response = admin.post(f"/admin/applications/{application_id}/decision", data={"outcome": "confirmed"})
    assert response.status_code == 409
    assert "kept-input" not in response.get_data(as_text=True)


def test_an_upload_over_the_limit_comes_back_on_the_application_page(app, make_candidate, catalogue):
    candidate = make_candidate()
    candidate.post("/language", data={"language": "en"})
    response = candidate.post(f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": "t2"})
    page = response.headers["Location"]
    app.config["MAX_CONTENT_LENGTH"] = 4096
    try:
        response = candidate.post(
            f"{page}/evidence",
            data={
                "kind": "diploma",
                "description": "Diploma",
                "file": (io.BytesIO(samples.PDF + b"0" * 10_000), "x.pdf"),
            },
            content_type="multipart/form-data",
            headers={"Referer": BASE + page},
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 21 * 1024 * 1024
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file you sent is larger than allowed." in html
    assert "<h2>Submit the application</h2>" in html


def test_a_referer_from_another_site_gets_the_plain_error_page(app, confirmed, login_as):
    (application_id,) = confirmed(1)
    admin = login_as("admin")
    response = admin.post(
        f"/admin/applications/{application_id}/decision",
        data={"outcome": "confirmed"},
        headers={"Referer": "https://elsewhere.example/admin/queue"},
    )
    assert response.status_code == 409
    assert "kept-input" not in response.get_data(as_text=True)


def test_a_scripts_request_gets_no_page_back(app, confirmed, login_as):
    (application_id,) = confirmed(1)
    admin = login_as("admin")
    response = admin.post(
        f"/admin/applications/{application_id}/decision",
        data={"outcome": "confirmed"},
        headers={"Referer": f"{BASE}/applications/{application_id}", "Sec-Fetch-Mode": "cors"},
    )
    assert response.status_code == 409
    assert "kept-input" not in response.get_data(as_text=True)
