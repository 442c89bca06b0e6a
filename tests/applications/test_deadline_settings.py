"""The deadlines an administrator saves on the settings page are the ones the deadline code uses, at once: the
work queue's overdue list and the applications list show the new due date, reminders follow it, a complaint's
acknowledgement date follows it; a deployment's environment variable still fixes a deadline."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale, format_datetime
from sqlalchemy import select

from certcenter.appeals.models import Complaint
from certcenter.applications.deadlines import deadline_days, remind
from certcenter.applications.models import Application
from certcenter.config import Config
from certcenter.core.models import AuditEntry, utcnow
from certcenter.extensions import db
from tests.certificates.test_centre_settings import form_data


def overdue_rows(client) -> str:
    html = client.get("/admin/queue").get_data(as_text=True)
    return html.split('class="data overdue-list"', 1)[1].split("</table>", 1)[0] if "overdue-list" in html else ""


def test_a_deadline_saved_on_the_settings_page_moves_the_due_date_in_the_work_queue(app, submitted):
    scene = submitted()
    entered = utcnow() - timedelta(days=3)
    with app.app_context():
        db.session.get(Application, scene.application_id).state_changed_at = entered
        db.session.commit()
    admin = scene.admin
    admin.post("/language", data={"language": "en"})
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "Days to assign the assessors" in page and "Days for the assessors' judgements" in page
    assert "Days for the appeals panel's decision" in page
    # three days into a five-day step: nothing is overdue
    assert f'href="/applications/{scene.application_id}"' not in overdue_rows(admin)
    queue = admin.get("/admin/queue").get_data(as_text=True)
    assert "overdue" not in queue.split('data-state="submitted"', 1)[1].split("</li>", 1)[0]

    response = admin.post("/admin/settings", data=form_data(assignment_days="2"), follow_redirects=True)
    assert response.status_code == 200 and "Settings saved." in response.text

    rows = overdue_rows(admin)
    assert f'href="/applications/{scene.application_id}"' in rows
    with app.test_request_context(), force_locale("en"):
        due = format_datetime(entered + timedelta(days=2), "short")
        old_due = format_datetime(entered + timedelta(days=5), "short")
    assert due in rows
    queue = admin.get("/admin/queue").get_data(as_text=True)
    assert "1 overdue" in queue.split('data-state="submitted"', 1)[1].split("</li>", 1)[0]
    listing = admin.get("/admin/applications?state=submitted").get_data(as_text=True).split("<tbody>")[1]
    assert due in listing and old_due not in listing and "overdue" in listing
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "centre.settings")).all()
        [entry] = [entry for entry in entries if entry.details["setting"] == "assignment_days"]
        assert (entry.details["before"], entry.details["after"]) == (5, 2)
        assert {entry.details["setting"] for entry in entries} & {"assessment_days", "decision_days"} == set()


def test_reminders_follow_the_saved_deadline(app, in_assessment, login_as):
    scene = in_assessment()
    response = scene.admin.post("/admin/settings", data=form_data(assessment_days="4"))
    assert response.status_code == 302
    with app.app_context():
        entered = db.session.get(Application, scene.application_id).state_changed_at
        assert remind(entered + timedelta(days=1)) == 0  # the default (21 days) would not remind yet either
        assert remind(entered + timedelta(days=2)) == 2  # two days before the fourth day: both assessors
        db.session.rollback()


def test_the_appeal_panel_and_complaint_deadlines_are_settings(app, login_as):
    admin = login_as("admin")
    assert (
        admin.post(
            "/admin/settings", data=form_data(appeal_panel_days="12", complaint_acknowledge_days="2")
        ).status_code
        == 302
    )
    with app.test_request_context():
        assert deadline_days()["appealed"] == 12
        from certcenter.appeals.services import file_complaint

        complaint, _secret = file_complaint(
            category="service", subject_kind="centre", text="Никто не ответил.", contact_name="Арман",
            contact_email="arman@example.kz",
        )  # fmt: skip
        db.session.commit()
        complaint = db.session.get(Complaint, complaint.id)
        assert round((complaint.acknowledge_by - utcnow()).total_seconds() / 3600) == 48
        assert round((complaint.resolve_by - utcnow()).total_seconds() / 3600) == 30 * 24


def test_a_deadline_fixed_by_the_environment_is_not_changed_on_the_page(app, make_app, make_user, monkeypatch):
    from tests.conftest import login

    monkeypatch.setenv("CERTCENTER_DEADLINE_DAYS__submitted", "1")
    fixed_app = make_app()
    assert Config.DEADLINE_DAYS["submitted"] == 5  # the variable changed that app's configuration, not the class's
    admin = make_user("administrator")
    client = fixed_app.test_client()
    login(client, admin.email)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'data-setting="assignment_days"' in page and 'name="assignment_days"' not in page
    assert 'name="assessment_days"' in page  # only that step is fixed
    client.post("/admin/settings", data=form_data(assignment_days="9", assessment_days="11"))
    with fixed_app.app_context():
        assert deadline_days()["submitted"] == 1
        assert deadline_days()["in_assessment"] == 11
