"""Reports: requesting, following their progress, downloading; the administrators' list."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import ADMINISTRATOR
from certcenter.applications.models import Application
from certcenter.core.permissions import role_required
from certcenter.core.storage import StorageError, send_stored
from certcenter.extensions import db
from certcenter.reports import services
from certcenter.reports.forms import ExportForm, StatisticsForm
from certcenter.reports.models import Report
from certcenter.reports.statistics import Period

bp = Blueprint("reports", __name__)


def _visible(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None or not report.can_view(current_user):
        abort(404)
    return report


@bp.get("/admin/reports")
@role_required(ADMINISTRATOR)
def admin_list():
    page = db.paginate(select(Report).options(joinedload(Report.requested_by)).order_by(Report.id.desc()), per_page=50)
    return render_template("reports/list.html", page=page, action_form=ConfirmForm())


@bp.get("/admin/dashboard")
@role_required(ADMINISTRATOR)
def dashboard():
    period_key = _period_key()
    snapshot, refreshing = services.dashboard_snapshot(period_key)
    period = services.dashboard_period(period_key)
    form = StatisticsForm(formdata=None, date_from=period.start, date_to=period.end)
    return render_template(
        "reports/dashboard.html",
        period_key=period_key,
        periods=services.DASHBOARD_PERIODS,
        snapshot=snapshot,
        refreshing=refreshing,
        form=form,
        period=period,
        **_figures(snapshot),
    )


@bp.get("/admin/dashboard/live.json")
@role_required(ADMINISTRATOR)
def dashboard_live():
    """What the open dashboard polls: the figures as HTML, and when they were computed."""
    period_key = _period_key()
    snapshot, refreshing = services.dashboard_snapshot(period_key)
    html = render_template("reports/_statistics_body.html", **_figures(snapshot))
    return jsonify(
        {
            "computed_at": snapshot.computed_at.isoformat(),
            "computed_label": format_datetime(snapshot.computed_at, "medium"),
            "refreshing": refreshing,
            "html": html,
        }
    )


def _period_key() -> str:
    period_key = request.args.get("period", "12m")
    if period_key not in services.DASHBOARD_PERIODS:
        abort(404)
    return period_key


def _figures(snapshot) -> dict:
    from certcenter.applications.workflow import STATE_LABELS
    from certcenter.framework.vocabulary import DESCRIPTOR_LABELS
    from certcenter.reports.charts import statistics_charts
    from certcenter.reports.statistics import CentreStatistics

    stats = CentreStatistics.from_dict(snapshot.data)
    return {
        "stats": stats,
        "charts": statistics_charts(stats, web=True),
        "state_labels": STATE_LABELS,
        "descriptor_labels": DESCRIPTOR_LABELS,
        "workload_rows": 15,
        "web": True,
    }


@bp.get("/reports/charts.css")
def chart_stylesheet():
    from certcenter.reports.charts import stylesheet

    response = Response(stylesheet(), mimetype="text/css")
    response.cache_control.max_age = 3600
    return response


@bp.post("/admin/reports/statistics")
@role_required(ADMINISTRATOR)
def request_statistics():
    form = StatisticsForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for(".dashboard"))
    report = services.request_statistics_report(Period(form.date_from.data, form.date_to.data), actor=current_user)
    db.session.commit()
    services.queue([report.id])
    return redirect(url_for(".detail", report_id=report.id))


@bp.route("/admin/reports/export", methods=["GET", "POST"])
@role_required(ADMINISTRATOR)
def export():
    form = ExportForm(qualifications=services.qualification_titles())
    if form.validate_on_submit():
        filters = {
            "date_from": form.date_from.data.isoformat() if form.date_from.data else None,
            "date_to": form.date_to.data.isoformat() if form.date_to.data else None,
            "level": int(form.level.data) if form.level.data else None,
            "qualification": form.qualification.data,
            "status": form.status.data,
        }
        try:
            report = services.request_export(form.dataset.data, form.format.data, filters, actor=current_user)
        except services.ReportError as exc:
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            services.queue([report.id])
            return redirect(url_for(".detail", report_id=report.id))
    return render_template("reports/export.html", form=form)


@bp.post("/admin/applications/<int:application_id>/report")
@role_required(ADMINISTRATOR)
def request_assessment(application_id: int):
    application = db.get_or_404(Application, application_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        report = services.request_assessment_report(application, actor=current_user)
    except services.ReportError as exc:
        abort(409, description=str(exc.message))
    db.session.commit()
    services.queue([report.id])
    return redirect(url_for(".detail", report_id=report.id))


@bp.post("/admin/reports/item-analysis")
@role_required(ADMINISTRATOR)
def request_item_analysis():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        report = services.request_item_analysis_report(request.form.to_dict(), actor=current_user)
    except services.ReportError as exc:
        abort(409, description=str(exc.message))
    db.session.commit()
    services.queue([report.id])
    return redirect(url_for(".detail", report_id=report.id))


@bp.post("/admin/reports/<int:report_id>/retry")
@role_required(ADMINISTRATOR)
def retry(report_id: int):
    report = db.get_or_404(Report, report_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.retry(report, actor=current_user)
    except services.ReportError as exc:
        abort(409, description=str(exc.message))
    db.session.commit()
    services.queue([report.id])
    flash(_("The report is being made again."), "info")
    return redirect(url_for(".detail", report_id=report.id))


@bp.get("/reports/<int:report_id>")
@login_required
def detail(report_id: int):
    return render_template("reports/detail.html", report=_visible(report_id), action_form=ConfirmForm())


@bp.get("/reports/<int:report_id>/status.json")
@login_required
def status(report_id: int):
    report = _visible(report_id)
    return jsonify(
        {
            "id": report.id,
            "status": report.status,
            "progress": report.progress,
            "error": report.error,
            "download": url_for(".download", report_id=report.id) if report.status == "ready" else None,
        }
    )


@bp.get("/reports/<int:report_id>/download")
@login_required
def download(report_id: int):
    report = _visible(report_id)
    if report.status != "ready":
        abort(404)
    try:
        return send_stored(
            report.storage_key,
            size=report.size,
            mimetype=report.content_type,
            download_name=report.filename,
            etag=report.sha256,
        )
    except StorageError:
        abort(404)
