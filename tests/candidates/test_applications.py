"""Applying: eligibility shown, one application per double click, submission freezes it, exceptions decided."""

import re

import pytest
from sqlalchemy import func, select

from certcenter.applications.models import Application
from certcenter.core.models import AuditEntry
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from tests.samples import PDF

UPLOAD = {"kind": "work_sample", "description": "Photo of a weld seam", "document_date": "2025-06-01"}


def applications(app):
    with app.app_context():
        return db.session.scalars(select(Application)).all()


def apply(client, qualification_id, token="token-1"):
    return client.post(f"/qualifications/{qualification_id}/apply", data={"form_token": token})


def upload(client, application_id, content=PDF, name="diploma.pdf", **fields):
    return client.post(
        f"/applications/{application_id}/evidence",
        content_type="multipart/form-data",
        data=UPLOAD | fields | {"file": (__import__("io").BytesIO(content), name)},
    )


def map_all(client, app, application_id):
    with app.app_context():
        application = db.session.get(Application, application_id)
        keys = ["descriptor:competence", "descriptor:skills", "descriptor:knowledge"] + [
            f"unit:{unit.id}" for unit in application.qualification.units
        ]
        items = [item.id for item in application.evidence]
    for item in items:
        client.post(f"/applications/{application_id}/evidence/{item}/criteria", data={"criteria": keys})


def ready_application(client, app, qualification_id):
    response = apply(client, qualification_id)
    application_id = int(response.headers["Location"].rsplit("/", 1)[1])
    upload(client, application_id)
    map_all(client, app, application_id)
    return application_id


def test_the_qualification_page_shows_eligibility_and_what_is_missing(make_candidate, catalogue):
    client = make_candidate(education=["technical_vocational"], years=1.35)
    client.post("/language", data={"language": "en"})
    html = client.get(f"/qualifications/{catalogue['ELEC-MAINT-4']}").get_data(as_text=True)
    assert "You do not yet meet any pathway to this level." in html
    assert "needs 3 years of practical experience; you have 1 year 4 months, 1 year 8 months short" in html
    ok = make_candidate(education=["technical_vocational"], years=3.1)
    ok.post("/language", data={"language": "en"})
    html = ok.get(f"/qualifications/{catalogue['ELEC-MAINT-4']}").get_data(as_text=True)
    assert "You meet pathway 4.1 to this level." in html
    # and the pathways not met say what each still lacks, in numbers
    assert "The other pathways to this level, and what each still lacks" in html
    assert "needs at least: Post-secondary education" in html or "Post-secondary education" in html


def test_the_eligibility_at_submission_reads_in_the_readers_language(app, make_candidate, login_as, catalogue):
    """The conditions a pathway lacked are kept with the facts of the day, and told again in whoever reads them."""
    client = make_candidate(education=["technical_vocational"], years=1.35)
    client.post("/language", data={"language": "kk"})
    application_id = ready_application(client, app, catalogue["ELEC-MAINT-4"])
    client.post(f"/applications/{application_id}/submit", data={"exception_request": "Шетелде жұмыс істедім."})
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    html = admin.get(f"/applications/{application_id}").get_data(as_text=True)
    assert "needs 3 years of practical experience; you have 1 year 4 months, 1 year 8 months short" in html


def test_a_double_clicked_apply_makes_one_application(app, make_candidate, catalogue):
    client = make_candidate()
    first = apply(client, catalogue["WELD-3"], token="same")
    second = apply(client, catalogue["WELD-3"], token="same")
    assert first.headers["Location"] == second.headers["Location"]
    third = apply(client, catalogue["WELD-3"], token="another-tab")  # still one open application per qualification
    assert third.headers["Location"] == first.headers["Location"]
    assert len(applications(app)) == 1


def test_applying_without_a_profile_asks_for_it_first(login_as, catalogue):
    client = login_as("candidate")
    response = apply(client, catalogue["WELD-3"])
    assert response.status_code == 302 and response.headers["Location"].startswith("/profile")


def test_submission_needs_mapped_evidence(app, make_candidate, catalogue):
    client = make_candidate(education=["general_secondary"])
    client.post("/language", data={"language": "en"})
    application_id = int(apply(client, catalogue["WELD-3"]).headers["Location"].rsplit("/", 1)[1])
    response = client.post(f"/applications/{application_id}/submit", data={})
    assert response.status_code == 400
    assert "Upload at least one evidence item." in response.get_data(as_text=True)
    upload(client, application_id)
    response = client.post(f"/applications/{application_id}/submit", data={})
    assert "Map every evidence item to at least one criterion (1 not mapped)." in response.get_data(as_text=True)
    assert applications(app)[0].state == "draft"


