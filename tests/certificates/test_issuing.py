"""Issuing: one certificate per decision whatever the clicks, numbered per year, rendered, signed and stored."""

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from certcenter.applications.models import Application
from certcenter.assessments.models import Decision
from certcenter.certificates.models import Certificate
from certcenter.certificates.services import render_and_store
from certcenter.core.i18n import centre_today
from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from tests.certificates.conftest import application_state


def certificates(app):
    with app.app_context():
        return db.session.scalars(select(Certificate).order_by(Certificate.id)).all()


def stored_files(app):
    root = Path(app.config["STORAGE_ROOT"]) / "certificates"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_a_batch_is_issued_numbered_rendered_and_signed(app, confirmed, login_as):
    ids = confirmed(3)
    admin = login_as("admin")
    page = admin.get("/admin/certificates/issue").get_data(as_text=True)
    assert all(f'value="{application_id}"' in page for application_id in ids)
    response = admin.post("/admin/certificates/issue", data={"application": [str(i) for i in ids], "english": "y"})
    assert response.status_code == 302 and "/admin/certificates/progress?ids=" in response.headers["Location"]
    issued = certificates(app)
    with app.app_context():
        year = centre_today().year  # the centre's calendar numbers the series
    assert [c.number for c in issued] == [f"KZQC-{year}-{n:06d}" for n in (1, 2, 3)]
    assert all(c.render_status == "ready" and c.sha256 and c.english for c in issued)  # tasks run eagerly here
    assert len({c.verification_code for c in issued}) == 3 and all(len(c.verification_code) >= 22 for c in issued)
    assert all(application_state(app, application_id) == "certified" for application_id in ids)
    status = admin.get(f"/admin/certificates/status.json?ids={','.join(str(c.id) for c in issued)}").get_json()
    assert status["total"] == 3 and status["ready"] == 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "certificate.issue")) == 3
        for certificate in issued:  # each move written as a single one is: history, audit entry, notification
            application = db.session.get(Application, certificate.application_id)
            assert application.version == 1 + len(application.events)
            assert (application.events[-1].from_state, application.events[-1].to_state) == ("confirmed", "certified")
            moves = db.session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "application.transition", AuditEntry.target_id == str(application.id)
                )
            ).all()
            assert moves[-1].details["certificate"] == certificate.number and moves[-1].actor_id == admin.user.id
            told = db.session.scalars(
                select(Notification).where(
                    Notification.subject_type == "Application", Notification.subject_id == str(application.id)
                )
            ).all()
            assert told[-1].user_id == application.candidate.user_id and told[-1].params == {"state": "certified"}


def test_a_batch_changed_by_another_transaction_meanwhile_is_not_moved(app, confirmed, make_user):
    """The batch's version check: an application changed since it was read stops the whole move."""
    from sqlalchemy import update
    from sqlalchemy.orm.exc import StaleDataError

    from certcenter.applications import workflow

    ids = confirmed(3)
    admin = make_user("administrator")
    with app.app_context():
        applications = db.session.scalars(select(Application).where(Application.id.in_(ids))).all()
        with db.engine.begin() as other:  # someone else's committed change to the second one
            other.execute(update(Application).where(Application.id == ids[1]).values(version=Application.version + 1))
        with pytest.raises(StaleDataError):
            workflow.transition_many(applications, workflow.CERTIFIED, db.session.merge(admin))
        db.session.rollback()
    assert [application_state(app, application_id) for application_id in ids] == ["confirmed"] * 3


def test_double_clicks_and_a_second_administrator_change_nothing(app, confirmed, login_as):
    (application_id,) = confirmed(1)
    first, second = login_as("admin"), login_as("admin")
    for client in (first, first, second):
        client.post("/admin/certificates/issue", data={"application": [str(application_id)]})
    assert len(certificates(app)) == 1
    assert len(stored_files(app)) == 1


