"""Report verbs: request (a row, queued after the commit) and generate (the task's body, which commits)."""

from __future__ import annotations

import io
import time
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from certcenter.accounts.models import User
from certcenter.applications import policy as case
from certcenter.applications.models import Application
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_today
from certcenter.core.models import utcnow
from certcenter.core.pdf import render_document, static_url
from certcenter.core.storage import get_storage
from certcenter.core.workers import current_worker_id
from certcenter.extensions import db
from certcenter.reports.models import (
    ASSESSMENT,
    EXPORT,
    FAILED,
    ITEM_ANALYSIS,
    QUEUED,
    READY,
    RUNNING,
    STATISTICS,
    Report,
    StatisticsSnapshot,
)
from certcenter.reports.statistics import Period, compute


class ReportError(UserError):
    """A refused report request."""


def request_assessment_report(application: Application, *, actor: User | None) -> Report:
    case.refuse(application, actor, case.REPORT)
    if getattr(application, "latest_decision", None) is None:
        raise ReportError(_l("An assessment report is made for a decided application."))
    report = Report(
        kind=ASSESSMENT, application_id=application.id, requested_by=actor, params={"application_id": application.id}
    )
    db.session.add(report)
    db.session.flush()
    audit.record("report.request", report, actor=actor, kind=ASSESSMENT, application_id=application.id)
    return report


def request_assessment_reports(application_ids: list[int], *, actor: User | None) -> list[int]:
    """The assessment reports of a batch of decided applications (certificates just issued), written by one insert
    and their audit entries by another: what ``request_assessment_report`` writes for each."""
    if not application_ids:
        return []
    now = utcnow()
    rows = [
        {
            "kind": ASSESSMENT,
            "application_id": application_id,
            "params": {"application_id": application_id},
            "status": QUEUED,
            "progress": 0,
            "requested_by_id": actor.id if actor is not None else None,
            "created_at": now,
            "queued_at": now,
        }
        for application_id in application_ids
    ]
    report_ids = list(db.session.scalars(insert(Report).returning(Report.id, sort_by_parameter_order=True), rows))
    audit.record_many(
        "report.request",
        [
            ("Report", report_id, {"kind": ASSESSMENT, "application_id": application_id})
            for report_id, application_id in zip(report_ids, application_ids, strict=True)
        ],
        actor=actor,
        at=now,
    )
    return report_ids


def request_export(dataset: str, fmt: str, filters: dict[str, Any], *, actor: User) -> Report:
    from certcenter.reports.exports import DATASETS, FORMATS

    if dataset not in DATASETS or fmt not in FORMATS or (fmt == "json" and dataset != "certificates"):
        raise ReportError(_l("Choose what to export and in which format (JSON is for the certificate register)."))
    clean = {key: value for key, value in filters.items() if value not in (None, "")}
    report = Report(kind=EXPORT, requested_by=actor, params={"dataset": dataset, "format": fmt, "filters": clean})
    db.session.add(report)
    db.session.flush()
    audit.record("report.request", report, actor=actor, kind=EXPORT, dataset=dataset, format=fmt, filters=clean)
    return report


def qualification_titles() -> dict[str, str]:
    """Every qualification of the catalogue (also closed ones: registers hold the past), code -> title in the
    reader's language, for choosing what to export."""
    from certcenter.core.i18n import localized
    from certcenter.qualifications.models import Qualification

    rows = db.session.execute(select(Qualification.code, Qualification.title).order_by(Qualification.code))
    return {code: localized(title) for code, title in rows}


def request_statistics_report(period: Period, *, actor: User) -> Report:
    if period.start > period.end:
        raise ReportError(_l("The period ends before it starts."))
    params = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    report = Report(kind=STATISTICS, requested_by=actor, params=params)
    db.session.add(report)
    db.session.flush()
    audit.record("report.request", report, actor=actor, kind=STATISTICS, **params)
    return report


