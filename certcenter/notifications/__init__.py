"""Notices to people, in the application and by e-mail, knowing no domain: each domain registers how the kinds of
notice it sends are told (``services.register_kind``)."""

from __future__ import annotations

from flask import Flask, g, has_request_context
from flask_login import current_user

MAIL_FAILED = "mail.failed"


def unread_notifications() -> int:
    """For the header: counted once per request, however many templates (panels) a page renders."""
    from certcenter.notifications.services import unread_count

    if not (has_request_context() and current_user and current_user.is_authenticated):
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(current_user.id)
    return g.unread_notifications


def init_app(app: Flask) -> None:
    from certcenter.core.audit_catalogue import register as register_audit_words
    from certcenter.notifications.audit_words import WORDS

    register_audit_words(app, **WORDS)
    import certcenter.notifications.tasks  # noqa: F401 - registers the digest task with the Celery app
    from certcenter.core.mail import failure_listeners
    from certcenter.notifications import services, views

    app.register_blueprint(views.bp)
    if app.config.get("MAIL_DEV_MAILBOX"):
        app.register_blueprint(views.dev_bp)
    app.add_template_global(unread_notifications)
    services.register_kind(
        app,
        MAIL_FAILED,
        services.describe_mail_failed,
        link=lambda notification: ("notifications.outbox", {"status": "failed"}),
        label=services.MAIL_FAILED_LABEL,
        digest=True,
    )
    failure_listeners.add(app, "notifications", services.tell_administrators_of_failed_mail)
