"""The erasure notice reaches the person: it is written to his real address before his account is anonymised."""

from __future__ import annotations

from sqlalchemy import select

from certcenter.core.models import OutboxMail
from certcenter.extensions import db
from certcenter.records.models import ErasureRequest
from tests.smtp import smtp, text_of  # noqa: F401 - the fixture


def test_the_approved_erasure_is_mailed_to_the_address_the_person_had(app, holders, smtp):  # noqa: F811
    (me,) = holders(1)
    assert me.client.post("/my-data/erasure", data={"note": "Moving abroad", "confirm": "y"}).status_code == 302
    with app.app_context():
        request_id = db.session.scalar(select(ErasureRequest.id))
    smtp.messages.clear()  # what the application's course mailed him
    response = holders.admin.post(
        f"/admin/records/erasure/{request_id}", data={"decision": "approve", "reason": "No ground to keep more"}
    )
    assert response.status_code == 302
    mails = smtp.to(me.email)
    assert len(mails) == 1, [message["To"] for message in smtp.messages]
    body = " ".join(text_of(mails[0]).split())
    assert "Your request to erase your account was approved." in body
    assert f"Kept: The register entry of certificate No. {me.number} (the law requires the centre to keep it)." in body
    assert f"Erased: Application No. {me.application_id}: its files, evidence and written comments." in body
    with app.app_context():
        assert not db.session.scalars(select(OutboxMail).where(OutboxMail.to_address.like("erased-%"))).all()
