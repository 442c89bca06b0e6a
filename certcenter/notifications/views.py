"""The signed-in person's notices and notice settings; the one-click unsubscribe of a mailed notice; the outbox for
administrators; and, outside production, the embedded mailbox (``/dev/mail``)."""

from __future__ import annotations

import email
import email.policy
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR
from certcenter.core import audit
from certcenter.core.mail import mailbox_path, resend
from certcenter.core.models import OutboxMail
from certcenter.core.permissions import role_required
from certcenter.extensions import csrf, db
from certcenter.notifications import services

bp = Blueprint("notifications", __name__)
dev_bp = Blueprint("dev_mail", __name__, url_prefix="/dev")


@bp.get("/notifications")
@login_required
def notification_list():
    items = services.unread(current_user.id, limit=100)
    return render_template("notifications/list.html", items=items, describe=services.describe, link=services.link)


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


@bp.route("/account/notices", methods=["GET", "POST"])
@login_required
def preferences():
    user = current_user._get_current_object()
    form = FlaskForm()
    kinds = services.switchable_kinds()
    if form.validate_on_submit():
        chosen = set(request.form.getlist("email")) & {kind for kind, _label in kinds}
        digest = request.form.get("digest") == "y" if user.has_role(ADMINISTRATOR) else None
        services.set_preferences(user, chosen, digest=digest)
        db.session.commit()
        flash(_("Your notice settings are saved."), "success")
        return redirect(url_for("notifications.preferences"))
    mailed, digest = services.mailed_kinds(user.id)
    return render_template(
        "notifications/preferences.html", form=form, kinds=kinds, mailed=mailed, digest=digest, user=user
    )


@bp.route("/notices/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail programs post here by themselves (RFC 8058 one-click); the signed token is the proof
def unsubscribe(token: str):
    found = services.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user_id, kind = found
    label = services.kind_of(kind).label
    if request.method == "POST":
        services.switch_off(user_id, kind)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", label=label, done=True)
    return render_template("notifications/unsubscribed.html", label=label, done=False)


# --- administrators: the outbox -------------------------------------------------------------------------------------

OUTBOX_STATUSES = ("failed", "unconfirmed", "queued", "sending", "sent")
MAIL_STATUS_LABELS = {
    "failed": _l("failed"),
    "unconfirmed": _l("unconfirmed (the worker stopped while sending)"),
    "queued": _l("waiting"),
    "sending": _l("being sent"),
    "sent": _l("sent"),
}


@bp.get("/admin/mail")
@role_required(ADMINISTRATOR)
def outbox():
    status = request.args.get("status", "")
    statement = select(OutboxMail).order_by(OutboxMail.id.desc())
    if status in OUTBOX_STATUSES:
        statement = statement.where(OutboxMail.status == status)
    page = db.paginate(statement, per_page=50)
    return render_template(
        "notifications/outbox.html",
        page=page,
        status=status,
        statuses=OUTBOX_STATUSES,
        form=FlaskForm(),
        mail_status_labels=MAIL_STATUS_LABELS,
    )


@bp.post("/admin/mail/<int:mail_id>/resend")
@role_required(ADMINISTRATOR)
def outbox_resend(mail_id: int):
    mail = db.get_or_404(OutboxMail, mail_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if mail.status not in ("failed", "unconfirmed"):
        flash(_("Only a failed or unconfirmed mail can be sent again."), "error")
    else:
        resend(mail)
        audit.record("mail.resend", mail, actor=current_user)
        db.session.commit()
        flash(_("The mail is queued again."), "success")
    return redirect(url_for("notifications.outbox", status=request.args.get("status", "")))


# --- development: the embedded mailbox ------------------------------------------------------------------------------

_LINK = re.compile(r"https?://[^\s<>\"]+")


def _read(path) -> email.message.EmailMessage:
    with open(path, "rb") as file:
        return email.message_from_binary_file(file, policy=email.policy.default)


def _mailbox_file(name: str):
    if not re.fullmatch(r"[A-Za-z0-9._-]+\.eml", name):
        abort(404)
    path = mailbox_path() / name
    if not path.is_file():
        abort(404)
    return path


@dev_bp.get("/mail")
@role_required(ADMINISTRATOR)
def mailbox():
    folder = mailbox_path()
    files = sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime, reverse=True) if folder.is_dir() else []
    messages = []
    for path in files[:200]:
        message = _read(path)
        messages.append(
            {"name": path.name, "to": message["To"], "subject": message["Subject"], "date": message["Date"]}
        )
    return render_template("notifications/mailbox.html", messages=messages, folder=folder)


@dev_bp.get("/mail/<name>")
@role_required(ADMINISTRATOR)
def mailbox_message(name: str):
    message = _read(_mailbox_file(name))
    text = message.get_body(preferencelist=("plain",)).get_content()
    linked = _LINK.sub(lambda match: f'<a href="{match.group(0)}">{match.group(0)}</a>', str(escape(text)))
    return render_template("notifications/mailbox_message.html", message=message, name=name, body=Markup(linked))
