"""The person as frozen at submission: a name changed in the profile afterwards never reaches the certificate; a
change of name is a request with its document that an administrator approves (audited), after which certificates
issued or reissued carry the new name. Read back from the PDFs with pdftotext."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR, CANDIDATE, User
from certcenter.applications.models import Application, NameChangeRequest
from certcenter.certificates.models import Certificate
from certcenter.core.models import AuditEntry
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from tests import samples
from tests.certificates.conftest import pdftotext
from tests.conftest import login

FROZEN, FROZEN_LATIN = "Нұржан Болатұлы Үсенов", "Nurzhan Bolatuly Ussenov"
NEW, NEW_LATIN = "Нұржан Болатұлы Серіков", "Nurzhan Bolatuly Serikov"
RENAMED = "Басқа Біреудің Аты"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def candidate_client(app, application_id: int):
    with app.app_context():
        application = db.session.get(Application, application_id)
        email = application.candidate.user.email
        profile = application.candidate
        fields = {"iin": profile.iin, "birth_date": profile.birth_date.isoformat(), "phone": "+7 701 000 00 00"}
    client = app.test_client()
    assert login(client, email).status_code == 302
    client.post("/language", data={"language": "en"})
    client.profile_fields = fields
    return client


def rename_profile(client, full_name: str, latin: str) -> None:
    response = client.post("/profile", data={"full_name": full_name, "full_name_latin": latin, **client.profile_fields})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def certificate_text(app, certificate_id: int, tmp_path) -> str:
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        with get_storage().open(certificate.storage_key) as handle:
            return flat(pdftotext(handle.read(), tmp_path))


def issue(app, admin, application_id: int) -> int:
    assert (
        admin.post("/admin/certificates/issue", data={"application": [str(application_id)], "english": "y"}).status_code
        == 302
    )
    with app.app_context():
        return db.session.scalar(
            select(Certificate.id).where(Certificate.application_id == application_id).order_by(Certificate.id.desc())
        )


def request_change(client, full_name: str = NEW, latin: str = NEW_LATIN, content: bytes = samples.PDF):
    return client.post(
        "/profile/name-change",
        content_type="multipart/form-data",
        data={
            "full_name": full_name,
            "full_name_latin": latin,
            "explanation": "Changed my surname.",
            "document": (io.BytesIO(content), "id-card.pdf"),
        },
    )


def the_request(app) -> NameChangeRequest:
    with app.app_context():
        request = db.session.scalar(select(NameChangeRequest))
        db.session.expunge(request)
        return request


def test_a_name_changed_in_the_profile_never_reaches_the_certificate_an_approved_change_does(
    app, confirmed, login_as, tmp_path
):
    (application_id,) = confirmed(1)
    candidate = candidate_client(app, application_id)
    admin = login_as("admin")
    rename_profile(candidate, RENAMED, "Somebody Else")

    first = issue(app, admin, application_id)
    text = certificate_text(app, first, tmp_path)
    assert FROZEN in text and FROZEN_LATIN in text and RENAMED not in text

    page = candidate.get("/profile/name-change").get_data(as_text=True)
    assert FROZEN in page  # the name his applications carry, not the profile's
    assert request_change(candidate).status_code == 302
    request = the_request(app)
    assert (request.status, request.previous_name, request.full_name) == ("pending", FROZEN, NEW)
    assert candidate.post(f"/admin/name-changes/{request.id}", data={"decision": "approve"}).status_code == 403
    admin.post("/language", data={"language": "en"})
    listing = admin.get("/admin/name-changes").get_data(as_text=True)
    assert NEW in listing and f"/evidence/{request.document_id}" in listing
    assert admin.get(f"/evidence/{request.document_id}").status_code == 200  # the document, for the administrator

    assert admin.post(f"/admin/name-changes/{request.id}", data={"decision": "approve"}).status_code == 302
    with app.app_context():
        assert db.session.get(NameChangeRequest, request.id).status == "approved"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "application.name_change_approve"))
        assert entry.details["full_name"] == NEW and entry.details["application_ids"] == [application_id]
    # the certificate issued before keeps its name until it is reissued, which carries the new one
    assert FROZEN in certificate_text(app, first, tmp_path)
    response = admin.post(
        f"/admin/certificates/{first}/reissue", data={"reason": "Change of name approved.", "english": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        second = db.session.scalar(select(Certificate.id).where(Certificate.replaces_id == first))
    text = certificate_text(app, second, tmp_path)
    assert NEW in text and NEW_LATIN in text and FROZEN not in text


def test_a_change_approved_before_the_issue_reaches_the_certificate(app, confirmed, login_as, tmp_path):
    (application_id,) = confirmed(1)
    candidate = candidate_client(app, application_id)
    admin = login_as("admin")
    assert request_change(candidate).status_code == 302
    assert admin.post(f"/admin/name-changes/{the_request(app).id}", data={"decision": "approve"}).status_code == 302
    text = certificate_text(app, issue(app, admin, application_id), tmp_path)
    assert NEW in text and FROZEN not in text


def test_a_refused_change_needs_a_reason_and_changes_nothing(app, confirmed, login_as, tmp_path):
    (application_id,) = confirmed(1)
    candidate = candidate_client(app, application_id)
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    assert request_change(candidate).status_code == 302
    request = the_request(app)
    unreasoned = admin.post(f"/admin/name-changes/{request.id}", data={"decision": "refuse"})
    assert unreasoned.status_code == 409
    assert "Write the reason for refusing the change of name." in unreasoned.get_data(as_text=True)
    refused = admin.post(f"/admin/name-changes/{request.id}", data={"decision": "refuse", "reason": "Unreadable."})
    assert refused.status_code == 302
    assert "Unreadable." in candidate.get("/profile/name-change").get_data(as_text=True)
    text = certificate_text(app, issue(app, admin, application_id), tmp_path)
    assert FROZEN in text and NEW not in text


def test_the_document_is_checked_like_any_upload_and_required(app, confirmed):
    (application_id,) = confirmed(1)
    candidate = candidate_client(app, application_id)
    disguised = request_change(candidate, content=b"<html><script>alert(1)</script></html>")
    assert disguised.status_code == 400
    missing = candidate.post("/profile/name-change", data={"full_name": NEW, "full_name_latin": NEW_LATIN})
    assert missing.status_code == 400
    assert "Choose the document that shows the new name." in missing.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(NameChangeRequest)).all() == []


def test_nobody_decides_on_his_own_name(app, confirmed, login_as):
    (application_id,) = confirmed(1)
    candidate = candidate_client(app, application_id)
    assert request_change(candidate).status_code == 302
    with app.app_context():
        user = db.session.get(User, db.session.get(Application, application_id).candidate.user_id)
        user.set_roles({CANDIDATE, ADMINISTRATOR})
        db.session.commit()
    request = the_request(app)
    assert "another administrator decides" in candidate.get("/admin/name-changes").get_data(as_text=True)
    response = candidate.post(f"/admin/name-changes/{request.id}", data={"decision": "approve"})
    assert response.status_code == 409
    assert "You are the candidate of this application" in response.get_data(as_text=True)
    assert the_request(app).status == "pending"
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.refused"))
        assert entry.details["act"] == "decide_name_change"


def test_the_assessment_report_names_the_person_as_the_application_does(app, confirmed, login_as, tmp_path):
    from certcenter.reports.models import Report

    (application_id,) = confirmed(1)
    candidate = candidate_client(app, application_id)
    admin = login_as("admin")
    rename_profile(candidate, RENAMED, "Somebody Else")

    def latest_report_text() -> str:
        assert admin.post(f"/admin/applications/{application_id}/report").status_code == 302
        with app.app_context():
            report = db.session.scalar(select(Report).order_by(Report.id.desc()))
            with get_storage().open(report.storage_key) as handle:
                return flat(pdftotext(handle.read(), tmp_path))

    text = latest_report_text()
    assert FROZEN in text and RENAMED not in text
    assert request_change(candidate).status_code == 302
    assert admin.post(f"/admin/name-changes/{the_request(app).id}", data={"decision": "approve"}).status_code == 302
    text = latest_report_text()
    assert NEW in text and FROZEN not in text
