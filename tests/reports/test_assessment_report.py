"""The assessment report: made on every decision and on demand, by a worker; what it says; who may see it."""

import re

import pytest
from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.reports.models import Report
from tests.certificates.conftest import pdftotext
from tests.conftest import login


def reports(app):
    with app.app_context():
        return db.session.scalars(select(Report).order_by(Report.id)).all()


def report_text(app, report, tmp_path):
    with app.app_context(), get_storage().open(report.storage_key) as handle:
        return re.sub(r"\s+", " ", pdftotext(handle.read(), tmp_path))


@pytest.fixture
def decided(app, in_assessment):
    from tests.assessments.conftest import judgement

    scene = in_assessment()
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene, justification="Seams are even."))
    scene.admin.post(f"/admin/applications/{scene.application_id}/decision", data={"outcome": "confirmed"})
    return scene


def test_a_decision_makes_the_report(app, decided, tmp_path):
    (report,) = reports(app)
    assert report.status == "ready" and report.application_id == decided.application_id  # tasks run eagerly here
    text = report_text(app, report, tmp_path)
    with app.app_context():
        application = db.session.get(Application, decided.application_id)
        iin = application.candidate.iin
        evidence = application.evidence[0]
    assert "••••••••" + iin[-4:] in text and iin not in text
    for expected in (
        "Электргазбен дәнекерлеуші",
        "kz-nqf-2013",
        "3.1",
        "Seams are even.",
        "Бағалаушы 1",
        "Бағалаушы 2",
        "Әкімші Бас",
        evidence.original_filename,
        evidence.sha256[:20],
    ):
        assert expected in text, expected
    assert re.search(r"1 ?/ ?2", text) and re.search(r"2 ?/ ?2", text)  # running page numbers


def test_on_demand_with_the_certificate_number(app, decided, tmp_path):
    decided.admin.post("/admin/certificates/issue", data={"application": [str(decided.application_id)]})
    response = decided.admin.post(f"/admin/applications/{decided.application_id}/report")
    assert response.status_code == 302
    latest = reports(app)[-1]
    from certcenter.certificates.models import Certificate

    with app.app_context():
        number = db.session.scalar(select(Certificate.number))
    assert number in report_text(app, latest, tmp_path)
    status = decided.admin.get(f"/reports/{latest.id}/status.json").get_json()
    assert status["status"] == "ready" and status["download"].endswith("/download")


def test_no_report_before_a_decision(app, submitted):
    scene = submitted()
    assert scene.admin.post(f"/admin/applications/{scene.application_id}/report").status_code == 409
    assert reports(app) == []


def test_who_may_see_the_report(app, decided, login_as, make_candidate):
    (report,) = reports(app)
    for client, expected in (
        (decided.admin, 200),
        (decided.candidate, 200),
        (make_candidate(), 404),
        (decided.assessors[0], 404),
        (login_as("assessor"), 404),
    ):
        assert client.get(f"/reports/{report.id}/download").status_code == expected
        assert client.get(f"/reports/{report.id}").status_code == expected
    assert app.test_client().get(f"/reports/{report.id}/download").status_code == 302
    assert decided.candidate.get("/admin/reports").status_code == 403
    assert decided.admin.get("/admin/reports").status_code == 200
    decided.candidate.post("/language", data={"language": "en"})
    assert "Assessment report (PDF)" in decided.candidate.get("/dashboard").get_data(as_text=True)


def test_a_failed_report_says_why_and_can_be_made_again(app, decided, monkeypatch):
    def broken(application):
        raise RuntimeError("disk full")

    monkeypatch.setattr("certcenter.reports.services._assessment_pdf", broken)
    decided.admin.post(f"/admin/applications/{decided.application_id}/report")
    failed = reports(app)[-1]
    assert failed.status == "failed" and "disk full" in failed.error
    decided.admin.post("/language", data={"language": "en"})
    assert "disk full" in decided.admin.get("/admin/reports").get_data(as_text=True)
    monkeypatch.undo()
    decided.admin.post(f"/admin/reports/{failed.id}/retry")
    assert reports(app)[-1].status == "ready"
    with app.app_context():
        user_email = db.session.get(Application, decided.application_id).candidate.user.email
    holder = app.test_client()
    login(holder, user_email)
    assert holder.get(f"/reports/{failed.id}/download").status_code == 200
