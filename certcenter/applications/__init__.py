"""The case file: an application, its history, the one workflow that moves it, and the page every role shares."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.applications.audit_words import WORDS
    from certcenter.core.audit_catalogue import register as register_audit_words

    register_audit_words(app, **WORDS)
    import certcenter.applications.tasks  # noqa: F401 - registers the deadline reminders with the Celery app
    from certcenter.applications import deadlines, panels, views, workflow
    from certcenter.core.panels import register_panel
    from certcenter.notifications.services import register_kind

    app.register_blueprint(views.bp)
    from certcenter.core.homes import register_home

    register_home(app, "administrator", "applications.work_queue", order=10)
    register_home(app, "candidate", "applications.dashboard", order=30)
    register_panel(app, "qualification.detail", "apply", "applications/_apply.html", panels.apply_panel, order=10)
    register_panel(
        app,
        "candidate.admin",
        "applications",
        "applications/_candidate_applications.html",
        panels.candidate_applications_panel,
        order=10,
    )
    register_kind(
        app,
        workflow.STATE_CHANGED,
        panels.describe_state_changed,
        link=panels.state_changed_link,
        label=panels.NOTICE_LABELS[workflow.STATE_CHANGED],
        details=panels.state_changed_details,
    )
    for kind in (deadlines.DEADLINE_REMINDER, deadlines.DEADLINE_OVERDUE):
        register_kind(
            app,
            kind,
            panels.describe_deadline,
            link=panels.state_changed_link,
            label=panels.NOTICE_LABELS[kind],
            digest=kind == deadlines.DEADLINE_OVERDUE,
        )
    app.add_template_global(deadlines.due_at, "application_due_at")
    app.add_template_global(deadlines.is_overdue, "application_overdue")
    for kind in (workflow.SUBMITTED_NOTICE, workflow.EXCEPTION_NOTICE):
        register_kind(
            app,
            kind,
            panels.describe_administrators_notice,
            link=panels.state_changed_link,
            label=panels.NOTICE_LABELS[kind],
            digest=True,
        )
