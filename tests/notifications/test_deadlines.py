"""Deadlines that nag: the assessors an application waits on are reminded before its step is due, once; when it is
overdue the administrators are told, once, and their list flags it."""

from __future__ import annotations

from datetime import timedelta

from certcenter.applications.deadlines import remind
from certcenter.applications.models import Application
from certcenter.extensions import db


def test_assessors_are_reminded_and_administrators_told_of_an_overdue_step(app, smtp, in_assessment):
    scene = in_assessment()
    for client in (*scene.assessors, scene.admin):
        client.post("/language", data={"language": "en"})
    with app.app_context():
        application = db.session.get(Application, scene.application_id)
        entered = application.state_changed_at
        days = app.config["DEADLINE_DAYS"]["in_assessment"]
        assert remind(entered + timedelta(days=days - 3)) == 0  # not yet
        assert remind(entered + timedelta(days=days - 2)) == 2  # both assessors still to judge
        assert remind(entered + timedelta(days=days - 1)) == 0  # reminded once
        db.session.commit()
    for assessor in scene.assessors:
        [reminder] = [m for m in smtp.to(assessor.user.email) if m["Subject"].startswith("Reminder:")]
        assert f"application No. {scene.application_id} waits for you" in reminder["Subject"]
        notices = assessor.get("/notifications").get_data(as_text=True)
        assert f"Reminder: application No. {scene.application_id} waits for you" in notices
    listing = scene.admin.get("/admin/applications?state=in_assessment").get_data(as_text=True)
    assert "overdue" not in listing.split("<tbody>")[1]
    with app.app_context():
        db.session.get(Application, scene.application_id).state_changed_at = entered - timedelta(days=days + 1)
        db.session.commit()
        assert remind() >= 1  # the administrators
        assert remind() == 0
        db.session.commit()
    notices = scene.admin.get("/notifications").get_data(as_text=True)
    assert f"Application No. {scene.application_id} is overdue at the step “In assessment”" in notices
    listing = scene.admin.get("/admin/applications?state=in_assessment").get_data(as_text=True)
    assert "overdue" in listing.split("<tbody>")[1]
