"""Accounts: people who sign in, their roles, sign-in and its throttling, the administrators' user management."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.accounts.forms import ROLE_LABELS
    from certcenter.accounts.views import admin_bp, bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.add_template_global(ROLE_LABELS, "role_labels")
