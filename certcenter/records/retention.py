"""The retention schedule (Law No. 94-V, art. 12: personal data are kept no longer than their purpose needs;
ISO/IEC 17024, 7.4 records). Per kind of record, how many years after the certification cycle ends it is kept
(``RETENTION_YEARS`` in the configuration; None keeps it permanently). Past that, stored files are deleted and
personal data anonymised; the certificate register (the certificate rows, the decision behind them) and the figures
the statistics count (states, dates, ratings, outcomes) stay. An application under a legal hold, or still open, is
left as it is.

``due(today)`` lists what is past its period; ``run(today)`` does it and records each act in the audit log and in
``RetentionAction`` (a second run finds nothing more to do). A dry run is ``due`` alone: the same list."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from certcenter.accounts.models import User
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates.models import Certificate
from certcenter.core import audit
from certcenter.core.i18n import centre_midnight, centre_today
from certcenter.core.models import AuditEntry
from certcenter.core.storage import delete_after_commit
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.records.models import EXPIRED, READY, DataExport, LegalHold, RetentionAction
from certcenter.reports.models import ASSESSMENT, Report

EVIDENCE = "evidence"
ASSESSMENT_RECORDS = "assessment_records"
PERSONAL_DATA = "personal_data"
REPORTS = "reports"
AUDIT_LOG = "audit_log"
DATA_EXPORTS = "data_exports"
CERTIFICATE_REGISTER = "certificate_register"

# The kinds of record of the schedule, in the order a run treats them, with what each means.
KINDS = {
    EVIDENCE: _l("Application files and evidence (the files and their descriptions, the assessment report PDF)"),
    ASSESSMENT_RECORDS: _l("Assessment records: the assessors' and the decision's written comments"),
    PERSONAL_DATA: _l("The person: name, IIN, birth date, contacts, education and experience, the account"),
    REPORTS: _l("Reports and register exports made by administrators"),
    AUDIT_LOG: _l("The audit log"),
    DATA_EXPORTS: _l("Copies of a person's data made at his request (days, not years)"),
    CERTIFICATE_REGISTER: _l("The certificate register: number, holder, qualification, dates, status"),
}
# "after the certification cycle ends" for the kinds of an application; "after it was made" for the others
AFTER_CYCLE = frozenset({EVIDENCE, ASSESSMENT_RECORDS, PERSONAL_DATA})

# States in which an application's case is still open: nothing of it is destroyed.
OPEN_STATES = frozenset(workflow.STATES) - {
    workflow.DRAFT,
    workflow.NOT_ELIGIBLE,
    workflow.WITHDRAWN,
    workflow.NOT_CONFIRMED,
    workflow.CERTIFIED,
}

ANONYMOUS_BIRTH_DATE = date(1900, 1, 1)


@dataclass(frozen=True)
class Due:
    """One thing the schedule would do: destroy or anonymise ``kind`` of the target."""

    kind: str
    target_type: str
    target_id: str
    since: str  # the day its period ended (ISO)
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def schedule() -> dict[str, int | None]:
    """The configured schedule: years per kind (days for data exports); None: permanently."""
    years = dict(current_app.config["RETENTION_YEARS"])
    return {kind: years.get(kind) for kind in KINDS if kind != DATA_EXPORTS} | {
        DATA_EXPORTS: current_app.config["DATA_EXPORT_DAYS"]
    }


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def held_application_ids() -> set[int]:
    return set(db.session.scalars(select(LegalHold.application_id).where(LegalHold.lifted_at.is_(None))))


def _done(kind: str, target_type: str) -> set[str]:
    return set(
        db.session.scalars(
            select(RetentionAction.target_id).where(
                RetentionAction.kind == kind, RetentionAction.target_type == target_type
            )
        )
    )


def cycle_end(application: Application, expiries: dict[int, date]) -> date | None:
    """The day the application's certification cycle ended: its certificates' last expiry date; for an application
    that ended without a certificate, the day it ended. None while the case is open."""
    if application.state in OPEN_STATES:
        return None
    if application.id in expiries:
        return expiries[application.id]
    return _centre_date(application.state_changed_at)


def _expiries() -> dict[int, date]:
    return dict(
        db.session.execute(
            select(Certificate.application_id, func.max(Certificate.expires_on)).group_by(Certificate.application_id)
        ).all()
    )


def due(today: date | None = None) -> list[Due]:
    """Everything past its retention period today, in the order ``run`` treats it."""
    today = today or centre_today()
    periods = schedule()
    held = held_application_ids()
    expiries = _expiries()
    applications = db.session.scalars(select(Application).order_by(Application.id)).all()
    ends = {application.id: cycle_end(application, expiries) for application in applications}
    found: list[Due] = []
    for kind in (EVIDENCE, ASSESSMENT_RECORDS):
        years = periods[kind]
        if years is None:
            continue
        done = _done(kind, "Application")
        for application in applications:
            end = ends[application.id]
            if end is None or application.id in held or str(application.id) in done:
                continue
            if _add_years(end, years) < today:
                found.append(Due(kind, "Application", str(application.id), _add_years(end, years).isoformat()))
    found += _people_due(today, periods[PERSONAL_DATA], applications, ends, held)
    found += _reports_due(today, periods[REPORTS])
    found += _audit_due(today, periods[AUDIT_LOG])
    found += _exports_due(today, periods[DATA_EXPORTS])
    return found


def _people_due(today, years, applications, ends, held) -> list[Due]:
    """A person is anonymised once every application of his is past the period (none open, none held), counted
    from the last of: his applications' cycles, his profile's last change, his last sign-in."""
    if years is None:
        return []
    done = _done(PERSONAL_DATA, "CandidateProfile")
    by_candidate: dict[int, list[Application]] = {}
    for application in applications:
        by_candidate.setdefault(application.candidate_id, []).append(application)
    found = []
    profiles = db.session.scalars(
        select(CandidateProfile).options(selectinload(CandidateProfile.user)).order_by(CandidateProfile.id)
    ).all()
    for profile in profiles:
        if str(profile.id) in done:
            continue
        own = by_candidate.get(profile.id, [])
        if any(ends[a.id] is None or a.id in held for a in own):
            continue
        moments = [ends[a.id] for a in own]
        moments.append(_centre_date(profile.updated_at))
        if profile.user.last_login_at is not None:
            moments.append(_centre_date(profile.user.last_login_at))
        last = max(moments)
        if _add_years(last, years) < today:
            found.append(Due(PERSONAL_DATA, "CandidateProfile", str(profile.id), _add_years(last, years).isoformat()))
    return found


def _centre_date(moment) -> date:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _reports_due(today, years) -> list[Report]:
    if years is None:
        return []
    limit = centre_midnight(_add_years(today, -years))
    reports = db.session.scalars(
        select(Report).where(Report.kind != ASSESSMENT, Report.created_at < limit).order_by(Report.id)
    ).all()
    return [
        Due(REPORTS, "Report", str(report.id), _add_years(_centre_date(report.created_at), years).isoformat())
        for report in reports
    ]


def _audit_due(today, years) -> list[Due]:
    if years is None:
        return []
    limit_day = _add_years(today, -years)
    count = db.session.scalar(select(func.count()).where(AuditEntry.at < centre_midnight(limit_day)))
    if not count:
        return []
    return [Due(AUDIT_LOG, "AuditEntry", f"before:{limit_day.isoformat()}", today.isoformat(), {"entries": count})]


def _exports_due(today, days) -> list[Due]:
    if days is None:
        return []
    limit = centre_midnight(today - timedelta(days=days))
    exports = db.session.scalars(
        select(DataExport).where(DataExport.status == READY, DataExport.finished_at < limit).order_by(DataExport.id)
    ).all()
    return [Due(DATA_EXPORTS, "DataExport", str(export.id), today.isoformat()) for export in exports]


# --- doing it ---------------------------------------------------------------------------------------------------------


def run(today: date | None = None, *, actor: User | None = None) -> list[Due]:
    """Do everything due today; returns what was done (what ``due`` listed). Does not commit."""
    items = due(today)
    for item in items:
        apply(item, cause="retention", actor=actor)
    if items:
        audit.record(
            "records.retention_run",
            None,
            actor=actor,
            count=len(items),
            kinds=sorted({item.kind for item in items}),
        )
    return items


def apply(item: Due, *, cause: str, actor: User | None) -> None:
    """Destroy or anonymise one target, record it once (``RetentionAction``) and in the audit log."""
    details = _ACTIONS[item.kind](item.target_id) or {}
    if item.kind in (EVIDENCE, ASSESSMENT_RECORDS, PERSONAL_DATA):
        db.session.add(
            RetentionAction(
                kind=item.kind, target_type=item.target_type, target_id=item.target_id, cause=cause, details=details
            )
        )
    audit.record_many(
        "records.destroy" if item.kind != PERSONAL_DATA else "records.anonymise",
        [(item.target_type, item.target_id, {"kind": item.kind, "cause": cause, **details})],
        actor=actor,
    )


def destroy_evidence(application_id: str) -> dict[str, Any]:
    """The application's stored files (evidence, its assessment report) and their descriptions."""
    application = db.session.get(Application, int(application_id))
    files = 0
    for item in list(application.evidence):
        delete_after_commit(item.storage_key)
        db.session.delete(item)
        files += 1
    for report in db.session.scalars(
        select(Report).where(Report.application_id == application.id, Report.kind == ASSESSMENT)
    ):
        if report.storage_key:
            delete_after_commit(report.storage_key)
            files += 1
        db.session.delete(report)
    db.session.flush()
    return {"files": files}