def request_item_analysis_report(params: dict[str, Any], *, actor: User) -> Report:
    """The item analysis of a sitting ({"sitting_id"}) or of a period ({"date_from", "date_to", "qualification_id"})."""
    clean = {
        key: params.get(key) for key in ("sitting_id", "date_from", "date_to", "qualification_id") if params.get(key)
    }
    try:
        if "sitting_id" in clean:
            clean = {"sitting_id": int(clean["sitting_id"])}
        else:
            clean = {
                "date_from": date.fromisoformat(clean["date_from"]).isoformat(),
                "date_to": date.fromisoformat(clean["date_to"]).isoformat(),
                **({"qualification_id": int(clean["qualification_id"])} if clean.get("qualification_id") else {}),
            }
    except (KeyError, TypeError, ValueError):
        raise ReportError(_l("Choose a sitting or a period.")) from None
    report = Report(kind=ITEM_ANALYSIS, requested_by=actor, params=clean)
    db.session.add(report)
    db.session.flush()
    audit.record("report.request", report, actor=actor, kind=ITEM_ANALYSIS, **clean)
    return report


def queue(report_ids: list[int]) -> bool:
    """Send to the workers; call after the commit. The task is this app's own (see certificates.tasks). If the
    broker is unreachable the reports stay queued and the sweep sends them once it is back."""
    from certcenter.reports.tasks import generate_report

    task = current_app.extensions["celery"].tasks[generate_report.name]
    try:
        for report_id in report_ids:
            task.delay(report_id)
    except Exception:  # kombu's OperationalError, a socket error or a Redis timeout: the sweep will send them
        current_app.logger.warning("broker unreachable; reports %s wait for the sweep", report_ids, exc_info=True)
        return False
    return True


def generate(report_id: int) -> None:
    """Render and store the report; a ready report is left as it is (the task may be delivered twice)."""
    report = db.session.get(Report, report_id)
    if report is None or report.status == READY:
        return
    report.status, report.progress = RUNNING, 10
    report.started_at, report.worker = utcnow(), current_worker_id()
    db.session.commit()
    # In the language of whoever asked for it; reports made by the system are in the state language.
    language = report.requested_by.locale if report.requested_by and report.requested_by.locale else None
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        content = _make(report)
    stored = get_storage().save(io.BytesIO(content), prefix="reports")
    report.storage_key, report.sha256, report.size = stored.key, stored.sha256, stored.size
    report.status, report.progress, report.finished_at, report.error = READY, 100, utcnow(), None
    db.session.commit()


def _make(report: Report) -> bytes:
    """The report's file; sets its name and media type on the row."""
    if report.kind == EXPORT:
        from certcenter.reports.exports import export

        content, report.filename, report.content_type = export(
            report.params["dataset"],
            report.params["format"],
            report.params.get("filters", {}),
            progress=lambda done, total: _progress(report, done, total),
        )
        return content
    report.content_type = "application/pdf"
    if report.kind == STATISTICS:
        period = Period(date.fromisoformat(report.params["date_from"]), date.fromisoformat(report.params["date_to"]))
        report.filename = f"statistics-{period.start}-{period.end}.pdf"
        return statistics_pdf(period)
    if report.kind == ITEM_ANALYSIS:
        report.filename = f"item-analysis-{report.id}.pdf"
        return item_analysis_pdf(report.params)
    report.filename = f"assessment-report-{report.application_id}.pdf"
    return _assessment_pdf(report.application)


def item_analysis_pdf(params: dict[str, Any]) -> bytes:
    """The examinations' item analysis (computed by ``exams.reporting``) as a PDF."""
    from certcenter.exams import reporting
    from certcenter.exams.models import KINDS as QUESTION_KINDS
    from certcenter.exams.models import Sitting

    if "sitting_id" in params:
        sittings = [db.session.get(Sitting, params["sitting_id"])]
        sittings = [sitting for sitting in sittings if sitting is not None]
    else:
        sittings = reporting.period_sittings(
            date.fromisoformat(params["date_from"]),
            date.fromisoformat(params["date_to"]),
            params.get("qualification_id"),
        )
    html = render_template(
        "pdf/item_analysis_report.html",
        analysis=reporting.analyse(sittings),
        params=params,
        kinds=QUESTION_KINDS,
        static_url=static_url,
        generated_at=utcnow(),
    )
    return render_document(html).write_pdf()


