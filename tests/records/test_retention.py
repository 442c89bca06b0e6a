"""The retention schedule: what is past its period goes (files deleted, personal data anonymised), what the register
and the statistics need stays, a legal hold stops it, a dry run lists exactly what the run then does."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates.models import Certificate
from certcenter.core.models import AuditEntry
from certcenter.core.storage import get_storage
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from certcenter.records.models import LegalHold, RetentionAction
from certcenter.reports.models import Report
from certcenter.reports.statistics import Period, compute


def retention(app, *args: str):
    result = app.test_cli_runner().invoke(args=["retention", "run", *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def after_period(person, years: int = 5) -> str:
    return (person.expires_on.replace(year=person.expires_on.year + years) + timedelta(days=1)).isoformat()


def statistics(app) -> dict:
    with app.app_context():
        figures = compute(Period(date(2020, 1, 1), date(2060, 12, 31)), today=date(2026, 12, 1)).to_dict()
    figures.pop("computed_at")
    return figures


def files_of(app, application_id) -> list[str]:
    with app.app_context():
        keys = list(
            db.session.scalars(select(EvidenceItem.storage_key).where(EvidenceItem.application_id == application_id))
        )
        keys += [
            key
            for key in db.session.scalars(select(Report.storage_key).where(Report.application_id == application_id))
            if key
        ]
    return keys


def test_dry_run_lists_what_the_run_does_and_the_register_and_statistics_stay(app, holders, client):
    (person,) = holders(1)
    keys = files_of(app, person.application_id)
    assert keys
    figures = statistics(app)
    day = after_period(person)

    assert retention(app, "--dry-run", "--today", (date.fromisoformat(day) - timedelta(days=1)).isoformat())[-1] == (
        "0 would go (dry run: nothing changed)"
    )
    planned = retention(app, "--dry-run", "--today", day)
    assert planned[-1] == "3 would go (dry run: nothing changed)"
    assert {line.split("\t")[0] for line in planned[:-1]} == {"evidence", "assessment_records", "personal_data"}
    with app.app_context():  # the dry run changed nothing
        assert db.session.scalar(select(func.count()).select_from(RetentionAction)) == 0
        assert db.session.get(CandidateProfile, person.profile_id).iin == person.iin

    done = retention(app, "--today", day)
    assert done[:-1] == planned[:-1] and done[-1] == "3 done"

    with app.app_context():
        storage = get_storage()
        assert not any(storage.exists(key) for key in keys)
        assert db.session.scalar(select(func.count()).where(EvidenceItem.application_id == person.application_id)) == 0
        profile = db.session.get(CandidateProfile, person.profile_id)
        assert profile.iin.startswith("X") and profile.full_name == f"ANON-{profile.id}"
        assert profile.birth_date == date(1900, 1, 1) and profile.phone == ""
        assert not profile.user.active and profile.user.email.endswith("@invalid")
        application = db.session.get(Application, person.application_id)
        assert application.state == "certified" and application.decision.outcome == "confirmed"
        assert all(rating.justification == "" for a in application.assignments for rating in a.ratings)
        certificate = db.session.get(Certificate, person.certificate_id)
        assert certificate.holder_name == person.holder_name and certificate.number == person.number
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("records.%"))).all()
        assert sorted(actions) == ["records.anonymise", "records.destroy", "records.destroy", "records.retention_run"]

    # the register still answers, the statistics still count the same
    client.post("/language", data={"language": "en"})
    page = client.get(f"/verify/{person.code}").get_data(as_text=True)
    assert person.number in page and person.holder_name in page
    assert client.get(f"/api/v1/certificates/{person.code}").get_json()["holder"]["name"] == person.holder_name
    assert statistics(app) == figures
    # the anonymised person cannot sign in any more
    assert person.client.get("/my-data").status_code in (302, 401)

    # a second run finds nothing more
    assert retention(app, "--today", day)[-1] == "0 done"


def test_a_legal_hold_stops_retention_until_it_is_lifted(app, holders):
    (person,) = holders(1)
    admin = holders.admin
    url = f"/admin/records/applications/{person.application_id}/hold"
    refused = admin.post(url, data={"ground": "court", "reason": " "})
    assert refused.status_code == 409 and "Write the reason for the hold." in refused.get_data(as_text=True)
    assert admin.post(url, data={"ground": "court", "reason": "Case No. 2-123/2031"}).status_code == 302
    page = admin.get(f"/applications/{person.application_id}").get_data(as_text=True)
    assert "Under a legal hold since" in page and "Case No. 2-123/2031" in page
    assert admin.post(url, data={"ground": "court", "reason": "again"}).status_code == 409

    day = after_period(person)
    assert retention(app, "--today", day)[-1] == "0 done"
    assert files_of(app, person.application_id)
    with app.app_context():
        assert db.session.get(CandidateProfile, person.profile_id).iin == person.iin
        hold_id = db.session.scalar(select(LegalHold.id))
    assert "Case No. 2-123/2031" in admin.get("/admin/records").get_data(as_text=True)
    assert admin.post(f"/admin/records/holds/{hold_id}/lift", data={"reason": ""}).status_code == 409
    assert admin.post(f"/admin/records/holds/{hold_id}/lift", data={"reason": "Judgment in force"}).status_code == 302
    assert retention(app, "--today", day)[-1] == "3 done"
    assert files_of(app, person.application_id) == []
    with app.app_context():
        audit = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("records.hold%")).order_by(AuditEntry.id)
        ).all()
        assert audit == ["records.hold_place", "records.hold_lift"]


def test_reports_audit_log_and_exports_have_their_own_periods(app, holders):
    holders(1)
    admin = holders.admin
    with app.app_context():
        from certcenter.reports.services import request_export

        report = request_export("certificates", "csv", {}, actor=db.session.get(Certificate, 1).issued_by)
        db.session.commit()
        report_id = report.id
        created = db.session.get(Report, report_id).created_at
    day = (created.date().replace(year=created.year + 3) + timedelta(days=2)).isoformat()
    lines = retention(app, "--dry-run", "--today", day)
    assert f"reports\tReport:{report_id}" in "\n".join(lines)
    assert not any(line.startswith("evidence") for line in lines)  # the cycle has not ended yet
    retention(app, "--today", day)
    with app.app_context():
        assert db.session.get(Report, report_id) is None
    # ten years on, the audit log's oldest entries go, counted in the run's own entry
    later = (created.date().replace(year=created.year + 10) + timedelta(days=2)).isoformat()
    lines = retention(app, "--dry-run", "--today", later)
    assert any(line.startswith("audit_log\tAuditEntry:before:") for line in lines)
    assert admin.get("/admin/records").status_code == 200