def clear_assessment_records(application_id: str) -> dict[str, Any]:
    """The written comments of the assessment and the decision, in every round: the ratings, outcomes and dates
    stay (the statistics count them), the free text goes; so does each decision's copy of it."""
    application = db.session.get(Application, int(application_id))
    for assignment in application.all_assignments:
        if assignment.conflict_note:
            assignment.conflict_note = ""
        for rating in assignment.ratings:
            rating.justification = ""
        for review in assignment.evidence_reviews:
            review.comment = ""
    for result in application.all_results:
        result.notes = ""
    for final in application.all_final_ratings:
        if final.moderation_reason:
            final.moderation_reason = ""
    for decision in application.decisions:
        decision.comment = ""
        if decision.deviation_reason:
            decision.deviation_reason = "—"  # the database requires a reason where the outcome deviated
        decision.snapshot = _cleared_snapshot(decision.snapshot)
    for event in application.events:
        if event.reason:
            event.reason = ""
    if application.exception_request is not None:
        application.exception_request = ""  # the statistics count requests: the row says one was made
    application.eligibility = {"status": application.eligibility_status}
    return {}


def _cleared_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    snapshot = dict(snapshot)
    snapshot["eligibility"] = {}
    snapshot["criteria"] = [
        criterion
        | {
            "moderation_reason": None,
            "assessors": [assessor | {"justification": ""} for assessor in criterion.get("assessors", [])],
        }
        for criterion in snapshot.get("criteria", [])
    ]
    snapshot["results"] = [result | {"notes": ""} for result in snapshot.get("results", [])]
    snapshot["evidence"] = [item | {"filename": ""} for item in snapshot.get("evidence", [])]
    return snapshot


