"""Complaints in the retention schedule and in erasure: a closed complaint past its period loses the complainant's
contact details, its texts and its file; an open one is never touched, and an erasure keeps it (and the identity it
needs), telling the person exactly which."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from certcenter.appeals.models import Complaint
from certcenter.candidates.models import CandidateProfile
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.records.models import ErasureRequest
from tests.appeals.test_complaints import PDF, file
from tests.records.test_retention import retention as run_retention
from tests.smtp import smtp, text_of  # noqa: F401 - the fixture


@pytest.fixture
def desk(app, monkeypatch):
    monkeypatch.setitem(app.config, "COMPLAINT_MIN_FILL_SECONDS", 0)
    return app.test_client()


def filed(app, client, **fields) -> int:
    assert file(client, **fields).status_code == 302
    with app.app_context():
        return db.session.scalar(select(Complaint.id).order_by(Complaint.id.desc()).limit(1))


def close(app, complaint_id: int, on: date) -> None:
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        complaint.state, complaint.outcome = "closed", "not_upheld"
        complaint.findings, complaint.response = "Нарушений не выявлено.", "Ваша жалоба рассмотрена."
        complaint.closed_at = datetime(on.year, on.month, on.day, 6, tzinfo=UTC)
        db.session.commit()


def test_a_closed_complaint_past_its_period_is_anonymised_and_an_open_one_left(app, desk):
    closed_id = filed(app, desk, attachment=(io.BytesIO(PDF), "photo.pdf"), contact_phone="+7 701 000 00 00")
    open_id = filed(app, app.test_client(), text="Ашық шағым")
    close(app, closed_id, date(2026, 1, 10))
    with app.app_context():
        key = db.session.get(Complaint, closed_id).attachment_key
        assert get_storage().exists(key)

    assert run_retention(app, "--dry-run", "--today", "2031-01-10")[-1] == "0 would go (dry run: nothing changed)"
    planned = run_retention(app, "--dry-run", "--today", "2031-01-11")
    assert planned[:-1] == [f"complaints\tComplaint:{closed_id}\tdue since 2031-01-10"]
    assert run_retention(app, "--today", "2031-01-11")[:-1] == planned[:-1]
    assert run_retention(app, "--dry-run", "--today", "2031-01-12")[-1] == "0 would go (dry run: nothing changed)"

    with app.app_context():
        complaint = db.session.get(Complaint, closed_id)
        assert complaint.contact_name == f"ANON-C{closed_id}"
        assert (complaint.contact_email, complaint.contact_phone, complaint.text) == ("", "", "")
        assert (complaint.findings, complaint.response, complaint.subject_name) == ("", "", "")
        assert all(event.note == "" for event in complaint.events)
        assert complaint.attachment_key is None and not get_storage().exists(key)
        # what the statistics count stays
        assert (complaint.category, complaint.state, complaint.outcome) == ("assessor", "closed", "not_upheld")
        untouched = db.session.get(Complaint, open_id)
        assert untouched.text == "Ашық шағым" and untouched.contact_email == "gulnar@example.kz"


def test_erasure_keeps_an_open_complaint_by_or_about_the_person_and_tells_him(app, holders, desk, smtp):  # noqa: F811
    me, other = holders(2)
    by_me_closed = filed(app, desk, contact_email=me.email, text="Менің жабық шағымым")
    close(app, by_me_closed, date(2026, 6, 1))
    about_me_open = filed(app, desk, subject_kind="holder", category="certificate_misuse", text="Ол туралы")
    with app.app_context():
        db.session.get(Complaint, about_me_open).subject_user_id = me.user_id
        db.session.commit()
        reference_open = db.session.get(Complaint, about_me_open).reference
        reference_closed = db.session.get(Complaint, by_me_closed).reference

    assert me.client.post("/my-data/erasure", data={"confirm": "y"}).status_code == 302
    with app.app_context():
        request_id = db.session.scalar(select(ErasureRequest.id))
    admin = holders.admin
    page = admin.get(f"/admin/records/erasure/{request_id}").get_data(as_text=True)
    assert f"Complaint No. {reference_open} about you, which is still being handled." in page
    smtp.messages.clear()
    admin.post(f"/admin/records/erasure/{request_id}", data={"decision": "approve", "reason": "As the law allows"})
    page = admin.get(f"/admin/records/erasure/{request_id}").get_data(as_text=True)
    assert f"Complaint No. {reference_open} about you, which is still being handled." in page
    # he is told his identity is kept for a matter still being handled, not that a complaint about him is open
    (mail,) = smtp.to(me.email)
    body = " ".join(text_of(mail).split())
    assert "Your identity, which a matter the centre is still handling needs until it is closed." in body
    assert reference_open not in body and "about you" not in body
    assert f"Your complaint No. {reference_closed}: your contact details" in body  # his own complaint, by name
    assert "Your profile, which the cases kept above need." in page
    assert f"Your complaint No. {reference_closed}: your contact details, its texts and its attached file." in page
    with app.app_context():
        assert db.session.get(CandidateProfile, me.profile_id).iin == me.iin  # the open complaint needs him
        closed = db.session.get(Complaint, by_me_closed)
        assert closed.contact_email == "" and closed.text == ""
        still = db.session.get(Complaint, about_me_open)
        assert still.subject_user_id == me.user_id and still.text == "Ол туралы"

    # once it is closed, a second erasure request removes him from it and erases the rest
    close(app, about_me_open, date(2026, 7, 1))
    assert me.client.post("/my-data/erasure", data={"confirm": "y"}).status_code == 302
    with app.app_context():
        second = db.session.scalar(select(ErasureRequest.id).where(ErasureRequest.status == "pending"))
    admin.post(f"/admin/records/erasure/{second}", data={"decision": "approve", "reason": "Nothing open now"})
    page = admin.get(f"/admin/records/erasure/{second}").get_data(as_text=True)
    assert f"Your name and account in complaint No. {reference_open} about you." in page
    with app.app_context():
        about = db.session.get(Complaint, about_me_open)
        assert about.subject_user_id is None and about.text == "Ол туралы"  # the complainant's record keeps its period
        assert db.session.get(CandidateProfile, me.profile_id).iin.startswith("X")
        assert db.session.get(CandidateProfile, other.profile_id).iin == other.iin