def _progress(report: Report, done: int, total: int) -> None:
    """Progress of a long report for the progress page (10 % is the start, 95 % the file). Written in a transaction
    of its own: the session's is still streaming the rows, and committing it would close that cursor."""
    with db.engine.begin() as connection:
        connection.execute(
            update(Report).where(Report.id == report.id).values(progress=10 + int(85 * done / total) if total else 95)
        )


def statistics_pdf(period: Period) -> bytes:
    from certcenter.applications.workflow import STATE_LABELS
    from certcenter.framework.vocabulary import DESCRIPTOR_LABELS
    from certcenter.reports.charts import statistics_charts

    stats = compute(period)
    html = render_template(
        "pdf/statistics_report.html",
        stats=stats,
        charts=statistics_charts(stats),
        state_labels=STATE_LABELS,
        descriptor_labels=DESCRIPTOR_LABELS,
        period=period,
        static_url=static_url,
        generated_at=utcnow(),
    )
    return render_document(html).write_pdf()


def mark_failed(report_id: int, error: str) -> None:
    report = db.session.get(Report, report_id)
    if report is not None and report.status != READY:
        report.status, report.error, report.finished_at = FAILED, error[:2000], utcnow()
        db.session.commit()


def retry(report: Report, *, actor: User) -> None:
    if report.status != FAILED:
        raise ReportError(_l("Only a failed report can be made again."))
    report.status, report.error, report.progress = QUEUED, None, 0
    report.queued_at = utcnow()
    audit.record("report.retry", report, actor=actor)


# As for certificates (see certificates.services.renders_to_send_again).
QUEUED_PATIENCE = timedelta(minutes=2)
UNATTRIBUTED_RUN_PATIENCE = timedelta(minutes=15)


