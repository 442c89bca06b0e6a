"""The audit log for administrators: every recorded change in words of the reader's language, searched by person,
action, object and period, a page at a time or as a CSV file."""

from __future__ import annotations

from flask import Response, render_template, request, stream_with_context
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import or_, select

from certcenter.accounts.forms import AuditSearchForm
from certcenter.accounts.models import ADMINISTRATOR, User
from certcenter.accounts.views import admin_bp
from certcenter.core import audit_catalogue
from certcenter.core.audit import AuditSearch
from certcenter.core.forms import choices
from certcenter.core.models import utcnow
from certcenter.core.permissions import role_required
from certcenter.core.spreadsheets import csv_chunks
from certcenter.extensions import db


def _search(form: AuditSearchForm) -> AuditSearch:
    actor_ids = None
    if form.person.data:
        pattern = f"%{form.person.data.strip()}%"
        actor_ids = list(
            db.session.scalars(select(User.id).where(or_(User.full_name.ilike(pattern), User.email.ilike(pattern))))
        )
    return AuditSearch(
        actor_ids=actor_ids,
        action=form.action.data or None,
        target_type=form.target_type.data or None,
        target_id=(form.target_id.data or "").strip() or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


def _form() -> AuditSearchForm:
    form = AuditSearchForm(request.args)
    form.action.choices = choices({"": _("Any")} | dict(audit_catalogue.action_choices()))
    form.target_type.choices = choices({"": _("Any")} | dict(audit_catalogue.target_choices()))
    return form


@admin_bp.get("/audit")
@role_required(ADMINISTRATOR)
def audit_log():
    form = _form()
    search = _search(form) if form.validate() else AuditSearch()
    page = db.paginate(search.statement(), per_page=100)
    return render_template("admin/audit.html", form=form, page=page)


@admin_bp.get("/audit.csv")
@role_required(ADMINISTRATOR)
def audit_csv():
    form = _form()
    search = _search(form) if form.validate() else AuditSearch()
    columns = [_("When"), _("Who"), _("Action"), _("Object"), _("Details"), _("Address")]

    def rows():
        for entry in db.session.scalars(search.statement().execution_options(yield_per=500)):
            described = audit_catalogue.describe(entry)
            yield [
                format_datetime(entry.at, "yyyy-MM-dd HH:mm:ss"),  # in the centre's time zone
                entry.actor.full_name if entry.actor else _("system or visitor"),
                described.action,
                described.target,
                "; ".join(f"{label}: {value}" for label, value in described.details),
                entry.ip_address or "",
            ]

    name = f"audit-{format_datetime(utcnow(), 'yyyyMMdd-HHmm')}.csv"  # the centre's clock, as in the rows
    return Response(
        stream_with_context(csv_chunks(columns, rows())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
