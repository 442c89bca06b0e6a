"""Certificates: issuing, numbering, the signed PDF, the credential, public verification and the lifecycle."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.certificates.audit_words import WORDS
    from certcenter.core.audit_catalogue import register as register_audit_words

    register_audit_words(app, **WORDS)
    import certcenter.certificates.tasks  # noqa: F401 - registers the tasks with the Celery app
    from certcenter.assessments.services import register_assessors_rule
    from certcenter.certificates import panels, public, renewal, renewal_views, surveillance, surveillance_views, views  # noqa: F401
    from certcenter.certificates.commands import credentials_cli
    from certcenter.certificates.credential import credential_qr_svg, credential_url
    from certcenter.core.panels import register_panel
    from certcenter.core.problems import register_problem_paths
    from certcenter.notifications.services import register_kind

    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    app.cli.add_command(credentials_cli)
    register_problem_paths(app, "/credentials/", "/.well-known/", "/did.json")
    app.jinja_env.globals.update(credential_url=credential_url, credential_qr_svg=credential_qr_svg)
    register_panel(
        app,
        "dashboard.application",
        "certificates",
        "certificates/_dashboard_links.html",
        panels.dashboard_certificates_panel,
        order=10,
    )
    register_panel(
        app, "dashboard.application", "renewal", "certificates/_renewal_panel.html", panels.renewal_panel, order=8
    )
    register_kind(app, renewal.RENEWAL_DUE, panels.describe_notice)
    register_panel(
        app,
        "dashboard.application",
        "surveillance",
        "certificates/_surveillance_panel.html",
        panels.surveillance_panel,
        order=9,
    )
    register_kind(app, surveillance.SURVEILLANCE_DUE, surveillance.describe_notice)
    register_kind(app, surveillance.SURVEILLANCE_DECIDED, surveillance.describe_notice)
    register_assessors_rule(app, "renewal", renewal.assessors_for_renewal)
