"""Evidence: uploads checked by their content, stored by key with their hash, and mapped to the criteria they
support; also the documents behind a person's education records."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from certcenter.core.audit_catalogue import register as register_audit_words
    from certcenter.evidence.audit_words import WORDS

    register_audit_words(app, **WORDS)
    from certcenter.applications.services import register_submission_check
    from certcenter.candidates.documents import register_document_store
    from certcenter.core.panels import register_panel
    from certcenter.evidence import panels, services, views

    app.register_blueprint(views.bp)
    register_panel(app, "application.page", "evidence", "evidence/_panel.html", panels.evidence_panel, order=40)
    register_submission_check(app, "evidence", services.submission_problems)
    register_document_store(app, services.add_profile_document)
