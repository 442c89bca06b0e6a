"""What reports show on the application page and the candidate's dashboard, and the report each decision gets."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from certcenter.accounts.forms import ConfirmForm
from certcenter.accounts.models import ADMINISTRATOR, User
from certcenter.applications.models import Application
from certcenter.core.transactions import after_commit
from certcenter.reports import services
from certcenter.reports.models import READY


def assessment_report_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """For administrators, once decided: the application's assessment reports, and making one again."""
    if getattr(application, "latest_decision", None) is None or not current_user.has_role(ADMINISTRATOR):
        return None
    if application.is_owner(current_user):
        return None
    return {"action_form": ConfirmForm()}


def candidate_report_panel(application: Application, **_objects: Any) -> dict[str, Any] | None:
    """On the candidate's dashboard: his assessment report, once made."""
    ready = [report for report in application.reports if report.status == READY]
    return {"reports": ready} if ready else None


def report_on_decision(decision: Any, *, actor: User | None) -> None:
    """Every decision gets its assessment report, made by a worker once the decision is committed."""
    report = services.request_assessment_report(decision.application, actor=actor)
    report_id = report.id
    after_commit(lambda: services.queue([report_id]))


def report_on_issue(_sender: Any, *, application_ids: list[int], actor: User | None) -> None:
    """The assessment report is made again once the certificate is issued, so that it names the certificate; the
    report made at the decision is kept."""
    report_ids = services.request_assessment_reports(application_ids, actor=actor)
    if report_ids:
        after_commit(lambda: services.queue(report_ids))


def item_analysis_panel(params: dict[str, Any], **_objects: Any) -> dict[str, Any] | None:
    """On the examinations' item analysis page: the button that has a worker make it as a PDF."""
    if not current_user.has_role(ADMINISTRATOR):
        return None
    return {"action_form": ConfirmForm(), "report_params": {k: v for k, v in params.items() if v}}
