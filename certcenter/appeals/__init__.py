"""Appeals and complaints (ISO/IEC 17024 9.8, 9.9): the candidate's appeal heard by an independent panel, and the
complaints desk, open to anyone."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.appeals import (  # noqa: F401 - models: the tables; complaint_views: its routes
        complaint_views,
        models,
        notices,
        panels,
        policy,
        services,
        views,
    )
    from certcenter.appeals.audit_words import WORDS
    from certcenter.applications.policy import register_case_roles
    from certcenter.core.audit_catalogue import register as register_audit_words
    from certcenter.core.panels import register_panel
    from certcenter.notifications.services import register_kind

    app.register_blueprint(views.bp)
    register_audit_words(app, **WORDS)
    for kind in (services.RECEIVED_NOTICE, services.ASSIGNED_NOTICE, services.ANSWERED_NOTICE):
        register_kind(
            app,
            kind,
            notices.describe_notice,
            link=notices.notice_link,
            label=notices.NOTICE_LABELS.get(kind),  # the complainant's answers are always sent
            digest=kind == services.RECEIVED_NOTICE,
        )
    for kind in services.APPEAL_NOTICES:
        register_kind(
            app,
            kind,
            notices.describe_appeal_notice,
            link=notices.appeal_notice_link,
            label=notices.NOTICE_LABELS[kind],
            digest=kind in (services.APPEAL_LODGED, services.APPEAL_MEMBER_CONFLICT, services.APPEAL_DIVIDED),
        )
    register_case_roles(app, "appeal_panel", policy.appeal_case_roles)
    register_panel(
        app, "application.page", "appeals", "appeals/_application_panel.html", panels.application_panel, order=12
    )
    register_panel(
        app, "dashboard.application", "appeals", "appeals/_application_panel.html", panels.application_panel, order=35
    )
