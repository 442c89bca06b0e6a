"""The signed-in person's notices."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from certcenter.extensions import db
from certcenter.notifications import services

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def notification_list():
    items = services.unread(current_user.id, limit=100)
    return render_template("notifications/list.html", items=items, describe=services.describe)


@bp.post("/notifications/read")
@login_required
def mark_read():
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.mark_read(current_user.id)
    db.session.commit()
    return redirect(
        request.referrer if request.referrer and request.referrer.startswith(request.host_url) else url_for("core.home")
    )
