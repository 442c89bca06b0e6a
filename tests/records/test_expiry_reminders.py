"""One schedule of reminders before a certificate expires (``EXPIRY_REMINDER_DAYS``), one kind of notice, one beat
task: the holder gets one mail per step, never two for the same day from two schedules, and a run repeated or a day
missed tells him once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.certificates.renewal import send_reminders
from certcenter.certificates.tasks import remind_renewals
from certcenter.core.i18n import centre_today
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from tests.smtp import smtp, text_of  # noqa: F401 - the fixture


def expire_in(app, person, days: int):
    with app.app_context():
        certificate = db.session.get(Certificate, person.certificate_id)
        certificate.expires_on = centre_today() + timedelta(days=days)
        db.session.commit()
        return certificate.expires_on


def test_a_holder_90_days_before_expiry_gets_exactly_one_mail(app, holders, smtp):  # noqa: F811
    (person,) = holders(1)
    expire_in(app, person, 90)
    smtp.messages.clear()  # what issuing mailed him
    task = app.extensions["celery"].tasks[remind_renewals.name]  # the beat's task, run by this app's worker
    assert task.apply().get() == 1
    assert task.apply().get() == 0  # the nightly task again, the same day: nothing more
    mails = smtp.to(person.email)
    assert len(mails) == 1, [message["Subject"] for message in mails]
    body = " ".join(text_of(mails[0]).split())
    assert f"Your certificate No. {person.number} expires on" in body and "renew it from your dashboard" in body
    assert "apply for recertification before the certificate expires" in body
    with app.app_context():
        kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == person.user_id)).all()
        assert kinds.count("certificate_expiring") == 1 and "renewal_due" not in kinds
    # one beat task sends them: the old second schedule is gone
    tasks = [entry["task"] for entry in app.config["CELERY"]["beat_schedule"].values()]
    assert tasks.count("certcenter.certificates.tasks.remind_renewals") == 1
    assert "certcenter.certificates.tasks.notify_expiring_certificates" not in tasks


def test_each_step_is_told_once_and_a_missed_day_once(app, holders):
    (person,) = holders(1)
    expires_on = expire_in(app, person, 200)
    with app.app_context():
        told = [send_reminders(expires_on - timedelta(days=days)) for days in (181, 180, 179, 91, 90, 60, 20, 8, 7, 3)]
        db.session.commit()
        steps = db.session.scalars(
            select(Notification.params).where(Notification.kind == "certificate_expiring").order_by(Notification.id)
        ).all()
    assert told == [0, 1, 0, 0, 1, 0, 1, 0, 1, 0]  # 30 days missed: told once on day 20, not also for 90 or 180
    assert [params["days"] for params in steps] == [180, 90, 30, 7]


def test_a_holder_renewing_is_not_reminded(app, holders, monkeypatch):
    (person,) = holders(1)
    monkeypatch.setitem(app.config, "EXPIRY_REMINDER_DAYS", [60, 14])
    expires_on = expire_in(app, person, 60)
    with app.app_context():
        certificate = db.session.get(Certificate, person.certificate_id)
        certificate.application.qualification.recertification_rule = "cpd"
        certificate.application.qualification.recertification_cpd_hours = 16
        db.session.commit()
    started = person.client.post(
        f"/certificates/{person.certificate_id}/renew", data={"route": "short", "form_token": "renew-short"}
    )
    assert started.status_code == 302
    with app.app_context():
        assert send_reminders(expires_on - timedelta(days=60)) == 0
        assert send_reminders(expires_on - timedelta(days=14)) == 0
