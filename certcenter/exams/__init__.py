"""Examinations: the question bank, the test specification, sittings and bookings, the test taken in the browser,
marking, and the item analysis."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    import certcenter.exams.tasks  # noqa: F401 - registers the tasks with the Celery app
    from certcenter.core.audit_catalogue import register as register_audit_words
    from certcenter.core.panels import register_panel
    from certcenter.exams import panels, services, taking, views
    from certcenter.exams.audit_words import WORDS
    from certcenter.exams.fastpath import AnswerSaving
    from certcenter.notifications.services import register_kind

    register_audit_words(app, **WORDS)
    app.register_blueprint(views.bp)
    app.register_blueprint(taking.bp)
    # the answers of a sitting, saved without the framework's per-request work (see fastpath)
    app.wsgi_app = AnswerSaving(app, app.wsgi_app)
    register_panel(app, "application.page", "exam", "exams/_candidate_panel.html", panels.candidate_panel, order=5)
    register_panel(app, "application.page", "exam-scores", "exams/_staff_panel.html", panels.staff_panel, order=15)
    register_panel(app, "dashboard.application", "exam", "exams/_candidate_panel.html", panels.candidate_panel, order=5)
    register_panel(
        app,
        "qualification.detail",
        "exam-bank",
        "exams/_qualification_links.html",
        panels.qualification_panel,
        order=50,
    )
    for kind in (services.RESULT_READY, services.SITTING_BOOKED):
        register_kind(app, kind, panels.describe_notice, link=panels.notice_link, label=panels.NOTICE_LABELS[kind])