def anonymise_person(profile_id: str) -> dict[str, Any]:
    """Name, IIN, birth date, contacts replaced; education, experience and the profile's documents cleared; the
    account closed and its notices deleted. The certificates keep what the register states."""
    profile = db.session.get(CandidateProfile, int(profile_id))
    placeholder = f"ANON-{profile.id}"
    profile.full_name = profile.full_name_latin = placeholder
    profile.iin = f"X{profile.id:011d}"
    profile.birth_date = ANONYMOUS_BIRTH_DATE
    profile.phone = ""
    profile.employer = profile.position = None
    for record in profile.education:
        record.institution = record.speciality = ""
        record.document_id = None
    for record in profile.experience:
        record.employer = record.position = record.description = ""
    for item in db.session.scalars(
        select(EvidenceItem).where(EvidenceItem.candidate_id == profile.id, EvidenceItem.application_id.is_(None))
    ):
        delete_after_commit(item.storage_key)
        db.session.delete(item)
    for application in db.session.scalars(select(Application).where(Application.candidate_id == profile.id)):
        application.profile_snapshot = {}
    user = profile.user
    user.email = f"erased-{user.id}@invalid"
    user.full_name = placeholder
    user.password_hash = "!"  # matches no password
    user.active = False
    user.end_sessions()
    # his notices go, except the one telling him the outcome of his erasure request
    db.session.execute(
        delete(Notification).where(Notification.user_id == user.id, Notification.kind != "erasure_decided")
    )
    db.session.flush()
    return {}


def destroy_report(report_id: str) -> dict[str, Any]:
    report = db.session.get(Report, int(report_id))
    if report.storage_key:
        delete_after_commit(report.storage_key)
    db.session.delete(report)
    return {"report_kind": report.kind}


def destroy_audit_entries(target_id: str) -> dict[str, Any]:
    limit_day = date.fromisoformat(target_id.removeprefix("before:"))
    deleted = db.session.execute(delete(AuditEntry).where(AuditEntry.at < centre_midnight(limit_day)))
    return {"entries": deleted.rowcount}


def destroy_data_export(export_id: str) -> dict[str, Any]:
    export = db.session.get(DataExport, int(export_id))
    if export.storage_key:
        delete_after_commit(export.storage_key)
    export.storage_key = export.sha256 = None
    export.status = EXPIRED
    return {}


_ACTIONS = {
    EVIDENCE: destroy_evidence,
    ASSESSMENT_RECORDS: clear_assessment_records,
    PERSONAL_DATA: anonymise_person,
    REPORTS: destroy_report,
    AUDIT_LOG: destroy_audit_entries,
    DATA_EXPORTS: destroy_data_export,
}


def anonymised_profile_ids() -> set[int]:
    return {int(value) for value in _done(PERSONAL_DATA, "CandidateProfile")}


def applied_at(kind: str, target_type: str, target_id: Any) -> Any:
    return db.session.scalar(
        select(RetentionAction.done_at).where(
            RetentionAction.kind == kind,
            RetentionAction.target_type == target_type,
            RetentionAction.target_id == str(target_id),
        )
    )
