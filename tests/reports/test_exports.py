"""Register exports, produced as report tasks, read back and compared: CSV, XLSX and the JSON register."""

import csv
import io
import json
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale, gettext, pgettext
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.reports.models import Report


@pytest.fixture
def issued(app, confirmed, login_as):
    ids = confirmed(2) + confirmed(1, full_name="Дана Ержанқызы")
    admin = login_as("admin")
    admin.post("/admin/certificates/issue", data={"application": [str(i) for i in ids]})
    with app.app_context():
        admin.certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    return admin


def words(app, *texts, context=None) -> list[str]:
    """The texts as the register states them: in the requester's language (an administrator with none: Kazakh)."""
    with app.test_request_context(), force_locale("kk"):
        return [pgettext(context, text) if context else gettext(text) for text in texts]


def export(app, admin, **fields):
    response = admin.post("/admin/reports/export", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert report.status == "ready", report.error
        with get_storage().open(report.storage_key) as handle:
            return report, handle.read()


def test_certificates_to_csv_round_trip(app, issued):
    report, content = export(app, issued, dataset="certificates", format="csv")
    assert content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert table[0][:3] == words(app, "Number", "Holder", "Holder (Latin letters)")  # in the requester's language
    assert [row[0] for row in table[1:]] == [c.number for c in issued.certificates]
    assert table[3][1] == "Дана Ержанқызы" and table[3][5] == "3"
    assert (
        table[1][4] == "Электргазбен дәнекерлеуші"
        and table[1][9] == words(app, "Valid", context="certificate status")[0]
    )
    assert table[1][7] == issued.certificates[0].issued_on.isoformat()
    assert report.filename == "certificates.csv" and report.content_type == "text/csv"


def test_certificates_to_xlsx_round_trip_with_a_level_filter(app, issued):
    from openpyxl import load_workbook

    _report, content = export(app, issued, dataset="certificates", format="xlsx", level="3")
    values = list(load_workbook(io.BytesIO(content), read_only=True).active.values)
    assert values[0][0] == words(app, "Number")[0]
    assert [row[0] for row in values[1:]] == [c.number for c in issued.certificates]
    assert [row[1] for row in values[1:]][-1] == "Дана Ержанқызы" and all(row[5] == 3 for row in values[1:])
    assert values[1][7].date() == issued.certificates[0].issued_on  # a date cell, not text
    _report, content = export(app, issued, dataset="certificates", format="xlsx", level="5")
    assert len(list(load_workbook(io.BytesIO(content), read_only=True).active.values)) == 1  # the header only


def test_applications_export_with_a_state_filter(app, issued):
    _report, content = export(app, issued, dataset="applications", format="csv", status="certified")
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(table) == 4 and all(row[5] == words(app, "Certificate issued")[0] for row in table[1:])
    with app.app_context():
        from certcenter.applications.models import Application

        submitted = db.session.get(Application, int(table[1][0])).submitted_at
    almaty = submitted.astimezone(ZoneInfo("Asia/Almaty")).strftime("%Y-%m-%d %H:%M:%S")
    assert table[1][6] == almaty  # the centre's clock, not UTC
    _report, content = export(app, issued, dataset="applications", format="csv", status="draft")
    assert len(list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))) == 1  # the header only


def test_the_filters_are_chosen_from_lists_and_a_status_of_the_other_register_is_refused(app, issued):
    issued.post("/language", data={"language": "ru"})
    page = issued.get("/admin/reports/export").get_data(as_text=True)
    assert 'name="status"' in page and '<option value="suspended">' in page and '<option value="in_assessment">' in page
    assert '<option value="WELD-3">' in page and 'name="qualification" type="text"' not in page
    response = issued.post(
        "/admin/reports/export", data={"dataset": "applications", "format": "csv", "status": "revoked"}
    )
    assert response.status_code == 200
    with app.test_request_context(), force_locale("ru"):
        message = gettext("This is a certificate status: choose an application state, or export certificates.")
    assert message in response.get_data(as_text=True) and message.startswith("Это")


def test_the_register_as_json_for_a_national_registry(app, issued):
    _report, content = export(app, issued, dataset="certificates", format="json", qualification="WELD-3")
    register = json.loads(content)["register"]
    assert [entry["number"] for entry in register] == [c.number for c in issued.certificates]
    assert all("iin" not in json.dumps(entry).lower() for entry in register)
    assert register[0]["status"] == "valid" and register[0]["nqf_level"] == 3


def test_json_is_only_for_the_certificate_register(app, issued):
    issued.post("/language", data={"language": "en"})
    response = issued.post("/admin/reports/export", data={"dataset": "applications", "format": "json"})
    assert response.status_code == 200 and "JSON is for the certificate register" in response.get_data(as_text=True)


def test_only_administrators_export(login_as):
    for role in ("candidate", "assessor"):
        assert (
            login_as(role).post("/admin/reports/export", data={"dataset": "certificates", "format": "csv"}).status_code
            == 403
        )


def pdf_page_texts(pdf: bytes, tmp_path) -> list[str]:
    import re
    import subprocess

    path = tmp_path / "register.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s+", " ", page) for page in text.split("\f") if page.strip()]


def test_the_register_as_pdf_has_every_row_and_page_x_of_y(app, issued, tmp_path):
    issued.post("/language", data={"language": "en"})
    report, content = export(app, issued, dataset="certificates", format="pdf")
    assert report.filename == "certificates-register.pdf" and report.content_type == "application/pdf"
    pages = pdf_page_texts(content, tmp_path)
    assert len(pages) == 1 and "Page 1 of 1" in pages[0] and "Register of issued certificates" in pages[0]
    for certificate in issued.certificates:
        assert certificate.number in pages[0] and certificate.holder_name in pages[0]
    assert "3 rows" in pages[0] and "Valid" in pages[0]


def test_a_register_pdf_made_in_chunks_numbers_its_pages_straight_through(app, issued, tmp_path, monkeypatch):
    """One row per chunk here (hundreds in production): three documents joined, numbered 1 to 3 of 3."""
    from certcenter.reports import register_pdf

    monkeypatch.setattr(register_pdf, "CHUNK_ROWS", 1)
    issued.post("/language", data={"language": "en"})
    _report, content = export(app, issued, dataset="certificates", format="pdf")
    pages = pdf_page_texts(content, tmp_path)
    assert [f"Page {n} of 3" in page for n, page in enumerate(pages, 1)] == [True, True, True]
    assert [certificate.number in page for certificate, page in zip(issued.certificates, pages, strict=True)] == [
        True,
        True,
        True,
    ]
    assert "Register of issued certificates" in pages[2]  # the running header on every page
    assert "Number" in pages[1] and "Holder" in pages[2]  # and the column headings


def test_the_applications_register_as_pdf_in_kazakh(app, issued, tmp_path):
    issued.post("/language", data={"language": "kk"})
    _report, content = export(app, issued, dataset="applications", format="pdf", status="certified")
    page = pdf_page_texts(content, tmp_path)[0]
    assert "Дана Ержанқызы" in page and "WELD-3" in page
