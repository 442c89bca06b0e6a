"""Records and personal data: the retention schedule, legal holds, the subject's rights (his data, a copy, erasure)
and consent by version of the privacy notice."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.core.audit_catalogue import register as register_audit_words
    from certcenter.records.audit_words import WORDS

    register_audit_words(app, **WORDS)
    import certcenter.records.tasks  # noqa: F401 - registers the tasks with the Celery app
    from certcenter.accounts.signals import candidate_registered
    from certcenter.core.panels import register_panel
    from certcenter.notifications.services import register_kind
    from certcenter.records import panels, services, views
    from certcenter.records.commands import retention_cli

    app.register_blueprint(views.bp)
    app.cli.add_command(retention_cli)
    register_panel(app, "application.page", "legal-hold", "records/_hold_panel.html", panels.hold_panel, order=90)
    register_kind(app, services.ERASURE_DECIDED, panels.describe_notice, details=panels.erasure_details)
    register_kind(app, services.EXPORT_READY, panels.describe_notice)
    app.context_processor(panels.consent_banner)
    candidate_registered.connect(services.consent_on_registration, weak=False)
