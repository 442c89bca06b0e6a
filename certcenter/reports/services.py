"""Report verbs: request (a row, queued after the commit) and generate (the task's body, which commits)."""

from __future__ import annotations

import io
from typing import Any

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from certcenter.accounts.models import User
from certcenter.candidates.models import Application
from certcenter.core import audit
from certcenter.core.models import utcnow
from certcenter.core.pdf import render_document, static_url
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.reports.models import ASSESSMENT, EXPORT, FAILED, QUEUED, READY, RUNNING, Report


class ReportError(ValueError):
    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def request_assessment_report(application: Application, *, actor: User | None) -> Report:
    if getattr(application, "decision", None) is None:
        raise ReportError(_l("An assessment report is made for a decided application."))
    report = Report(
        kind=ASSESSMENT, application=application, requested_by=actor, params={"application_id": application.id}
    )
    db.session.add(report)
    db.session.flush()
    audit.record("report.request", report, actor=actor, kind=ASSESSMENT, application_id=application.id)
    return report


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


def queue(report_ids: list[int]) -> None:
    """Send to the workers; call after the commit. The task is this app's own (see certificates.tasks)."""
    from certcenter.reports.tasks import generate_report

    task = current_app.extensions["celery"].tasks[generate_report.name]
    for report_id in report_ids:
        task.delay(report_id)


def generate(report_id: int) -> None:
    """Render and store the report; a ready report is left as it is (the task may be delivered twice)."""
    report = db.session.get(Report, report_id)
    if report is None or report.status == READY:
        return
    report.status, report.progress = RUNNING, 10
    db.session.commit()
    if report.kind == EXPORT:
        from certcenter.reports.exports import export

        content, report.filename, report.content_type = export(
            report.params["dataset"], report.params["format"], report.params.get("filters", {})
        )
    else:
        content = _assessment_pdf(report.application)
        report.filename = f"assessment-report-{report.application_id}.pdf"
        report.content_type = "application/pdf"
    stored = get_storage().save(io.BytesIO(content), prefix="reports")
    report.storage_key, report.sha256, report.size = stored.key, stored.sha256, stored.size
    report.status, report.progress, report.finished_at, report.error = READY, 100, utcnow(), None
    db.session.commit()


def mark_failed(report_id: int, error: str) -> None:
    report = db.session.get(Report, report_id)
    if report is not None and report.status != READY:
        report.status, report.error, report.finished_at = FAILED, error[:2000], utcnow()
        db.session.commit()


def retry(report: Report, *, actor: User) -> None:
    if report.status != FAILED:
        raise ReportError(_l("Only a failed report can be made again."))
    report.status, report.error, report.progress = QUEUED, None, 0
    audit.record("report.retry", report, actor=actor)


def _assessment_pdf(application: Application) -> bytes:
    from certcenter.assessments.models import RATING_LABELS, RESULT_KINDS
    from certcenter.assessments.reasons import describe_reason, snapshot_titles
    from certcenter.candidates.iin import mask_iin
    from certcenter.evidence.models import EVIDENCE_KINDS

    decision = application.decision
    html = render_template(
        "pdf/assessment_report.html",
        application=application,
        decision=decision,
        snapshot=decision.snapshot,
        masked_iin=mask_iin(application.candidate.iin),
        certificates=[c for c in application.certificates if c.status != "superseded"],
        rating_labels=RATING_LABELS,
        result_kinds=RESULT_KINDS,
        evidence_kinds=EVIDENCE_KINDS,
        describe_reason=describe_reason,
        criteria_titles=snapshot_titles(decision.snapshot),
        static_url=static_url,
        generated_at=utcnow(),
    )
    return render_document(html).write_pdf()
