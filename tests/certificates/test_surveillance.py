"""Surveillance: the mid-term check a qualification may ask for; the holder's answer with a document, the
administrator's acceptance or case (which can lead to suspension); overdue checks on the list and in the statistics."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from certcenter.certificates.models import Certificate, SurveillanceCheck
from certcenter.certificates.tasks import schedule_surveillance
from certcenter.core.i18n import centre_today
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.reports.statistics import Period, certificates
from tests import samples
from tests.records.conftest import holders  # noqa: F401 - a fixture used here


def with_surveillance(app, person, *, issued_days_ago: int, after_years: int = 2) -> None:
    with app.app_context():
        certificate = db.session.get(Certificate, person.certificate_id)
        today = centre_today()
        certificate.issued_on = today - timedelta(days=issued_days_ago)
        certificate.expires_on = certificate.issued_on.replace(year=certificate.issued_on.year + 4)
        certificate.application.qualification.surveillance_after_years = after_years
        db.session.commit()


def test_the_holder_confirms_and_the_administrator_accepts(app, holders):  # noqa: F811
    (person,) = holders(1)
    with_surveillance(app, person, issued_days_ago=2 * 365 - 30)  # due in about a month
    with app.app_context():
        assert schedule_surveillance() == 1
        assert schedule_surveillance() == 0  # told once
        check = db.session.scalar(select(SurveillanceCheck))
        assert check.status == "due" and check.due_on > centre_today()
        assert db.session.scalar(
            select(Notification.kind)
            .where(Notification.user_id == person.user_id)
            .where(Notification.kind == "surveillance_due")
        )
    dashboard = person.client.get("/dashboard").get_data(as_text=True)
    assert "surveillance-prompt" in dashboard and "that you still practise" in dashboard
    url = f"/certificates/{person.certificate_id}/surveillance"
    missing = person.client.post(url, data={"employer": "KazWeld", "position": "Welder"})
    assert missing.status_code == 409 and "Attach a document" in missing.get_data(as_text=True)
    sent = person.client.post(
        url,
        data={
            "employer": "KazWeld LLP",
            "position": "Welder, 4th grade",
            "document": (io.BytesIO(samples.PDF), "letter.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    admin = holders.admin
    page = admin.get("/admin/surveillance").get_data(as_text=True)
    assert "KazWeld LLP" in page and "letter.pdf" in page
    with app.app_context():
        check_id = db.session.scalar(select(SurveillanceCheck.id))
    assert admin.get(f"/admin/surveillance/{check_id}/document").data == samples.PDF
    assert admin.post(f"/admin/surveillance/{check_id}", data={"decision": "accept", "note": ""}).status_code == 302
    assert "Accepted" in person.client.get(url).get_data(as_text=True)
    assert admin.post(f"/admin/surveillance/{check_id}", data={"decision": "accept"}).status_code == 409


def test_an_overdue_check_shows_on_the_list_and_in_the_statistics_and_a_case_can_lead_to_suspension(app, holders):  # noqa: F811
    (person,) = holders(1)
    with_surveillance(app, person, issued_days_ago=2 * 365 + 10)  # due ten days ago
    with app.app_context():
        schedule_surveillance()
        db.session.commit()
        figures = certificates(Period(date(2020, 1, 1), date(2060, 1, 1)))
        assert figures["surveillance_overdue"] == 1
    admin = holders.admin
    page = admin.get("/admin/surveillance").get_data(as_text=True)
    assert person.number in page and "days late" in page
    with app.app_context():
        check_id = db.session.scalar(select(SurveillanceCheck.id))
    assert admin.post(f"/admin/surveillance/{check_id}", data={"decision": "case", "note": ""}).status_code == 409
    opened = admin.post(f"/admin/surveillance/{check_id}", data={"decision": "case", "note": "No answer"})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(
        f"/admin/certificates/{person.certificate_id}"
    )
    assert (
        admin.post(
            f"/admin/certificates/{person.certificate_id}/suspend", data={"reason": "Surveillance: no answer"}
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Certificate, person.certificate_id).status == "suspended"
        assert certificates(Period(date(2020, 1, 1), date(2060, 1, 1)))["surveillance_overdue"] == 0
    # the holder of a suspended certificate is not asked any more
    assert person.client.get(f"/certificates/{person.certificate_id}/surveillance").status_code == 200
    assert "surveillance-prompt" not in person.client.get("/dashboard").get_data(as_text=True)


def test_no_check_where_the_qualification_asks_for_none(app, holders):  # noqa: F811
    (person,) = holders(1)
    with app.app_context():
        assert schedule_surveillance() == 0
        assert db.session.scalar(select(SurveillanceCheck)) is None
    assert person.client.get(f"/certificates/{person.certificate_id}/surveillance").status_code == 404
