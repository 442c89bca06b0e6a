"""Uploads: the type decided by content, size limits and quota, safe names, downloads only to those allowed."""

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from certcenter.applications.models import Application
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from tests import samples


@pytest.fixture
def draft(app, make_candidate, catalogue):
    client = make_candidate()
    client.post("/language", data={"language": "en"})
    response = client.post(f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": "t"})
    client.application_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return client


def upload(client, content, name, **fields):
    data = {"kind": "diploma", "description": "Diploma", **fields, "file": (io.BytesIO(content), name)}
    return client.post(f"/applications/{client.application_id}/evidence", data=data, content_type="multipart/form-data")


def items(app):
    with app.app_context():
        return db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id)).all()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (samples.PDF, "diploma.pdf", "application/pdf"),
        (samples.png(), "photo.png", "image/png"),
        (samples.JPEG, "photo.jpg", "image/jpeg"),
        (samples.docx(), "reference.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (samples.odt(), "reference.odt", "application/vnd.oasis.opendocument.text"),
        (samples.PDF, "no-extension", "application/pdf"),  # the name does not matter, only the content
    ],
)
def test_accepted_types_are_recognised_by_content(app, draft, content, name, expected):
    response = upload(draft, content, name)
    assert response.status_code == 302
    (item,) = items(app)
    assert item.content_type == expected
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.original_filename == name
    assert name not in item.storage_key  # stored under a random name


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (samples.HTML_AS_PDF, "diploma.pdf"),
        (samples.ELF, "diploma.pdf"),
        (samples.WINDOWS_EXE, "reference.docx"),
        (samples.plain_zip(), "reference.docx"),
        (b"GIF89a" + b"\x00" * 40, "photo.png"),
    ],
)
def test_impostors_are_refused_with_a_clear_message(app, draft, content, name):
    response = upload(draft, content, name)
    assert response.status_code == 400
    assert "This file is not a PDF, JPEG, PNG, DOCX or ODT document" in response.get_data(as_text=True)
    assert items(app) == []


def test_an_empty_file_is_refused(app, draft):
    assert "The file is empty." in upload(draft, b"", "empty.pdf").get_data(as_text=True)


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "a/b.pdf", "..", "x\x00.pdf"])
def test_names_with_paths_are_refused(app, draft, name):
    response = upload(draft, samples.PDF, name)
    assert response.status_code == 400
    assert "must not contain a path" in response.get_data(as_text=True)
    assert items(app) == []


def test_a_file_without_a_name_is_refused(app, draft):
    response = upload(draft, samples.PDF, "")
    assert response.status_code == 400
    assert "Choose a file to upload." in response.get_data(as_text=True)


def test_a_file_over_the_limit_is_refused(app, draft):
    app.config["EVIDENCE_MAX_FILE_BYTES"] = 1000
    try:
        response = upload(draft, samples.PDF + b"0" * 2000, "big.pdf")
    finally:
        app.config["EVIDENCE_MAX_FILE_BYTES"] = 20 * 1024 * 1024
    assert response.status_code == 400 and "larger than" in response.get_data(as_text=True)


def test_a_request_over_the_limit_gets_a_friendly_413_page(make_app, app, draft):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    try:
        response = upload(draft, samples.PDF + b"0" * 10_000, "huge.pdf")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 21 * 1024 * 1024
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "File too large" in html and "Traceback" not in html


def test_the_application_quota(app, draft):
    app.config["EVIDENCE_MAX_APPLICATION_BYTES"] = len(samples.PDF) * 2
    try:
        assert upload(draft, samples.PDF, "a.pdf").status_code == 302
        assert upload(draft, samples.PDF, "b.pdf").status_code == 302
        refused = upload(draft, samples.PDF, "c.pdf")
    finally:
        app.config["EVIDENCE_MAX_APPLICATION_BYTES"] = 200 * 1024 * 1024
    assert refused.status_code == 400 and "in all" in refused.get_data(as_text=True)
    assert len(items(app)) == 2


def test_removal_before_submission_deletes_row_and_file(app, draft):
    upload(draft, samples.PDF, "a.pdf")
    (item,) = items(app)
    path = Path(app.config["STORAGE_ROOT"]) / item.storage_key
    assert path.read_bytes() == samples.PDF
    response = draft.post(f"/applications/{draft.application_id}/evidence/{item.id}/delete")
    assert response.status_code == 302
    assert items(app) == []
    assert not path.exists()


def test_download_is_an_attachment_for_the_owner_and_the_administrator_only(app, draft, login_as, make_candidate):
    upload(draft, samples.PDF, "Диплом Үсенов.pdf")
    (item,) = items(app)
    response = draft.get(f"/evidence/{item.id}")
    assert response.status_code == 200 and response.data == samples.PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert login_as("admin").get(f"/evidence/{item.id}").status_code == 200
    assert make_candidate().get(f"/evidence/{item.id}").status_code == 404
    assert login_as("assessor").get(f"/evidence/{item.id}").status_code == 404  # not assigned
    assert app.test_client().get(f"/evidence/{item.id}").status_code == 302  # to sign-in


def test_inline_preview_only_for_previewable_types(app, draft):
    upload(draft, samples.PDF, "a.pdf")
    upload(draft, samples.docx(), "b.docx")
    pdf, document = items(app)
    assert draft.get(f"/evidence/{pdf.id}?inline=1").headers["Content-Disposition"].startswith("inline")
    assert draft.get(f"/evidence/{document.id}?inline=1").headers["Content-Disposition"].startswith("attachment")


def test_education_document_is_a_profile_evidence_item(app, make_candidate):
    client = make_candidate(education=[])
    response = client.post(
        "/profile/education",
        content_type="multipart/form-data",
        data={
            "level": "higher",
            "institution": "ҚазҰУ",
            "speciality": "Информатика",
            "year_completed": "2012",
            "document": (io.BytesIO(samples.PDF), "diploma.pdf"),
        },
    )
    assert response.status_code == 302
    (item,) = items(app)
    assert item.kind == "diploma" and item.application_id is None
    fake = client.post(
        "/profile/education",
        content_type="multipart/form-data",
        data={
            "level": "master",
            "institution": "X",
            "speciality": "",
            "year_completed": "2014",
            "document": (io.BytesIO(samples.HTML_AS_PDF), "master.pdf"),
        },
    )
    assert fake.status_code == 200 and len(items(app)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 0
