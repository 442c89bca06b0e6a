"""Recertification: the renewal window (centre's calendar), the holder's renewal by the qualification's rule with one
assessor, the new certificate superseding the old on its expiry date, reminders, a lapsed certificate refused the
short route."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.assessments import services as assessment
from certcenter.certificates.models import Certificate, Renewal
from certcenter.certificates.services import expire_due
from certcenter.certificates.tasks import remind_renewals
from certcenter.core.i18n import centre_today
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.qualifications.criteria import criterion_keys
from tests import samples
from tests.certificates.conftest import pdftotext
from tests.records.conftest import holders  # noqa: F401 - a fixture used here


def set_dates(app, person, *, expires_in: int, issued_years_ago: int = 3) -> None:
    with app.app_context():
        certificate = db.session.get(Certificate, person.certificate_id)
        today = centre_today()
        certificate.issued_on = today.replace(year=today.year - issued_years_ago)
        certificate.expires_on = today + timedelta(days=expires_in)
        qualification = certificate.application.qualification
        qualification.recertification_rule = "cpd"
        qualification.recertification_cpd_hours = 16
        db.session.commit()


def renew(person, route="short"):
    return person.client.post(
        f"/certificates/{person.certificate_id}/renew", data={"route": route, "form_token": f"renew-{route}"}
    )


@pytest.mark.parametrize(("days", "open_"), [(181, False), (180, True), (179, True)])
def test_the_renewal_window_opens_180_days_before_expiry(app, holders, days, open_):  # noqa: F811
    (person,) = holders(1)
    set_dates(app, person, expires_in=days)
    page = person.client.get("/dashboard").get_data(as_text=True)
    assert ("renewal-prompt" in page) is open_
    response = renew(person)
    assert response.status_code == (302 if open_ else 409)
    if not open_:
        assert "The certificate can be renewed from" in response.get_data(as_text=True)


def test_a_lapsed_certificate_is_renewed_only_by_reassessment(app, holders):  # noqa: F811
    (person,) = holders(1)
    set_dates(app, person, expires_in=-1)
    page = person.client.get("/dashboard").get_data(as_text=True)
    assert "A lapsed certificate can be renewed only by a full reassessment." in page
    refused = renew(person, "short")
    assert refused.status_code == 409
    assert "A lapsed certificate can be renewed only by a full reassessment." in refused.get_data(as_text=True)
    assert renew(person, "reassessment").status_code == 302
    with app.app_context():
        (renewal,) = db.session.scalars(select(Renewal)).all()
        assert renewal.route == "reassessment"
        assert assessment.required_assessors(renewal.application) == 2  # the ordinary number


def test_the_first_reminder_is_sent_once_180_days_before(app, holders):  # noqa: F811
    (person,) = holders(1)
    set_dates(app, person, expires_in=180)
    task = app.extensions["celery"].tasks[remind_renewals.name]  # this app's task (another test may make an app)
    assert task.apply().get() == 1
    assert task.apply().get() == 0
    with app.app_context():
        (notice,) = db.session.scalars(select(Notification).where(Notification.kind == "certificate_expiring")).all()
        assert notice.params["days"] == 180 and notice.user_id == person.user_id
    page = person.client.get("/dashboard").get_data(as_text=True)
    assert f"Your certificate No. {person.number} expires on" in page


def test_a_confirmed_renewal_supersedes_the_old_certificate_on_its_expiry_date(
    app,
    holders,  # noqa: F811
    make_user,
    client,
    tmp_path,
):
    (person,) = holders(1)
    set_dates(app, person, expires_in=100)
    started = renew(person)
    assert started.status_code == 302 and "/renewals/" in started.headers["Location"]
    application_id = int(started.headers["Location"].rsplit("/", 1)[1])
    url = f"/renewals/{application_id}"
    page = person.client.get(url).get_data(as_text=True)
    assert "The rule asks for 16 hours of professional development; you have recorded 0." in page
    assert person.client.post(f"{url}/submit").status_code == 409  # the rule is not met yet
    with app.app_context():
        today = centre_today()
    for hours in (8, 10):
        added = person.client.post(
            url,
            data={
                "action": "cpd",
                "title": "Welding safety update",
                "provider": "KazWeld",
                "hours": hours,
                "completed_on": (today - timedelta(days=30)).isoformat(),
            },
        )
        assert added.status_code == 302
    uploaded = person.client.post(
        f"/applications/{application_id}/evidence",
        data={"file": (io.BytesIO(samples.PDF), "cpd.pdf"), "kind": "other", "description": "CPD certificates"},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    assert "renewal-problems" not in person.client.get(url).get_data(as_text=True)
    assert person.client.post(f"{url}/submit").status_code == 302

    # one assessor (the rule's number), the same integrity rules: the decider did not assess
    assessor, second, decider = make_user("assessor"), make_user("assessor"), make_user("administrator")
    admin = holders.admin
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.state == "submitted" and application.eligibility["renewal"]["cpd_hours"] == 18
        admin_user = db.session.get(User, decider.id)
        assignment = assessment.assign_assessor(application, db.session.get(User, assessor.id), actor=admin_user)
        assessment.declare_conflict(assignment, actor=assignment.assessor, conflict=False)
        assert application.state == "in_assessment"
        with pytest.raises(assessment.AssessmentError):
            assessment.assign_assessor(application, db.session.get(User, second.id), actor=admin_user)
        item = application.evidence[0]
        keys = criterion_keys(application.qualification)
        data = {
            "reviews": {},
            "ratings": {key: {"rating": "met", "justification": "Current.", "evidence_ids": [item.id]} for key in keys},
            "results": {
                "theory": {"percent": 90, "taken_on": today.isoformat()},
                "practical": {"percent": 90, "taken_on": today.isoformat()},
            },
        }
        assessment.submit_judgement(assignment, data, actor=assignment.assessor)
        assert application.state == "awaiting_decision"
        db.session.commit()
    other_admin = make_user("administrator")
    with app.app_context():
        application = db.session.get(Application, application_id)
        assessment.decide(application, actor=db.session.get(User, other_admin.id), outcome="confirmed")
        db.session.commit()
    assert admin.post("/admin/certificates/issue", data={"application": [str(application_id)]}).status_code == 302
    with app.app_context():
        old = db.session.get(Certificate, person.certificate_id)
        new = db.session.scalar(select(Certificate).where(Certificate.application_id == application_id))
        assert new.replaces_id == old.id and new.valid_from == old.expires_on
        assert new.expires_on == old.expires_on.replace(year=old.expires_on.year + 3)
        new_number, old_expiry, new_id, new_expiry = new.number, old.expires_on, new.id, new.expires_on
    # the holder's new certificate on paper: its number and its validity, to three years after the old one's
    pdf = person.client.get(f"/certificates/{new_id}.pdf")
    assert pdf.status_code == 200
    text = pdftotext(pdf.data, tmp_path)
    assert new_number in text and new_expiry.strftime("%d.%m.%Y") in text
    # in force from the old one's expiry date, later than its issue: the face says from when
    assert "Действует с" in text and old_expiry.strftime("%d.%m.%Y") in text
    client.post("/language", data={"language": "en"})
    page = client.get(f"/verify/{person.code}").get_data(as_text=True)
    assert "This certificate is genuine and in force." in page  # until its own expiry date
    assert f"Renewed: see certificate No. {new_number}." in page
    assert client.get(f"/api/v1/certificates/{person.code}").get_json()["renewed_by"] == new_number
    with app.app_context():
        assert expire_due(old_expiry) == 0  # its last day: still in force
        assert expire_due(old_expiry + timedelta(days=1)) == 1
        db.session.commit()
        assert db.session.get(Certificate, person.certificate_id).status == "superseded"
    record = client.get(f"/api/v1/certificates/{person.code}").get_json()
    assert record["status"] == "superseded" and record["superseded_by"] == new_number
    assert f"This certificate was replaced by certificate No. {new_number}." in client.get(
        f"/verify/{person.code}"
    ).get_data(as_text=True)
