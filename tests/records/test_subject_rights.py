"""The person's rights: his data shown and exported (his, nobody else's), his account erased on request as an
administrator decides (what must be kept is kept, and he is told exactly what), his consent by notice version."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from certcenter.candidates.models import CandidateProfile
from certcenter.core.models import AuditEntry
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.records.models import ConsentRecord, ErasureRequest


def test_the_export_holds_every_record_of_the_person_and_nobody_elses(app, holders):
    me, other = holders(2)
    page = me.client.get("/my-data").get_data(as_text=True)
    assert me.iin in page and f"Application No. {me.application_id}" in page and other.iin not in page
    assert me.client.get("/my-data/export.zip").status_code == 404  # none made yet
    assert me.client.post("/my-data/export").status_code == 302  # the worker (eager in tests) makes it at once
    response = me.client.get("/my-data/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["iin"] == me.iin
    assert [application["id"] for application in data["applications"]] == [me.application_id]
    assert data["applications"][0]["certificates"][0]["number"] == me.number
    names = archive.namelist()
    assert f"files/certificates/{me.number}.pdf" in names
    with app.app_context():
        mine = db.session.scalars(select(EvidenceItem).where(EvidenceItem.application_id == me.application_id)).all()
        theirs = db.session.scalars(
            select(EvidenceItem).where(EvidenceItem.application_id == other.application_id)
        ).all()
    for item in mine:
        assert any(name.startswith(f"files/evidence/{item.id}-") for name in names)
    for item in theirs:
        assert not any(name.startswith(f"files/evidence/{item.id}-") for name in names)
    everything = archive.read("data.json").decode()
    assert other.iin not in everything and other.number not in everything
    # the other person's copy is not reachable by the first
    response = other.client.get("/my-data/export.zip")
    assert response.status_code == 404, response.headers.get("Location")


def test_erasure_keeps_exactly_what_must_be_kept_and_tells_the_person(app, holders, client):
    (me,) = holders(1)
    admin = holders.admin
    assert me.client.post("/my-data/erasure", data={"note": ""}).status_code == 302  # not confirmed: nothing asked
    with app.app_context():
        assert db.session.scalar(select(ErasureRequest)) is None
    assert me.client.post("/my-data/erasure", data={"note": "Moving abroad", "confirm": "y"}).status_code == 302
    assert me.client.post("/my-data/erasure", data={"confirm": "y"}).status_code == 409  # already asked
    with app.app_context():
        request_id = db.session.scalar(select(ErasureRequest.id))
    page = admin.get(f"/admin/records/erasure/{request_id}").get_data(as_text=True)
    assert "Would be kept" in page and f"certificate No. {me.number}" in page
    refused = admin.post(f"/admin/records/erasure/{request_id}", data={"decision": "approve", "reason": ""})
    assert refused.status_code == 409
    assert (
        admin.post(
            f"/admin/records/erasure/{request_id}", data={"decision": "approve", "reason": "No ground to keep more"}
        ).status_code
        == 302
    )
    page = admin.get(f"/admin/records/erasure/{request_id}").get_data(as_text=True)
    assert f"The register entry of certificate No. {me.number} (the law requires the centre to keep it)." in page
    assert f"Application No. {me.application_id}: its files, evidence and written comments." in page
    assert "Your profile (name, IIN, birth date, contacts, education, experience, documents) and your account." in page
    with app.app_context():
        erasure = db.session.get(ErasureRequest, request_id)
        assert erasure.status == "approved"
        assert erasure.outcome["kept"] == [{"what": "register", "certificate": me.number}]
        profile = db.session.get(CandidateProfile, me.profile_id)
        assert profile.iin.startswith("X") and not profile.user.active
        assert db.session.scalars(select(EvidenceItem).where(EvidenceItem.candidate_id == me.profile_id)).all() == []
        notices = db.session.scalars(select(Notification.kind).where(Notification.user_id == me.user_id)).all()
        assert notices == ["erasure_decided"]
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("records.%"))).all()
        assert "records.erasure_request" in actions and "records.erasure_approve" in actions
    client.post("/language", data={"language": "en"})
    assert me.number in client.get(f"/verify/{me.code}").get_data(as_text=True)  # the register still answers


def test_erasure_keeps_a_held_case_and_the_identity_it_needs(app, holders):
    (me,) = holders(1)
    admin = holders.admin
    admin.post(
        f"/admin/records/applications/{me.application_id}/hold", data={"ground": "complaint", "reason": "Complaint 7"}
    )
    me.client.post("/my-data/erasure", data={"confirm": "y"})
    with app.app_context():
        request_id = db.session.scalar(select(ErasureRequest.id))
    admin.post(f"/admin/records/erasure/{request_id}", data={"decision": "approve", "reason": "Partly: a complaint"})
    page = admin.get(f"/admin/records/erasure/{request_id}").get_data(as_text=True)
    assert f"Application No. {me.application_id}, which is under a legal hold." in page
    assert "Your profile, which the cases kept above need." in page
    with app.app_context():
        assert db.session.get(CandidateProfile, me.profile_id).iin == me.iin
        assert db.session.scalars(select(EvidenceItem).where(EvidenceItem.application_id == me.application_id)).all()


def test_a_refused_erasure_shows_the_reason_to_the_person(app, holders):
    (me,) = holders(1)
    me.client.post("/my-data/erasure", data={"confirm": "y"})
    with app.app_context():
        request_id = db.session.scalar(select(ErasureRequest.id))
    holders.admin.post(f"/admin/records/erasure/{request_id}", data={"decision": "refuse", "reason": "Open dispute"})
    page = me.client.get("/my-data").get_data(as_text=True)
    assert "Refused" in page and "Open dispute" in page


def test_consent_is_recorded_by_version_and_a_new_version_asks_again(app, client):
    client.post("/language", data={"language": "en"})
    form = {
        "email": "aigerim@example.kz",
        "full_name": "Айгерім Серікқызы",
        "password": "a long enough password",
        "confirm": "a long enough password",
        "accept": "y",
    }
    assert client.post("/register", data=form).status_code == 302
    with app.app_context():
        (record,) = db.session.scalars(select(ConsentRecord)).all()
        assert record.version == app.config["PRIVACY_NOTICE_VERSION"]
    assert client.post("/login", data={"email": form["email"], "password": form["password"]}).status_code == 302
    assert "The privacy notice has changed" not in client.get("/dashboard").get_data(as_text=True)
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-01"
    try:
        assert "The privacy notice has changed" in client.get("/dashboard").get_data(as_text=True)
        assert client.post("/privacy/consent", data={}).status_code == 302  # not ticked: nothing recorded
        assert client.post("/privacy/consent", data={"accept": "y"}).status_code == 302
        assert "The privacy notice has changed" not in client.get("/dashboard").get_data(as_text=True)
        with app.app_context():
            assert sorted(db.session.scalars(select(ConsentRecord.version))) == ["2026-11", "2027-01"]
        assert "2027-01" in client.get("/my-data").get_data(as_text=True)
    finally:
        app.config["PRIVACY_NOTICE_VERSION"] = "2026-11"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("kk", ["Дербес деректер туралы хабарлама", "тұрақты"]),
        ("ru", ["Уведомление о персональных данных", "постоянно"]),
    ],
)
def test_the_privacy_notice_and_schedule_in_kazakh_and_russian(client, language, words):
    client.post("/language", data={"language": language})
    page = client.get("/privacy").get_data(as_text=True)
    for word in words:
        assert word in page
    assert "Privacy notice" not in page