def reports_to_send_again(live_workers: set[str], now: datetime | None = None) -> list[int]:
    """Reports and exports waiting too long: queued for more than two minutes, or running in a worker process
    that is no longer alive (its heartbeat stopped)."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Report.id)
            .where(
                or_(
                    (Report.status == QUEUED)
                    & (func.coalesce(Report.queued_at, Report.created_at) < now - QUEUED_PATIENCE),
                    (Report.status == RUNNING) & Report.worker.is_not(None) & Report.worker.not_in(live_workers),
                    (Report.status == RUNNING)
                    & Report.worker.is_(None)
                    & (func.coalesce(Report.started_at, Report.created_at) < now - UNATTRIBUTED_RUN_PATIENCE),
                )
            )
            .order_by(Report.id)
        )
    )


def mark_queued_again(report_ids: list[int]) -> None:
    db.session.execute(
        update(Report)
        .where(Report.id.in_(report_ids), Report.status.in_((QUEUED, RUNNING)))
        .values(status=QUEUED, progress=0, queued_at=utcnow(), worker=None)
        .execution_options(synchronize_session=False)
    )


def _assessment_pdf(application: Application) -> bytes:
    from certcenter.appeals.models import APPEAL_OUTCOMES, APPEAL_STATES
    from certcenter.assessments.models import RATING_LABELS, RESULT_KINDS, RESULT_SOURCES
    from certcenter.assessments.reasons import describe_reason, snapshot_titles
    from certcenter.assessments.services import rounds_of
    from certcenter.candidates.iin import mask_iin
    from certcenter.evidence.models import EVIDENCE_KINDS

    # the decision that stands (while a later round is under way, the last one made) is set out in full; every round
    # is listed, the earlier ones with their own decisions as they were made
    decision = application.latest_decision
    rounds = rounds_of(application) if (application.current_round or 1) > 1 else []
    html = render_template(
        "pdf/assessment_report.html",
        application=application,
        decision=decision,
        snapshot=decision.snapshot,
        masked_iin=mask_iin(application.holder_iin),
        certificates=[c for c in application.certificates if c.status != "superseded"],
        appeals=list(application.appeals),
        appeal_states=APPEAL_STATES,
        appeal_outcomes=APPEAL_OUTCOMES,
        rating_labels=RATING_LABELS,
        result_kinds=RESULT_KINDS,
        result_sources=RESULT_SOURCES,
        evidence_kinds=EVIDENCE_KINDS,
        describe_reason=describe_reason,
        criteria_titles=snapshot_titles(decision.snapshot),
        moderators={
            final.criterion_key: final.moderated_by
            for final in application.all_final_ratings
            if final.moderated_by and final.round == decision.round
        },
        static_url=static_url,
        generated_at=utcnow(),
        rounds=rounds,
        round_titles={r.number: snapshot_titles(r.decision.snapshot) for r in rounds if r.decision is not None},
    )
    return render_document(html).write_pdf()


# The dashboard's periods: the key in the URL, the number of days (None: since the first application).
DASHBOARD_PERIODS = {"30d": 30, "12m": 365, "all": None}
SNAPSHOT_MAX_AGE = timedelta(seconds=60)


def dashboard_period(key: str, today: date | None = None) -> Period:
    days = DASHBOARD_PERIODS[key]
    today = today or centre_today()
    return Period.last_days(days, today) if days else Period(date(2000, 1, 1), today)


def refresh_snapshot(period_key: str) -> StatisticsSnapshot:
    """Compute the period's statistics and keep them (the worker's task; the first dashboard view, if none yet)."""
    started = time.perf_counter()
    stats = compute(dashboard_period(period_key))
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    snapshot = db.session.scalar(select(StatisticsSnapshot).where(StatisticsSnapshot.period_key == period_key))
    if snapshot is None:
        snapshot = StatisticsSnapshot(period_key=period_key)
        db.session.add(snapshot)
    snapshot.data, snapshot.computed_at, snapshot.compute_ms = stats.to_dict(), utcnow(), elapsed_ms
    snapshot.refresh_requested_at = None
    return snapshot


def dashboard_snapshot(period_key: str) -> tuple[StatisticsSnapshot, bool]:
    """The period's latest statistics, and whether a fresher copy was asked of the workers. Commits.

    Watching the dashboard costs one row read: the aggregates run in a worker at most once a minute, whoever and
    however many are watching. Only the very first view of a period computes in the request."""
    snapshot = db.session.scalar(select(StatisticsSnapshot).where(StatisticsSnapshot.period_key == period_key))
    if snapshot is None:
        snapshot = refresh_snapshot(period_key)
        try:
            db.session.commit()
        except IntegrityError:  # another request computed it at the same moment
            db.session.rollback()
            snapshot = db.session.scalar(select(StatisticsSnapshot).where(StatisticsSnapshot.period_key == period_key))
        return snapshot, False
    now = utcnow()
    stale = now - snapshot.computed_at > SNAPSHOT_MAX_AGE
    requested = snapshot.refresh_requested_at is not None and now - snapshot.refresh_requested_at < SNAPSHOT_MAX_AGE
    if not stale or requested:
        return snapshot, requested
    claimed = db.session.execute(
        update(StatisticsSnapshot)
        .where(
            StatisticsSnapshot.id == snapshot.id,
            or_(
                StatisticsSnapshot.refresh_requested_at.is_(None),
                StatisticsSnapshot.refresh_requested_at < now - SNAPSHOT_MAX_AGE,
            ),
        )
        .values(refresh_requested_at=now)
    ).rowcount
    db.session.commit()
    if claimed:
        from certcenter.reports.tasks import refresh_statistics

        try:
            current_app.extensions["celery"].tasks[refresh_statistics.name].delay(period_key)
        except Exception:  # the broker is down: show what we have; the next view a minute later asks again
            current_app.logger.warning("could not queue a statistics refresh", exc_info=True)
    return snapshot, True
