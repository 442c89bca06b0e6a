"""The holder renews from the reminder to the new certificate: the reminder and "Renew" on his dashboard, the CPD the
rule asks for, a document, the submission; one assessor judges, another administrator decides, the certificate is
issued; the holder finds the new certificate, in force from the old one's expiry date, and the old one's
verification page says "renewed, see ..."."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.assessments import services as assessment
from certcenter.certificates.models import Certificate
from certcenter.certificates.tasks import remind_renewals
from certcenter.core.i18n import centre_today
from certcenter.extensions import db
from certcenter.qualifications.criteria import criterion_keys
from tests import samples
from tests.e2e.test_certificate_journey import sign_in
from tests.records.conftest import holders  # noqa: F401 - a fixture used here

pytestmark = [pytest.mark.browser]


def test_the_holder_renews_from_the_reminder_to_the_new_certificate(
    browser,
    live_server,
    app,
    holders,  # noqa: F811
    make_user,
    tmp_path,
):
    (person,) = holders(1)
    with app.app_context():
        certificate = db.session.get(Certificate, person.certificate_id)
        today = centre_today()
        certificate.expires_on = today + timedelta(days=90)
        certificate.issued_on = certificate.expires_on.replace(year=certificate.expires_on.year - 3)
        qualification = certificate.application.qualification
        qualification.recertification_rule, qualification.recertification_cpd_hours = "cpd", 8
        db.session.commit()
        assert app.extensions["celery"].tasks[remind_renewals.name].apply().get() == 1
        old_expiry = certificate.expires_on

    page = sign_in(browser, live_server, person.email)
    page.get_by_role("link", name="My applications").click()
    expect(page.get_by_text(f"Your certificate No. {person.number} expires on")).to_be_visible()
    page.get_by_role("button", name="Renew").click()
    assert "/renewals/" in page.url
    renewal_url = page.url
    application_id = int(renewal_url.rsplit("/", 1)[1])
    page.get_by_label("Course or activity").fill("Дәнекерлеу қауіпсіздігі")
    page.get_by_label("Provider").fill("KazWeld")
    page.get_by_label("Hours").fill("8")
    page.get_by_label("Completed on").fill((today - timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Add").click()
    page.get_by_role("link", name=f"Application No. {application_id}").first.click()
    document = tmp_path / "cpd.pdf"
    document.write_bytes(samples.PDF)
    page.get_by_label("File (PDF, JPEG, PNG, DOCX or ODT)").set_input_files(str(document))
    page.get_by_label("Kind of evidence").select_option("other")
    page.get_by_label("What it shows").fill("CPD certificate")
    page.get_by_role("button", name="Upload").click()
    page.goto(renewal_url)
    page.get_by_role("button", name="Submit the renewal").click()
    expect(page.get_by_text("Your renewal is submitted.")).to_be_visible()

    assessor, decider = make_user("assessor"), make_user("administrator")
    with app.app_context():
        application = db.session.get(Application, application_id)
        assignment = assessment.assign_assessor(
            application, db.session.get(User, assessor.id), actor=db.session.get(User, decider.id)
        )
        assessment.declare_conflict(assignment, actor=assignment.assessor, conflict=False)
        item = application.evidence[0]
        keys = criterion_keys(application.qualification)
        assessment.submit_judgement(
            assignment,
            {
                "reviews": {},
                "ratings": {k: {"rating": "met", "justification": "Current.", "evidence_ids": [item.id]} for k in keys},
                "results": {
                    "theory": {"percent": 90, "taken_on": today.isoformat()},
                    "practical": {"percent": 90, "taken_on": today.isoformat()},
                },
            },
            actor=assignment.assessor,
        )
        db.session.commit()
    other = make_user("administrator")
    with app.app_context():
        assessment.decide(
            db.session.get(Application, application_id), actor=db.session.get(User, other.id), outcome="confirmed"
        )
        db.session.commit()
    assert (
        holders.admin.post("/admin/certificates/issue", data={"application": [str(application_id)]}).status_code == 302
    )
    with app.app_context():
        new = db.session.scalar(select(Certificate).where(Certificate.application_id == application_id))
        new_number = new.number

    page.get_by_role("link", name="My applications").click()
    card = page.locator(f".certificate-links[data-certificate='{new_number}']")
    expect(card).to_be_visible()
    card.get_by_role("link", name="Verification page").click()
    expect(page.locator("#valid-from")).to_be_visible()
    expect(page.locator("#verify-status")).to_have_text("Valid", use_inner_text=True)
    page.goto(f"/verify/{person.code}")
    expect(page.locator("#renewed-by")).to_have_text(f"Renewed: see certificate No. {new_number}.", use_inner_text=True)
    with app.app_context():
        assert db.session.scalar(select(Certificate.valid_from).where(Certificate.number == new_number)) == old_expiry