def test_eligible_candidate_submits_and_the_application_freezes(app, make_candidate, catalogue):
    client = make_candidate(education=["general_secondary"])
    client.post("/language", data={"language": "en"})
    application_id = ready_application(client, app, catalogue["WELD-3"])
    first = client.post(f"/applications/{application_id}/submit", data={})
    second = client.post(f"/applications/{application_id}/submit", data={})  # double click
    assert first.status_code == second.status_code == 302
    (application,) = applications(app)
    assert application.state == "submitted"
    assert application.eligibility_status == "met" and application.eligibility["met_pathway"] == "3.2"
    assert application.profile_snapshot["iin"]
    with app.app_context():
        transitions = db.session.scalar(select(func.count()).where(AuditEntry.action == "application.transition"))
        assert transitions == 1
        item_id = db.session.scalar(select(EvidenceItem.id))
    # after submission nothing changes: no upload, no removal, no remapping
    assert upload(client, application_id).status_code == 409
    assert client.post(f"/applications/{application_id}/evidence/{item_id}/delete").status_code == 409
    assert (
        client.post(
            f"/applications/{application_id}/evidence/{item_id}/criteria", data={"criteria": ["descriptor:skills"]}
        ).status_code
        == 409
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 1
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Submitted" in dashboard and "The centre checks your application" in dashboard


def test_ineligible_candidate_must_explain_and_the_admin_decides(app, make_candidate, login_as, catalogue):
    client = make_candidate(education=["general_secondary"], years=0.5)
    client.post("/language", data={"language": "en"})
    application_id = ready_application(client, app, catalogue["SOFTWARE-DEV-6"])
    refused = client.post(f"/applications/{application_id}/submit", data={"exception_request": "  "})
    assert refused.status_code == 400
    assert "Explain why the centre should make an exception." in refused.get_data(as_text=True)
    assert applications(app)[0].state == "draft"
    reason = "Ten years of commercial software development abroad, without a diploma."
    assert client.post(f"/applications/{application_id}/submit", data={"exception_request": reason}).status_code == 302
    (application,) = applications(app)
    assert application.state == "exception_requested" and application.exception_request == reason

    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    page = admin.get(f"/applications/{application_id}").get_data(as_text=True)
    assert reason in page and "Decide on the exception" in page
    no_reason = admin.post(f"/admin/applications/{application_id}/exception", data={"decision": "grant"})
    assert no_reason.status_code == 400 and "Write the reason for the decision." in no_reason.get_data(as_text=True)
    stale = admin.post(
        f"/admin/applications/{application_id}/exception", data={"decision": "grant", "reason": "ok", "version": "1"}
    )
    assert stale.status_code == 409
    granted = admin.post(
        f"/admin/applications/{application_id}/exception",
        data={"decision": "grant", "reason": "Portfolio reviewed by the board.", "version": str(application.version)},
    )
    assert granted.status_code == 302
    (application,) = applications(app)
    assert application.state == "submitted" and application.exception_granted is True
    timeline = client.get("/dashboard").get_data(as_text=True)
    assert "Portfolio reviewed by the board." in timeline


def test_refused_exception_closes_the_application(app, make_candidate, login_as, catalogue):
    client = make_candidate(education=["general_secondary"])
    application_id = ready_application(client, app, catalogue["HR-HEAD-7"])
    client.post(f"/applications/{application_id}/submit", data={"exception_request": "Please."})
    admin = login_as("admin")
    admin.post(f"/admin/applications/{application_id}/exception", data={"decision": "refuse", "reason": "No."})
    assert applications(app)[0].state == "not_eligible"
    # a second decision is a disallowed move: 409 with a message
    again = admin.post(f"/admin/applications/{application_id}/exception", data={"decision": "grant", "reason": "x"})
    assert again.status_code == 409


def test_candidate_withdraws(app, make_candidate, catalogue):
    client = make_candidate()
    application_id = int(apply(client, catalogue["WELD-3"]).headers["Location"].rsplit("/", 1)[1])
    assert (
        client.post(f"/applications/{application_id}/withdraw", data={"reason": "Changed my mind"}).status_code == 302
    )
    assert applications(app)[0].state == "withdrawn"
    assert client.post(f"/applications/{application_id}/withdraw", data={}).status_code == 409


@pytest.mark.parametrize("code", ["KITCHEN-ASSIST-2", "WELD-3", "ELEC-MAINT-4", "OILGAS-FOREMAN-5"])
def test_application_page_lists_descriptors_and_units_as_criteria(make_candidate, catalogue, code):
    client = make_candidate()
    client.post("/language", data={"language": "en"})
    application_id = int(apply(client, catalogue[code]).headers["Location"].rsplit("/", 1)[1])
    html = client.get(f"/applications/{application_id}").get_data(as_text=True)
    assert len(re.findall(r'class="criterion criterion-descriptor"', html)) == 3
    assert len(re.findall(r'class="criterion criterion-unit"', html)) >= 2
