"""The qualification catalogue: titles at an NQF level, refined by units (labour functions)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.core.audit_catalogue import register as register_audit_words
    from certcenter.qualifications.audit_words import WORDS

    register_audit_words(app, **WORDS)
    from certcenter.qualifications.views import bp

    app.register_blueprint(bp)
