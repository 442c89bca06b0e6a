"""The retention schedule (Law No. 94-V, art. 12: personal data are kept no longer than their purpose needs;
ISO/IEC 17024, 7.4 records). Per kind of record, how many years it is kept: the centre settings' "retention" group
(``SETTING_OF``: one setting per kind, read through ``centre_settings()``, so a change on the settings page applies to
the next run without a restart; the certificate register is kept permanently). Past that, stored files are deleted
and personal data anonymised; the certificate register (the certificate rows, the decision behind them) and the
figures the statistics count (states, dates, ratings, scores, outcomes) stay. An application under a legal hold, or
still open, is left as it is; so is an open complaint.

``due(today)`` lists what is past its period, selected by queries against cut-off dates (nothing is loaded to be
looked at in Python); ``run(today)`` does it in batches and records each act in the audit log and in
``RetentionAction`` (a second run finds nothing more to do). A dry run is ``due`` alone: the same list."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, delete, exists, func, or_, select, update

from certcenter.accounts.models import User
from certcenter.appeals.models import CLOSED as COMPLAINT_CLOSED
from certcenter.appeals.models import Complaint
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates.models import Certificate
from certcenter.core import audit
from certcenter.core.i18n import centre_day, centre_midnight, centre_today
from certcenter.core.models import AuditEntry
from certcenter.core.settings import centre_settings
from certcenter.core.storage import delete_after_commit
from certcenter.evidence.models import EvidenceItem
from certcenter.exams.models import SHORT_TEXT, Attempt, AttemptItem
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.records.models import EXPIRED, READY, DataExport, LegalHold, RetentionAction
from certcenter.reports.models import ASSESSMENT, Report

EVIDENCE = "evidence"
ASSESSMENT_RECORDS = "assessment_records"
PERSONAL_DATA = "personal_data"
COMPLAINTS = "complaints"
REPORTS = "reports"
AUDIT_LOG = "audit_log"
DATA_EXPORTS = "data_exports"
CERTIFICATE_REGISTER = "certificate_register"

# The kinds of record of the schedule, in the order a run treats them, with what each means.
KINDS = {
    EVIDENCE: _l("Application files and evidence (the files and their descriptions, the assessment report PDF)"),
    ASSESSMENT_RECORDS: _l(
        "Assessment records: the assessors' and the decision's written comments, written answers in exams"
    ),
    PERSONAL_DATA: _l("The person: name, IIN, birth date, contacts, education and experience, the account"),
    COMPLAINTS: _l("Complaints: the complainant's contact details, the texts and attached files"),
    REPORTS: _l("Reports and register exports made by administrators"),
    AUDIT_LOG: _l("The audit log"),
    DATA_EXPORTS: _l("Copies of a person's data made at his request (days, not years)"),
    CERTIFICATE_REGISTER: _l("The certificate register: number, holder, qualification, dates, status"),
}
# "after the certification cycle ends" for the kinds of an application; "after it was closed" for complaints;
# "after it was made" for the others
AFTER_CYCLE = frozenset({EVIDENCE, ASSESSMENT_RECORDS, PERSONAL_DATA})
AFTER_CLOSING = frozenset({COMPLAINTS})
# the centre setting that holds each kind's period (core/settings.py, group "retention"): years, days for the copies
# of a person's data; the register's is shown there and is not a setting one can change
SETTING_OF = {
    EVIDENCE: "evidence_retention_years",
    ASSESSMENT_RECORDS: "assessment_records_retention_years",
    PERSONAL_DATA: "personal_data_retention_years",
    COMPLAINTS: "complaints_retention_years",
    REPORTS: "reports_retention_years",
    AUDIT_LOG: "audit_log_retention_years",
    DATA_EXPORTS: "data_export_days",
    CERTIFICATE_REGISTER: "certificate_register_retention",
}
# what an exam's written answer becomes: an answer still (item analysis counts the unanswered), no longer his words
CLEARED_ANSWER = "—"
# targets applied and flushed at a time by a run (``run``'s ``commit`` then ends the batch's transaction)
BATCH_SIZE = 200

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
    """The schedule in force: years per kind (days for data exports); None: permanently. The certificate register is
    never destroyed, whatever a deployment sets."""
    settings = centre_settings()
    return {kind: None if kind == CERTIFICATE_REGISTER else settings[SETTING_OF[kind]] for kind in KINDS}


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def held_application_ids() -> set[int]:
    return set(db.session.scalars(_held()))


def _held():
    return select(LegalHold.application_id).where(LegalHold.lifted_at.is_(None))


def _not_done(kind: str, target_type: str, target_id) -> Any:
    return ~exists().where(
        RetentionAction.kind == kind,
        RetentionAction.target_type == target_type,
        RetentionAction.target_id == cast(target_id, String),
    )


def _expiries():
    """Per application with certificates, their last expiry date (the end of its certification cycle)."""
    return (
        select(Certificate.application_id, func.max(Certificate.expires_on).label("ends"))
        .group_by(Certificate.application_id)
        .subquery()
    )


def _end_of(ends: date | None, state_changed_at: datetime) -> date:
    """The day a closed application's certification cycle ended: its certificates' last expiry date; for one that
    ended without a certificate, the day it ended."""
    return ends if ends is not None else centre_day(state_changed_at)


def _ended_before(expiries, cutoff: date) -> Any:
    """SQL: the application's cycle ended before ``cutoff`` (a day of the centre's calendar)."""
    return or_(
        and_(expiries.c.ends.is_not(None), expiries.c.ends < cutoff),
        and_(expiries.c.ends.is_(None), Application.state_changed_at < centre_midnight(cutoff)),
    )


def due(today: date | None = None) -> list[Due]:
    """Everything past its retention period today, in the order ``run`` treats it."""
    today = today or centre_today()
    periods = schedule()
    found: list[Due] = []
    for kind in (EVIDENCE, ASSESSMENT_RECORDS):
        found += _cases_due(kind, today, periods[kind])
    found += _people_due(today, periods[PERSONAL_DATA])
    found += _complaints_due(today, periods[COMPLAINTS])
    found += _reports_due(today, periods[REPORTS])
    found += _audit_due(today, periods[AUDIT_LOG])
    found += _exports_due(today, periods[DATA_EXPORTS])
    return found


def _cases_due(kind: str, today: date, years: int | None) -> list[Due]:
    """Closed applications, not held, whose cycle ended more than ``years`` before today."""
    if years is None:
        return []
    cutoff = _add_years(today, -years)  # ended + years < today  <=>  ended < today - years
    expiries = _expiries()
    rows = db.session.execute(
        select(Application.id, Application.state_changed_at, expiries.c.ends)
        .outerjoin(expiries, expiries.c.application_id == Application.id)
        .where(
            Application.state.not_in(OPEN_STATES),
            Application.id.not_in(_held()),
            _not_done(kind, "Application", Application.id),
            _ended_before(expiries, cutoff),
        )
        .order_by(Application.id)
    )
    return [
        Due(kind, "Application", str(row.id), _add_years(_end_of(row.ends, row.state_changed_at), years).isoformat())
        for row in rows
    ]


def _people_due(today: date, years: int | None) -> list[Due]:
    """A person is anonymised once every application of his is past the period (none open, none held) and no open
    complaint is by or about him, counted from the last of: his applications' cycles, his profile's last change, his
    last sign-in."""
    if years is None:
        return []
    cutoff = _add_years(today, -years)
    midnight = centre_midnight(cutoff)
    expiries = _expiries()
    unfinished = (
        select(Application.id)
        .outerjoin(expiries, expiries.c.application_id == Application.id)
        .where(
            Application.candidate_id == CandidateProfile.id,
            or_(
                Application.state.in_(OPEN_STATES),
                Application.id.in_(_held()),
                ~_ended_before(expiries, cutoff),
            ),
        )
        .exists()
    )
    rows = db.session.execute(
        select(CandidateProfile.id, CandidateProfile.updated_at, User.last_login_at)
        .join(User, User.id == CandidateProfile.user_id)
        .where(
            CandidateProfile.updated_at < midnight,
            or_(User.last_login_at.is_(None), User.last_login_at < midnight),
            ~unfinished,
            ~_open_complaint_of(CandidateProfile.user_id),
            _not_done(PERSONAL_DATA, "CandidateProfile", CandidateProfile.id),
        )
        .order_by(CandidateProfile.id)
    ).all()
    if not rows:
        return []
    # the day each listed person's period ended
    moments: dict[int, list[date]] = {}
    for ids in _chunks([row.id for row in rows]):
        for candidate_id, state_changed_at, ends in db.session.execute(
            select(Application.candidate_id, Application.state_changed_at, expiries.c.ends)
            .outerjoin(expiries, expiries.c.application_id == Application.id)
            .where(Application.candidate_id.in_(ids))
        ):
            moments.setdefault(candidate_id, []).append(_end_of(ends, state_changed_at))
    found = []
    for row in rows:
        last = [*moments.get(row.id, []), centre_day(row.updated_at)]
        if row.last_login_at is not None:
            last.append(centre_day(row.last_login_at))
        found.append(Due(PERSONAL_DATA, "CandidateProfile", str(row.id), _add_years(max(last), years).isoformat()))
    return found


def _open_complaint_of(user_id: Any) -> Any:
    """SQL: an open complaint by or about the person (its handling needs who he is)."""
    return exists().where(
        Complaint.state != COMPLAINT_CLOSED,
        or_(Complaint.filed_by_id == user_id, Complaint.subject_user_id == user_id),
    )


def _chunks(values: list, size: int = BATCH_SIZE) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _complaints_due(today: date, years: int | None) -> list[Due]:
    """Closed complaints, more than ``years`` after closing (an open one is never touched)."""
    if years is None:
        return []
    limit = centre_midnight(_add_years(today, -years))
    rows = db.session.execute(
        select(Complaint.id, Complaint.closed_at)
        .where(
            Complaint.state == COMPLAINT_CLOSED,
            Complaint.closed_at < limit,
            _not_done(COMPLAINTS, "Complaint", Complaint.id),
        )
        .order_by(Complaint.id)
    )
    return [
        Due(COMPLAINTS, "Complaint", str(row.id), _add_years(centre_day(row.closed_at), years).isoformat())
        for row in rows
    ]


def _reports_due(today, years) -> list[Due]:
    if years is None:
        return []
    limit = centre_midnight(_add_years(today, -years))
    rows = db.session.execute(
        select(Report.id, Report.created_at)
        .where(Report.kind != ASSESSMENT, Report.created_at < limit)
        .order_by(Report.id)
    )
    return [
        Due(REPORTS, "Report", str(row.id), _add_years(centre_day(row.created_at), years).isoformat()) for row in rows
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
    ids = db.session.scalars(
        select(DataExport.id).where(DataExport.status == READY, DataExport.finished_at < limit).order_by(DataExport.id)
    )
    return [Due(DATA_EXPORTS, "DataExport", str(export_id), today.isoformat()) for export_id in ids]


# --- doing it ---------------------------------------------------------------------------------------------------------


def run(today: date | None = None, *, actor: User | None = None, commit: Callable[[], None] | None = None) -> list[Due]:
    """Do everything due today, ``BATCH_SIZE`` targets at a time; returns what was done (what ``due`` listed).
    Does not commit unless given ``commit`` (the nightly task's and the command's), called after each batch so that a
    long run is not one transaction and its deleted files go batch by batch."""
    items = due(today)
    for batch in _chunks(items):
        for item in batch:
            apply(item, cause="retention", actor=actor)
        db.session.flush()
        if commit is not None:
            commit()
    if items:
        audit.record(
            "records.retention_run",
            None,
            actor=actor,
            count=len(items),
            kinds=sorted({item.kind for item in items}),
        )
    return items


# kinds whose acts are recorded once per target (the others leave nothing to find again: the rows are gone)
RECORDED = frozenset({EVIDENCE, ASSESSMENT_RECORDS, PERSONAL_DATA, COMPLAINTS})
ANONYMISED = frozenset({PERSONAL_DATA, COMPLAINTS})
# an erasure's part of a complaint about the person (not by him): his identification only; the complaint stays
COMPLAINT_SUBJECT = "ComplaintSubject"


def apply(item: Due, *, cause: str, actor: User | None) -> None:
    """Destroy or anonymise one target, record it once (``RetentionAction``) and in the audit log."""
    action = _ACTIONS.get((item.kind, item.target_type)) or _ACTIONS[item.kind]
    details = action(item.target_id) or {}
    if item.kind in RECORDED and item.target_type != COMPLAINT_SUBJECT:
        db.session.add(
            RetentionAction(
                kind=item.kind, target_type=item.target_type, target_id=item.target_id, cause=cause, details=details
            )
        )
    audit.record_many(
        "records.anonymise" if item.kind in ANONYMISED else "records.destroy",
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
    return {"answers": clear_exam_answers(Attempt.application_id == application.id)}


def clear_exam_answers(which: Any) -> int:
    """The written answers of the exam attempts ``which`` selects (short texts: the candidate's own words) and the
    reasons an attempt was voided; the marks, scores and chosen options stay (the item analysis and the statistics
    count them). Returns how many answers were cleared."""
    attempts = select(Attempt.id).where(which)
    answered = [
        item_id
        for item_id, response in db.session.execute(
            select(AttemptItem.id, AttemptItem.response).where(
                AttemptItem.attempt_id.in_(attempts), AttemptItem.kind == SHORT_TEXT
            )
        )
        if response not in (None, "", CLEARED_ANSWER)
    ]
    for ids in _chunks(answered):
        db.session.execute(
            update(AttemptItem)
            .where(AttemptItem.id.in_(ids))
            .values(response=CLEARED_ANSWER)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Attempt)
        .where(which, Attempt.void_reason.is_not(None))
        .values(void_reason="—")  # the database requires a reason for a voided attempt
        .execution_options(synchronize_session=False)
    )
    return len(answered)


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
    clear_exam_answers(Attempt.user_id == profile.user_id)
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


def anonymise_complaint(complaint_id: str) -> dict[str, Any]:
    """A closed complaint past its period: the complainant's contact details replaced, the texts (his, the person
    complained about as he named him, the findings, the answer, the steps' notes) cleared, the attached file
    deleted; what the statistics count stays (category, subject's kind, dates, outcome)."""
    complaint = db.session.get(Complaint, int(complaint_id))
    files = 0
    if complaint.attachment_key:
        delete_after_commit(complaint.attachment_key)
        files = 1
    complaint.attachment_key = complaint.attachment_name = complaint.attachment_type = None
    complaint.attachment_size = complaint.attachment_sha256 = None
    complaint.contact_name = f"ANON-C{complaint.id}"
    complaint.contact_email = complaint.contact_phone = ""
    complaint.text = complaint.findings = complaint.response = ""
    complaint.filed_by_id = None
    for event in complaint.events:
        event.note = ""
    _forget_subject(complaint)
    return {"files": files}


def forget_complaint_subject(complaint_id: str) -> dict[str, Any]:
    """An erased person's part in a closed complaint about him: who he is (as the complainant named him, his account,
    his certificate's number) goes; the complaint, another person's record, keeps its own period."""
    _forget_subject(db.session.get(Complaint, int(complaint_id)))
    return {}


def _forget_subject(complaint: Complaint) -> None:
    complaint.subject_name = complaint.certificate_number = ""
    complaint.subject_user_id = None


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


_ACTIONS: dict[Any, Callable[[str], dict[str, Any]]] = {
    EVIDENCE: destroy_evidence,
    ASSESSMENT_RECORDS: clear_assessment_records,
    PERSONAL_DATA: anonymise_person,
    COMPLAINTS: anonymise_complaint,
    (COMPLAINTS, COMPLAINT_SUBJECT): forget_complaint_subject,
    REPORTS: destroy_report,
    AUDIT_LOG: destroy_audit_entries,
    DATA_EXPORTS: destroy_data_export,
}


def anonymised_profile_ids() -> set[int]:
    return {
        int(value)
        for value in db.session.scalars(
            select(RetentionAction.target_id).where(
                RetentionAction.kind == PERSONAL_DATA, RetentionAction.target_type == "CandidateProfile"
            )
        )
    }


def applied_at(kind: str, target_type: str, target_id: Any) -> Any:
    return db.session.scalar(
        select(RetentionAction.done_at).where(
            RetentionAction.kind == kind,
            RetentionAction.target_type == target_type,
            RetentionAction.target_id == str(target_id),
        )
    )
