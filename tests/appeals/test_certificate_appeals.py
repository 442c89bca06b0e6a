"""Appeals against a certificate's suspension or revocation, as the people around them meet them: only the holder
lodges one, from his certificate's card, within the period counted in the centre's calendar from the change; the
person who suspended or revoked the certificate never sits on the panel; an upheld appeal makes the certificate valid
again through the certificates' own lifecycle (its history names the appeal, the public verification says valid),
a dismissed one leaves it as it was; the centre may hear no such appeals at all."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from certcenter.accounts.models import User
from certcenter.appeals import services as appeal_services
from certcenter.appeals.models import Appeal
from certcenter.certificates import services as certificates
from certcenter.certificates.models import Certificate
from certcenter.certificates.status_list import list_state
from certcenter.core.models import AuditEntry, OutboxMail
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from tests.appeals.conftest import english
from tests.certificates.test_centre_settings import form_data
from tests.conftest import login

GROUNDS = "The complaint that led to the revocation named another welder with my surname."


@dataclass
class Revoked:
    certificate_id: int
    code: str
    holder: FlaskClient
    revoker: FlaskClient


@pytest.fixture
def changed(app, confirmed, login_as):
    """A certificate issued to its holder, then suspended or revoked by an administrator through the register."""

    def _make(action: str = "revoke") -> Revoked:
        (application_id,) = confirmed(1)
        revoker = login_as("admin")
        english(revoker)
        with app.test_request_context():
            certificates.issue_certificates([application_id], actor=db.session.get(User, revoker.user.id))
            db.session.commit()
            certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == application_id))
            certificate_id, code = certificate.id, certificate.verification_code
            email = certificate.application.candidate.user.email
        response = revoker.post(
            f"/admin/certificates/{certificate_id}/{action}",
            data={"reason": "A complaint showed a forged diploma.", "confirmation_asked": "1", "confirmed": "y"},
        )
        assert response.status_code == 302
        holder = app.test_client()
        assert login(holder, email).status_code == 302
        with app.app_context():
            holder.user = db.session.scalar(select(User).where(User.email == email))
        english(holder)
        return Revoked(certificate_id, code, holder, revoker)

    return _make


def lodge(revoked: Revoked, client: FlaskClient | None = None, **fields):
    data = {"grounds": GROUNDS, "confirmation_asked": "1", "confirmed": "y", **fields}
    return (client or revoked.holder).post(f"/certificates/{revoked.certificate_id}/appeal", data=data)


def appeals(app) -> list[Appeal]:
    with app.app_context():
        return db.session.scalars(select(Appeal)).all()


def count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def seat(client, appeal_id: int, user_id: int):
    return client.post(f"/admin/appeals/{appeal_id}/panel", data={"member": user_id})


def outcome(client, appeal_id: int, kind: str, answer: str = "Your certificate is valid again."):
    data = {
        "outcome": kind,
        "reasoning": "The complaint concerned another person.",
        "answer": answer,
        "confirmation_asked": "1",
        "confirmed": "y",
    }
    return client.post(f"/appeals/{appeal_id}/vote", data=data)


def heard(app, revoked: Revoked, login_as) -> tuple[int, FlaskClient]:
    """The holder lodges; another administrator seats an assessor, who declares no conflict."""
    assert lodge(revoked).status_code == 302
    (appeal,) = appeals(app)
    admin, member = login_as("admin"), login_as("assessor")
    english(admin)
    english(member)
    assert seat(admin, appeal.id, member.user.id).status_code == 302
    assert member.post(f"/appeals/{appeal.id}/declaration", data={"conflict": "no"}).status_code == 302
    return appeal.id, member


def public_status(revoked: Revoked, client: FlaskClient) -> str:
    return client.get(f"/api/v1/certificates/{revoked.code}").get_json()["status"]


def test_only_the_holder_appeals_against_his_certificates_revocation(app, changed, make_candidate, login_as):
    revoked = changed()
    stranger, other_admin = make_candidate(), login_as("admin")
    for client in (stranger, other_admin, revoked.revoker):
        assert client.get(f"/certificates/{revoked.certificate_id}/appeal").status_code == 404
        assert lodge(revoked, client).status_code == 404
    assert appeals(app) == []
    # the holder sees the period on his certificate's card and lodges from there
    card = revoked.holder.get("/dashboard").get_data(as_text=True)
    assert "You may appeal against the suspension or revocation until" in card
    assert f"/certificates/{revoked.certificate_id}/appeal" in card
    assert lodge(revoked).status_code == 302
    (appeal,) = appeals(app)
    assert (appeal.subject, appeal.appealed_status, appeal.certificate_id) == (
        "certificate_status",
        "revoked",
        revoked.certificate_id,
    )
    assert appeal.decision_id is None and appeal.contested == []
    with app.app_context():
        told = db.session.scalars(select(Notification).where(Notification.kind == "appeal.lodged")).all()
        assert told and all(notice.params["number"] for notice in told)
        # the application is not reopened: the certificate is what the appeal is about
        assert db.session.get(Certificate, revoked.certificate_id).application.state == "certified"
    card = revoked.holder.get("/dashboard").get_data(as_text=True)
    assert "Lodged: the centre forms an appeals panel" in card and "You may appeal against the suspension" not in card
    # one appeal per change
    again = lodge(revoked)
    assert again.status_code == 409
    assert "This suspension or revocation has already been appealed against." in again.get_data(as_text=True)


def test_whoever_revoked_the_certificate_never_sits_on_its_panel(app, changed, login_as):
    revoked = changed()
    assert lodge(revoked).status_code == 302
    (appeal,) = appeals(app)
    admin = login_as("admin")
    english(admin)
    before = count(app, "appeal.member_refused")
    response = seat(admin, appeal.id, revoked.revoker.user.id)
    assert response.status_code == 409
    assert "suspended or revoked the certificate appealed against" in response.get_data(as_text=True)
    assert count(app, "appeal.member_refused") == before + 1
    # nor the holder, even as a member of the centre's staff
    with app.app_context():
        db.session.get(User, revoked.holder.user.id).set_roles({"candidate", "assessor"})
        db.session.commit()
    assert seat(admin, appeal.id, revoked.holder.user.id).status_code == 409
    # the revoker's own page of the appeal: he may see it as an administrator, not hear it
    page = admin.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    assert "A suspension or revocation of the certificate" in page and 'id="appealed-certificate"' in page
    assert "A complaint showed a forged diploma." in page
    with app.app_context():
        assert db.session.scalars(select(Appeal)).one().members == []


# Revoked at 20:00 UTC on 1 October: already 2 October in Almaty; with 30 days the last day is 1 November (Almaty).
CHANGED_AT = datetime(2026, 10, 1, 20, 0, tzinfo=UTC)
A_DAY_BEFORE = datetime(2026, 10, 31, 7, 0, tzinfo=UTC)
ON_THE_DAY = datetime(2026, 11, 1, 18, 30, tzinfo=UTC)  # 23:30 in Almaty
A_DAY_AFTER = datetime(2026, 11, 1, 19, 30, tzinfo=UTC)  # 00:30 on 2 November in Almaty


@pytest.mark.parametrize(
    ("moment", "in_time"), [(A_DAY_BEFORE, True), (ON_THE_DAY, True), (A_DAY_AFTER, False)], ids=str
)
def test_the_period_runs_from_the_change_in_the_centres_calendar(app, changed, monkeypatch, moment, in_time):
    revoked = changed()
    with app.app_context():
        db.session.get(Certificate, revoked.certificate_id).status_changed_at = CHANGED_AT
        db.session.commit()
    monkeypatch.setattr(appeal_services, "now", lambda: moment)
    card = revoked.holder.get("/dashboard").get_data(as_text=True)
    response = lodge(revoked)
    if in_time:
        assert "until November 1, 2026" in card
        assert response.status_code == 302 and len(appeals(app)) == 1
    else:
        assert f"/certificates/{revoked.certificate_id}/appeal" not in card
        assert response.status_code == 409
        assert "The period to appeal against this suspension or revocation has ended." in response.get_data(
            as_text=True
        )
        assert appeals(app) == []


def test_upheld_the_revoked_certificate_is_valid_again_for_everyone(app, changed, login_as, client):
    revoked = changed()
    assert public_status(revoked, client) == "revoked"
    appeal_id, member = heard(app, revoked, login_as)
    # a new assessment round does not apply to a certificate's status: refused, with the reason, and audited
    page = member.get(f"/appeals/{appeal_id}").get_data(as_text=True)
    assert 'value="reinstated"' in page and 'value="new_round"' not in page
    refused = outcome(member, appeal_id, "new_round")
    assert refused.status_code == 409
    assert "is not sent to a new assessment" in refused.get_data(as_text=True)
    assert count(app, "appeal.outcome_refused") == 1
    assert public_status(revoked, client) == "revoked"

    assert outcome(member, appeal_id, "reinstated").status_code == 302
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        certificate = db.session.get(Certificate, revoked.certificate_id)
        assert (appeal.state, appeal.outcome) == ("upheld", "reinstated")
        assert certificate.status == "valid" and certificate.status_reason is None
        move = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "certificate.reinstate_after_appeal")
        ).one()
        assert move.target_id == str(certificate.id) and move.actor_id == member.user.id
        assert move.details["appeal"] == appeal.reference and move.details["before"] == "revoked"
        assert certificate.status_index not in list_state("revocation").indexes
        kinds = db.session.scalars(
            select(Notification.kind).where(Notification.user_id == revoked.holder.user.id)
        ).all()
        assert {"certificate_reinstated", "appeal.answered"} <= set(kinds)
        # and by mail, as every notice goes (the holder's address is confirmed)
        mailed = db.session.scalars(
            select(OutboxMail).where(
                OutboxMail.user_id == revoked.holder.user.id, OutboxMail.kind == "notice.appeal.answered"
            )
        ).one()
        assert "The answer to your appeal against the suspension or revocation" in mailed.subject
        reference = appeal.reference
    # anyone checking it reads "valid"; the register's history names the appeal
    assert public_status(revoked, client) == "valid"
    verify = client.get(f"/verify/{revoked.code}").get_data(as_text=True)
    assert "cert-valid" in verify and "cert-revoked" not in verify
    history = html.unescape(revoked.revoker.get(f"/admin/certificates/{revoked.certificate_id}").get_data(as_text=True))
    assert "Revoked certificate valid again: the holder's appeal upheld" in history and reference in history
    card = revoked.holder.get("/dashboard").get_data(as_text=True)
    assert "Upheld: the certificate is valid again" in card and "Your certificate is valid again." in card


def test_dismissed_the_revocation_stands(app, changed, login_as, client):
    revoked = changed()
    appeal_id, member = heard(app, revoked, login_as)
    told = html.unescape(member.get("/notifications").get_data(as_text=True))
    assert "panel of an appeal against the suspension or revocation of the certificate of application" in told
    assert outcome(member, appeal_id, "dismissed", "The revocation stands.").status_code == 302
    with app.app_context():
        assert db.session.get(Certificate, revoked.certificate_id).status == "revoked"
        assert db.session.get(Appeal, appeal_id).state == "dismissed"
    assert public_status(revoked, client) == "revoked"
    card = revoked.holder.get("/dashboard").get_data(as_text=True)
    assert "Dismissed: the decision stands" in card and "The revocation stands." in card


def test_upheld_a_suspended_certificate_is_reinstated_naming_the_appeal(app, changed, login_as, client):
    revoked = changed("suspend")
    appeal_id, member = heard(app, revoked, login_as)
    assert outcome(member, appeal_id, "reinstated").status_code == 302
    assert public_status(revoked, client) == "valid"
    with app.app_context():
        move = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "certificate.reinstate").order_by(AuditEntry.id.desc())
        ).first()
        assert move.details["appeal"] == db.session.get(Appeal, appeal_id).reference


def test_a_status_changed_since_the_appeal_is_not_undone_by_it(app, changed, login_as):
    """Suspended, appealed, then revoked while the panel sits: upholding the appeal against the suspension does not
    undo the revocation."""
    revoked = changed("suspend")
    appeal_id, member = heard(app, revoked, login_as)
    assert (
        revoked.revoker.post(
            f"/admin/certificates/{revoked.certificate_id}/revoke",
            data={"reason": "Confirmed forgery.", "confirmation_asked": "1", "confirmed": "y"},
        ).status_code
        == 302
    )
    response = outcome(member, appeal_id, "reinstated")
    assert response.status_code == 409
    assert "status has changed since the appeal was lodged" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Certificate, revoked.certificate_id).status == "revoked"
        assert db.session.get(Appeal, appeal_id).is_open


def test_the_service_move_back_from_revoked_needs_an_upheld_appeal(app, changed, login_as):
    revoked = changed()
    assert lodge(revoked).status_code == 302
    with app.test_request_context():
        appeal = db.session.scalars(select(Appeal)).one()
        certificate = db.session.get(Certificate, revoked.certificate_id)
        admin = db.session.get(User, login_as("admin").user.id)
        with pytest.raises(certificates.CertificateError):
            certificates.reinstate_after_appeal(certificate, appeal=appeal, actor=admin)  # still open
        assert certificate.status == "revoked"
    # and the register offers no way back from "revoked"
    response = revoked.revoker.post(f"/admin/certificates/{revoked.certificate_id}/reinstate", data={"reason": "x"})
    assert response.status_code == 409


def test_the_centre_may_hear_no_appeals_against_a_certificates_status(app, changed, login_as):
    revoked = changed()
    admin = login_as("admin")
    settings = {key: value for key, value in form_data().items() if key != "appeal_certificate_status"}
    assert admin.post("/admin/settings", data=settings).status_code == 302
    card = revoked.holder.get("/dashboard").get_data(as_text=True)
    assert f"/certificates/{revoked.certificate_id}/appeal" not in card
    response = lodge(revoked)
    assert response.status_code == 409
    assert "The centre does not hear appeals against a suspension or revocation" in response.get_data(as_text=True)
    assert appeals(app) == []
    assert count(app, "appeal.lodge_refused") == 1
    with app.app_context():
        changes = db.session.scalars(select(AuditEntry.details).where(AuditEntry.action == "centre.settings")).all()
    assert {"setting": "appeal_certificate_status", "before": True, "after": False} in changes