def test_rendering_again_changes_nothing(app, confirmed, login_as):
    (application_id,) = confirmed(1)
    login_as("admin").post("/admin/certificates/issue", data={"application": [str(application_id)]})
    (before,) = certificates(app)
    with app.app_context():
        assert render_and_store([before.id]) == []  # a task delivered twice
    (after,) = certificates(app)
    assert (after.storage_key, after.sha256, after.render_attempts) == (before.storage_key, before.sha256, 1)
    assert len(stored_files(app)) == 1


def test_a_failed_rendering_shows_with_a_retry_button(app, confirmed, login_as, monkeypatch):
    (application_id,) = confirmed(1)
    admin = login_as("admin")

    def broken(certificates):
        raise RuntimeError("fonts are missing")

    monkeypatch.setattr("certcenter.certificates.rendering.render_certificates", broken)
    admin.post("/admin/certificates/issue", data={"application": [str(application_id)]})
    (certificate,) = certificates(app)
    assert certificate.render_status == "failed"
    assert "fonts are missing" in certificate.render_error and certificate.render_attempts == 4  # 1 + 3 retries
    admin.post("/language", data={"language": "en"})
    page = admin.get(f"/admin/certificates/{certificate.id}").get_data(as_text=True)
    assert "Rendering failed after 4 attempts" in page and "Retry rendering" in page
    monkeypatch.undo()
    response = admin.post(f"/admin/certificates/{certificate.id}/retry")
    assert response.status_code == 302
    (certificate,) = certificates(app)
    assert certificate.render_status == "ready" and certificate.render_error is None


def test_only_confirmed_applications_get_certificates(app, submitted, login_as):
    scene = submitted()
    scene.admin.post("/language", data={"language": "en"})
    response = scene.admin.post(
        "/admin/certificates/issue", data={"application": [str(scene.application_id)]}, follow_redirects=True
    )
    assert "is not awaiting a certificate" in response.get_data(as_text=True)
    assert certificates(app) == []


def test_the_holder_downloads_the_pdf_and_the_credential(app, confirmed, login_as, make_candidate):
    (application_id,) = confirmed(1)
    login_as("admin").post("/admin/certificates/issue", data={"application": [str(application_id)]})
    (certificate,) = certificates(app)
    from certcenter.applications.models import Application
    from tests.conftest import login

    with app.app_context():
        email = db.session.get(Application, application_id).candidate.user.email
    holder = app.test_client()
    login(holder, email)
    holder.post("/language", data={"language": "en"})
    dashboard = holder.get("/dashboard").get_data(as_text=True)
    assert f"Certificate No. {certificate.number}" in dashboard and "Download the PDF" in dashboard
    pdf = holder.get(f"/certificates/{certificate.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    credential = holder.get(f"/certificates/{certificate.id}/credential.json").get_json()
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    alignment = credential["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetCode"] for a in alignment] == ["3", "3"]
    assert {a["targetFramework"] for a in alignment} == {
        "National Qualifications Framework of the Republic of Kazakhstan",
        "European Qualifications Framework",
    }
    assert credential["validUntil"].startswith(certificate.expires_on.isoformat())
    assert {entry["statusPurpose"] for entry in credential["credentialStatus"]} == {"revocation", "suspension"}
    stranger = make_candidate()
    assert stranger.get(f"/certificates/{certificate.id}.pdf").status_code == 404
    assert stranger.get(f"/certificates/{certificate.id}/credential.json").status_code == 404
    assert re.search(r"\d{12}", json.dumps(credential["credentialSubject"])) is None  # no IIN


def test_the_decision_day_is_the_centres_calendar_day(app, confirmed, login_as):
    """A decision taken at 20:30 UTC was taken at 01:30 the next day in Almaty: the certificate says that next day."""
    (application_id,) = confirmed(1)
    with app.app_context():
        decision = db.session.scalar(select(Decision).where(Decision.application_id == application_id))
        decision.decided_at = datetime(2026, 3, 9, 20, 30, tzinfo=UTC)
        db.session.commit()
    login_as("admin").post("/admin/certificates/issue", data={"application": [str(application_id)]})
    (certificate,) = certificates(app)
    assert certificate.decided_on == date(2026, 3, 10)
