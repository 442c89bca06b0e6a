"""Certificates: issuing, numbering, the signed PDF, the credential, public verification and the lifecycle."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.certificates.audit_words import WORDS
    from certcenter.core.audit_catalogue import register as register_audit_words

    register_audit_words(app, **WORDS)
    import certcenter.certificates.tasks  # noqa: F401 - registers the tasks with the Celery app
    from certcenter.appeals.services import register_certificate_outcome
    from certcenter.assessments.services import register_assessors_rule
    from certcenter.certificates import (  # noqa: F401 - the *_views modules register their routes
        appeal_views,
        appeals,
        download_views,
        panels,
        public,
        renewal,
        renewal_views,
        services,
        surveillance,
        surveillance_views,
        verify_views,
        views,
    )
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
    for kind in panels.NOTICE_KINDS:
        register_kind(
            app,
            kind,
            panels.describe_notice,
            link=panels.notice_link,
            details=panels.notice_details,
            label=panels.NOTICE_LABELS.get(kind),
            digest=kind == services.RENDER_FAILED,
        )
    register_panel(
        app,
        "complaint.handling",
        "certificate",
        "certificates/_complaint_panel.html",
        panels.complaint_certificate_panel,
        order=10,
    )
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
    register_panel(
        app,
        "dashboard.application",
        "surveillance",
        "certificates/_surveillance_panel.html",
        panels.surveillance_panel,
        order=9,
    )
    for kind in (surveillance.SURVEILLANCE_DUE, surveillance.SURVEILLANCE_DECIDED):
        register_kind(app, kind, surveillance.describe_notice, link=panels.dashboard_link)  # always sent
    register_assessors_rule(app, "renewal", renewal.assessors_for_renewal)
    register_certificate_outcome(app, appeals.upheld)
    register_panel(
        app, "appeal.page", "certificate", "certificates/_appeal_certificate.html", appeals.appeal_page_panel, order=10
    )
