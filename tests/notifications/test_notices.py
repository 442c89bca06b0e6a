"""Every notice reaches its person: by e-mail in his language (with a link that works) and in the application;
the kinds he may switch off carry List-Unsubscribe and obey his settings; the ones about his rights always come."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.certificates.models import Certificate
from certcenter.core.models import OutboxMail
from certcenter.extensions import db
from certcenter.notifications.models import NoticePreference, Notification
from tests.conftest import login
from tests.smtp import header, links_in, path_of, text_of


def holder_of(app, application_id: int, locale: str) -> User:
    with app.app_context():
        user = db.session.get(Application, application_id).candidate.user
        user.locale = locale
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def issue(admin, app, application_id: int) -> int:
    admin.post("/admin/certificates/issue", data={"application": [str(application_id)]})
    with app.app_context():
        return db.session.scalar(select(Certificate.id).where(Certificate.application_id == application_id))


def signed_in(app, user: User):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_the_holder_is_told_of_the_revocation_by_email_and_in_the_application(app, smtp, confirmed, login_as):
    (application_id,) = confirmed(1)
    holder = holder_of(app, application_id, "ru")
    admin = login_as("admin")
    certificate_id = issue(admin, app, application_id)
    with app.app_context():
        number = db.session.get(Certificate, certificate_id).number
    issued = [message for message in smtp.to(holder.email) if "Сертификат выдан" in message["Subject"]]
    assert len(issued) == 1 and "List-Unsubscribe" in issued[0]  # a state change may be switched off
    admin.post(f"/admin/certificates/{certificate_id}/revoke", data={"reason": "Поддельный документ"})
    [message] = [m for m in smtp.to(holder.email) if m["Subject"] == f"Ваш сертификат № {number} аннулирован."]
    assert "List-Unsubscribe" not in message  # the holder's rights: always sent, no unsubscribe
    body = text_of(message)
    assert "Здравствуйте," in body and "Причина: Поддельный документ" in body
    assert "Это уведомление отправляется всегда" in body
    [link] = links_in(message)
    client = signed_in(app, holder)
    dashboard = client.get(path_of(link))
    assert dashboard.status_code == 200
    assert "Аннулирован" in dashboard.get_data(as_text=True)  # no longer "certificate issued" alone
    notices = client.get("/notifications").get_data(as_text=True)
    assert f"Ваш сертификат № {number} аннулирован." in notices


def test_a_person_switches_a_kind_of_mail_off_and_still_sees_it_in_the_application(app, smtp, confirmed, login_as):
    (application_id,) = confirmed(1)
    holder = holder_of(app, application_id, "en")
    client = signed_in(app, holder)
    page = client.get("/account/notices").get_data(as_text=True)
    assert "My application changes state" in page and 'value="state_changed" checked' in page
    assert "Daily digest" not in page  # administrators only
    client.post("/account/notices", data={"email": ["certificate_expiring"]})  # state changes: in the app only
    admin = login_as("admin")
    issue(admin, app, application_id)
    assert [m for m in smtp.to(holder.email) if "Certificate issued" in m["Subject"]] == []
    with app.app_context():
        kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == holder.id)).all()
    assert "state_changed" in kinds
    assert "Certificate issued" in client.get("/notifications").get_data(as_text=True)


def test_one_click_unsubscribe_from_the_mail_header(app, smtp, confirmed, login_as):
    (application_id,) = confirmed(1)
    holder = holder_of(app, application_id, "en")
    admin = login_as("admin")
    certificate_id = issue(admin, app, application_id)
    [message] = [m for m in smtp.to(holder.email) if "Certificate issued" in m["Subject"]]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header(message, "List-Unsubscribe").strip("<>")
    mail_program = app.test_client()  # not signed in, no CSRF token: the signed link is the proof
    mail_program.application.config["WTF_CSRF_ENABLED"] = True
    try:
        response = mail_program.post(path_of(url), data={"List-Unsubscribe": "One-Click"})
    finally:
        mail_program.application.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 200
    with app.app_context():
        preference = db.session.get(NoticePreference, (holder.id, "state_changed"))
        assert preference is not None and preference.email is False
    assert app.test_client().post(path_of(url)[:-3] + "xyz").status_code == 404  # a forged link
    # a notice of the holder's rights still comes
    admin.post(f"/admin/certificates/{certificate_id}/suspend", data={"reason": "Check"})
    assert [m for m in smtp.to(holder.email) if "suspended" in m["Subject"]]


def test_administrators_are_told_of_submissions_and_of_applications_ready_for_decision(app, smtp, confirmed):
    (application_id,) = confirmed(1)
    with app.app_context():
        kinds = db.session.scalars(select(OutboxMail.kind)).all()
        admins = db.session.scalars(select(User).where(User.email.like("%@example.kz"))).all()
        admin_addresses = {user.email for user in admins if user.has_role("administrator")}
    assert "notice.application_submitted" in kinds and "notice.ready_for_decision" in kinds
    submitted = [m for m in smtp.messages if "has been submitted" in m["Subject"] or "берілді" in m["Subject"]]
    assert {m["To"] for m in submitted} == admin_addresses
    assert submitted[0]["Subject"] == f"№ {application_id} өтінім берілді; оның бағалаушыларын тағайындаңыз."


def test_an_administrator_takes_the_daily_digest_instead(app, smtp, confirmed, login_as):
    from certcenter.notifications.services import send_digests

    admin = login_as("admin", locale="en")
    admin.post("/account/notices", data={"email": ["application_submitted", "ready_for_decision"], "digest": "y"})
    confirmed(1)
    assert smtp.to(admin.user.email) == []
    with app.app_context():
        assert send_digests() >= 1
        db.session.commit()
    [digest] = smtp.to(admin.user.email)
    assert digest["Subject"].endswith("since the last digest")
    assert "has been submitted; assign its assessors." in text_of(digest)
    assert "awaits a decision." in text_of(digest)


def test_holders_are_warned_180_90_30_and_7_days_before_expiry_once_each(app, smtp, confirmed, login_as):
    from certcenter.certificates.renewal import send_reminders

    (application_id,) = confirmed(1)
    holder = holder_of(app, application_id, "en")
    certificate_id = issue(login_as("admin"), app, application_id)
    with app.app_context():
        expires_on = db.session.get(Certificate, certificate_id).expires_on
        assert send_reminders(expires_on - timedelta(days=181)) == 0
        assert send_reminders(expires_on - timedelta(days=180)) == 1
        assert send_reminders(expires_on - timedelta(days=91)) == 0
        assert send_reminders(expires_on - timedelta(days=90)) == 1
        assert send_reminders(expires_on - timedelta(days=89)) == 0  # given already
        assert send_reminders(expires_on - timedelta(days=20)) == 1  # the 30-day one, a day that was missed
        assert send_reminders(expires_on - timedelta(days=7)) == 1
        assert send_reminders(expires_on - timedelta(days=7)) == 0
        db.session.commit()
        steps = db.session.scalars(
            select(Notification.params).where(Notification.kind == "certificate_expiring").order_by(Notification.id)
        ).all()
    assert [params["days"] for params in steps] == [180, 90, 30, 7]
    warnings = [m for m in smtp.to(holder.email) if "renew it from your dashboard" in m["Subject"]]
    assert len(warnings) == 4 and "List-Unsubscribe" in warnings[0]


def test_the_decision_is_mailed_to_the_candidate_with_its_reasons(app, smtp, in_assessment):
    from tests.assessments.conftest import judgement

    scene = in_assessment()
    key = "descriptor:knowledge"
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assessor.post(
            f"/assess/{assignment_id}/submit", data=judgement(scene, {key: "not_met"}, met_at_level={key: 2}, theory=40)
        )
    scene.candidate.post("/language", data={"language": "en"})
    scene.admin.post(f"/admin/applications/{scene.application_id}/decision", data={"outcome": "not_confirmed"})
    subject = f"Application No. {scene.application_id} is now: Qualification not confirmed."
    [message] = [m for m in smtp.to(scene.candidate.user.email) if m["Subject"] == subject]
    body = text_of(message)
    assert "The reasons for the decision:" in body and "Criterion “Knowledge” is not met." in body
    assert "Theory test: 40% is below the pass mark of 70%." in body
    link, preferences = links_in(message)
    assert scene.candidate.get(path_of(link)).status_code == 200
    assert scene.candidate.get(path_of(preferences)).status_code == 200


def test_the_administrators_are_asked_for_a_moderator_and_the_picked_one_is_told(app, smtp, in_assessment, login_as):
    """The lead assessor no longer moderates (#13): a disagreement asks the administrators, in their language, to
    pick an independent moderator; the one picked is told by mail and its link opens his moderation page."""
    from tests.assessments.conftest import judgement

    scene = in_assessment()
    lead, other = scene.assessors
    scene.admin.post("/language", data={"language": "ru"})
    lead.post(f"/assess/{scene.assignment_ids[0]}/submit", data=judgement(scene))
    key = "descriptor:skills"
    partly = judgement(scene, {key: "partially_met"}, met_at_level={key: 2})
    other.post(f"/assess/{scene.assignment_ids[1]}/submit", data=partly)
    asked = [m for m in smtp.to(scene.admin.user.email) if "выберите независимого модератора" in m["Subject"]]
    assert len(asked) == 1
    for assessor in (lead, other):
        assert [m for m in smtp.to(assessor.user.email) if "модерац" in m["Subject"].lower()] == []
    moderator = login_as("assessor", full_name="Тәуелсіз Модератор")
    picked = scene.admin.post(
        f"/admin/applications/{scene.application_id}/moderator", data={"moderator_id": moderator.user.id}
    )
    assert picked.status_code == 302
    told = [m for m in smtp.to(moderator.user.email) if "moderate" in m["Subject"] or "модер" in m["Subject"]]
    assert len(told) == 1
    assert moderator.get(path_of(links_in(told[0])[0])).status_code == 200
