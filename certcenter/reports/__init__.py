"""Reports: the assessment report of each decision, statistics, register exports; made by workers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.core.audit_catalogue import register as register_audit_words
    from certcenter.reports.audit_words import WORDS

    register_audit_words(app, **WORDS)
    import certcenter.reports.tasks  # noqa: F401 - registers the tasks with the Celery app
    from certcenter.assessments.signals import decision_recorded
    from certcenter.core.panels import register_panel
    from certcenter.reports import panels, views

    app.register_blueprint(views.bp)
    register_panel(
        app, "application.page", "reports", "reports/_application_panel.html", panels.assessment_report_panel, order=30
    )
    register_panel(
        app,
        "dashboard.application",
        "reports",
        "reports/_dashboard_links.html",
        panels.candidate_report_panel,
        order=20,
    )
    register_panel(
        app, "exams.item_analysis", "pdf", "reports/_item_analysis_button.html", panels.item_analysis_panel, order=10
    )
    decision_recorded.connect(panels.report_on_decision)
    from certcenter.certificates.signals import certificates_issued

    certificates_issued.connect(panels.report_on_issue)
