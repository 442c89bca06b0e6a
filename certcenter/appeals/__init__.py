"""Appeals and complaints (ISO/IEC 17024 9.8, 9.9): today the complaints desk, open to anyone."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.appeals import models, notices, services, views  # noqa: F401 - models: the tables
    from certcenter.appeals.audit_words import WORDS
    from certcenter.core.audit_catalogue import register as register_audit_words
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
