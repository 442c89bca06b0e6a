"""The person: profile, IIN, education, work experience, and the eligibility rules that read them."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.candidates.audit_words import WORDS
    from certcenter.core.audit_catalogue import register as register_audit_words

    register_audit_words(app, **WORDS)
    from certcenter.candidates.eligibility import format_duration, missing_at_submission
    from certcenter.candidates.views import bp

    app.register_blueprint(bp)
    app.add_template_global(format_duration)
    app.add_template_global(missing_at_submission)
