"""Accounts: people who sign in, their roles, sign-in and its throttling, the administrators' user management."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.accounts.audit_words import WORDS
    from certcenter.core.audit_catalogue import register as register_audit_words

    register_audit_words(app, **WORDS)
    import certcenter.accounts.audit_views
    import certcenter.accounts.settings_views  # noqa: F401 - the centre settings page, on the same blueprint
    from certcenter.accounts.forms import ROLE_LABELS
    from certcenter.accounts.views import admin_bp, bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.add_template_global(ROLE_LABELS, "role_labels")
