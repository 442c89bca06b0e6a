"""Notices to people (in-app; e-mail is a channel to come), knowing no domain: each domain registers how the kinds
of notice it sends are told."""

from __future__ import annotations

from flask import Flask, g, has_request_context
from flask_login import current_user


def unread_notifications() -> int:
    """For the header: counted once per request, however many templates (panels) a page renders."""
    from certcenter.notifications.services import unread_count

    if not (has_request_context() and current_user and current_user.is_authenticated):
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(current_user.id)
    return g.unread_notifications


def init_app(app: Flask) -> None:
    from certcenter.notifications.views import bp

    app.register_blueprint(bp)
    app.add_template_global(unread_notifications)
