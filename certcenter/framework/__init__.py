"""The NQF as versioned data: editions with their dates in force, levels, descriptors, pathways, glossary."""

from __future__ import annotations

from typing import Any

from flask import Flask


def edition_panel(**_objects: Any) -> dict[str, Any] | None:
    """On the home page: the edition in force."""
    from certcenter.framework.services import current_edition

    edition = current_edition()
    return {"edition": edition} if edition else None


def init_app(app: Flask) -> None:
    from certcenter.core.audit_catalogue import register as register_audit_words
    from certcenter.framework.audit_words import WORDS

    register_audit_words(app, **WORDS)
    from certcenter.core.panels import register_panel
    from certcenter.framework.admin_views import admin_bp
    from certcenter.framework.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    register_panel(app, "home", "edition", "framework/_home.html", edition_panel, order=10)
