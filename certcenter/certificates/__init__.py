"""Certificates: issuing, numbering, the signed PDF, the credential, public verification and the lifecycle."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.certificates.audit_words import WORDS
    from certcenter.core.audit_catalogue import register as register_audit_words

    register_audit_words(app, **WORDS)
    import certcenter.certificates.tasks  # noqa: F401 - registers the tasks with the Celery app
    from certcenter.certificates import panels, views
    from certcenter.core.panels import register_panel

    app.register_blueprint(views.bp)
    register_panel(
        app,
        "dashboard.application",
        "certificates",
        "certificates/_dashboard_links.html",
        panels.dashboard_certificates_panel,
        order=10,
    )
