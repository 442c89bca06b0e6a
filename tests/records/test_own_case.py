"""Separation of duties in the records and after the certificate: a holder who is also an administrator places no
legal hold on his own case and lifts none, decides no request about his own data, and decides no surveillance check
of his own certificate; each refusal is told and logged, and another administrator can do it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from certcenter.accounts.models import User
from certcenter.certificates.models import SurveillanceCheck
from certcenter.core.models import AuditEntry, utcnow
from certcenter.extensions import db
from certcenter.records.models import ErasureRequest, LegalHold


def refusals(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("%refus%")))


def test_an_administrator_who_holds_the_certificate_acts_on_none_of_his_own_records(app, holders):
    (me,) = holders(1)
    with app.app_context():
        user = db.session.get(User, me.user_id)
        user.set_roles({"candidate", "administrator"})
        db.session.commit()
    other = holders.admin
    before = refusals(app)

    hold = {"ground": "court", "reason": "My own case."}
    refused = me.client.post(f"/admin/records/applications/{me.application_id}/hold", data=hold)
    assert refused.status_code == 409
    assert "You are the candidate of this application" in refused.get_data(as_text=True)
    assert other.post(f"/admin/records/applications/{me.application_id}/hold", data=hold).status_code == 302
    with app.app_context():
        hold_id = db.session.scalar(select(LegalHold.id))
    assert me.client.post(f"/admin/records/holds/{hold_id}/lift", data={"reason": "Mine."}).status_code == 409
    with app.app_context():
        assert db.session.get(LegalHold, hold_id).lifted_at is None

    with app.app_context():
        db.session.add(ErasureRequest(user_id=me.user_id, note=""))
        check = SurveillanceCheck(certificate_id=me.certificate_id, due_on=(utcnow() - timedelta(days=1)).date())
        db.session.add(check)
        db.session.commit()
        erasure_id = db.session.scalar(select(ErasureRequest.id))
        check_id = check.id
    decided = me.client.post(f"/admin/records/erasure/{erasure_id}", data={"decision": "refuse", "reason": "No."})
    assert decided.status_code == 409
    assert "Another administrator decides on a request about your own data." in decided.get_data(as_text=True)
    case = me.client.post(f"/admin/surveillance/{check_id}", data={"decision": "case", "note": "Mine to close."})
    assert case.status_code == 409
    with app.app_context():
        assert db.session.get(ErasureRequest, erasure_id).status == "pending"
        assert db.session.get(SurveillanceCheck, check_id).decided_by_id is None
    assert refusals(app) >= before + 4
