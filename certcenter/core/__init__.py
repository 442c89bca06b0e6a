"""What every domain builds on and that knows no domain: models' mixins, the audit log, storage, PDF rendering,
i18n helpers, extension points (registries, page panels), and the shell (error pages, headers, home, health)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    import certcenter.core.mail  # the mail task and the outbox sweeper
    import certcenter.core.tasks
    import certcenter.core.transactions  # noqa: F401 - work queued after the commit
    from certcenter.core import audit, audit_catalogue, panels, web
    from certcenter.core.storage_cli import storage_cli
    from certcenter.core.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(storage_cli)
    web.init_app(app)
    panels.init_app(app)
    audit_catalogue.init_app(app)
    audit.init_app(app)  # refusals, written after the refused request's rollback
