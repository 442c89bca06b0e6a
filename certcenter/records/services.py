"""The subject's rights and legal holds: his data shown and exported, his account erased on request (decided by an
administrator), his consent by version of the privacy notice; holds that stop retention. None of the verbs commits,
except ``build_export``, a task's body."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from certcenter.accounts.models import User
from certcenter.appeals.models import Complaint
from certcenter.applications import policy as case
from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates.services import public_record
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_today
from certcenter.core.models import AuditEntry, utcnow
from certcenter.core.storage import get_storage
from certcenter.core.transactions import after_commit
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.notifications.services import notify
from certcenter.records import retention
from certcenter.records.models import (
    APPROVED,
    FAILED,
    HOLD_GROUNDS,
    PENDING,
    QUEUED,
    READY,
    REFUSED,
    ConsentRecord,
    DataExport,
    ErasureRequest,
    LegalHold,
)

ERASURE_DECIDED = "erasure_decided"
EXPORT_READY = "data_export_ready"


class RecordsError(UserError):
    """A refused step with personal data records."""


# --- legal holds ------------------------------------------------------------------------------------------------------


def active_hold(application: Application) -> LegalHold | None:
    return next((hold for hold in application.legal_holds if hold.active), None)


def place_hold(application: Application, *, ground: str, reason: str, actor: User) -> LegalHold:
    case.refuse_own_case(application, actor, "legal_hold")
    if ground not in HOLD_GROUNDS:
        raise RecordsError(_l("Choose the ground of the hold."))
    if not reason.strip():
        raise RecordsError(_l("Write the reason for the hold."))
    if active_hold(application) is not None:
        raise RecordsError(_l("This application is already under a legal hold."))
    hold = LegalHold(application=application, ground=ground, reason=reason.strip(), placed_by=actor)
    db.session.add(hold)
    db.session.flush()
    audit.record("records.hold_place", application, actor=actor, ground=ground, reason=reason.strip())
    return hold


def lift_hold(hold: LegalHold, *, reason: str, actor: User) -> None:
    case.refuse_own_case(hold.application, actor, "legal_hold")  # nobody lifts the hold on his own case
    if not hold.active:
        raise RecordsError(_l("This hold has already been lifted."))
    if not reason.strip():
        raise RecordsError(_l("Write why the hold is lifted."))
    hold.lifted_at = utcnow()
    hold.lifted_by = actor
    hold.lift_reason = reason.strip()
    audit.record("records.hold_lift", hold.application, actor=actor, ground=hold.ground, reason=reason.strip())


# --- consent ----------------------------------------------------------------------------------------------------------


def notice_version() -> str:
    return current_app.config["PRIVACY_NOTICE_VERSION"]


def consent_of(user: User) -> ConsentRecord | None:
    return db.session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user.id)
        .order_by(ConsentRecord.given_at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )


def needs_consent(user: User) -> bool:
    """A candidate who consented to an earlier version of the privacy notice is asked again (one who never gave it
    here registered before consent was recorded by version: asked too)."""
    if not (user.is_authenticated and user.has_role("candidate")):
        return False
    latest = consent_of(user)
    return latest is None or latest.version != notice_version()


def record_consent(user: User) -> ConsentRecord:
    version = notice_version()
    existing = db.session.scalar(
        select(ConsentRecord).where(ConsentRecord.user_id == user.id, ConsentRecord.version == version)
    )
    if existing is not None:
        return existing
    record = ConsentRecord(user_id=user.id, version=version)
    db.session.add(record)
    audit.record("records.consent", user, actor=user, version=version)
    return record


def consent_on_registration(user: User, **_kwargs: Any) -> None:
    record_consent(user)


# --- the person's data ------------------------------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def person_data(user: User) -> dict[str, Any]:
    """Every record of the person the centre keeps, as JSON-ready data (his own, nobody else's)."""
    profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))
    data: dict[str, Any] = {
        "generated_at": utcnow().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "roles": sorted(user.roles),
            "locale": user.locale,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "consents": [
            {"version": record.version, "given_at": _iso(record.given_at)}
            for record in db.session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == user.id))
        ],
        "profile": None,
        "applications": [],
        "documents": [],
        "notifications": [
            {"kind": notice.kind, "created_at": _iso(notice.created_at), "params": notice.params}
            for notice in db.session.scalars(
                select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
            )
        ],
        "erasure_requests": [
            {"status": request.status, "requested_at": _iso(request.requested_at), "outcome": request.outcome}
            for request in db.session.scalars(select(ErasureRequest).where(ErasureRequest.user_id == user.id))
        ],
        "own_actions": [
            {"at": _iso(entry.at), "action": entry.action, "target": f"{entry.target_type}:{entry.target_id}"}
            for entry in db.session.scalars(
                select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id)
            )
        ],
    }
    if profile is None:
        return data
    data["profile"] = {
        "full_name": profile.full_name,
        "full_name_latin": profile.full_name_latin,
        "iin": profile.iin,
        "birth_date": _iso(profile.birth_date),
        "phone": profile.phone,
        "employer": profile.employer,
        "position": profile.position,
        "education": [
            {
                "level": record.level,
                "institution": record.institution,
                "speciality": record.speciality,
                "year_completed": record.year_completed,
            }
            for record in profile.education
        ],
        "experience": [
            {
                "employer": record.employer,
                "position": record.position,
                "started_on": _iso(record.started_on),
                "ended_on": _iso(record.ended_on),
                "description": record.description,
            }
            for record in profile.experience
        ],
    }
    data["documents"] = [_item(item) for item in _profile_documents(profile)]
    for application in db.session.scalars(
        select(Application).where(Application.candidate_id == profile.id).order_by(Application.id)
    ):
        decision = application.latest_decision
        data["applications"].append(
            {
                "id": application.id,
                "qualification": application.qualification.code,
                "state": application.state,
                "created_at": _iso(application.created_at),
                "submitted_at": _iso(application.submitted_at),
                "eligibility": application.eligibility,
                "exception_request": application.exception_request,
                "history": [
                    {"at": _iso(event.at), "from": event.from_state, "to": event.to_state, "reason": event.reason}
                    for event in application.events
                ],
                "evidence": [_item(item) for item in application.evidence],
                "results": [
                    {
                        "round": result.round,
                        "kind": result.kind,
                        "percent": result.percent,
                        "taken_on": _iso(result.taken_on),
                    }
                    for result in application.all_results
                ],
                "decision": {"outcome": decision.outcome, "decided_at": _iso(decision.decided_at)}
                if decision
                else None,
                "decisions": [
                    {"round": each.round, "outcome": each.outcome, "decided_at": _iso(each.decided_at)}
                    for each in application.decisions
                ],
                "certificates": [public_record(certificate) for certificate in application.certificates],
                "legal_holds": [
                    {"ground": hold.ground, "placed_at": _iso(hold.placed_at), "lifted_at": _iso(hold.lifted_at)}
                    for hold in application.legal_holds
                ],
            }
        )
    return data


def _profile_documents(profile: CandidateProfile) -> list[EvidenceItem]:
    return list(
        db.session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.candidate_id == profile.id, EvidenceItem.application_id.is_(None))
            .order_by(EvidenceItem.id)
        )
    )


def _item(item: EvidenceItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "description": item.description,
        "filename": item.original_filename,
        "sha256": item.sha256,
        "file": f"files/evidence/{_archive_name(item)}",
    }


def _archive_name(item: EvidenceItem) -> str:
    safe = re.sub(r"[^\w.\-]+", "_", item.original_filename)[:80] or "file"
    return f"{item.id}-{safe}"


# --- the export -------------------------------------------------------------------------------------------------------


def request_export(user: User) -> DataExport:
    """A copy of all his data, made by a worker (queued after the commit)."""
    waiting = db.session.scalar(
        select(DataExport).where(DataExport.user_id == user.id, DataExport.status == QUEUED).limit(1)
    )
    if waiting is not None:
        return waiting
    export = DataExport(user_id=user.id)
    db.session.add(export)
    db.session.flush()
    audit.record("records.export_request", export, actor=user)
    export_id = export.id
    after_commit(lambda: queue_export(export_id))
    return export


def queue_export(export_id: int) -> None:
    from certcenter.records.tasks import build_data_export

    current_app.extensions["celery"].tasks[build_data_export.name].delay(export_id)


def latest_export(user: User) -> DataExport | None:
    return db.session.scalar(
        select(DataExport).where(DataExport.user_id == user.id).order_by(DataExport.id.desc()).limit(1)
    )


def build_export(export_id: int) -> None:
    """Make the ZIP (data.json, his files, his certificates' PDFs) and store it; a ready export is left as it is."""
    import hashlib

    export = db.session.get(DataExport, export_id)
    if export is None or export.status != QUEUED:
        return
    storage = get_storage()
    user = export.user
    data = person_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))
        if profile is not None:
            items = _profile_documents(profile) + list(
                db.session.scalars(
                    select(EvidenceItem)
                    .join(Application, EvidenceItem.application_id == Application.id)
                    .where(Application.candidate_id == profile.id)
                    .order_by(EvidenceItem.id)
                )
            )
            for item in items:
                with storage.open(item.storage_key) as handle:
                    archive.writestr(f"files/evidence/{_archive_name(item)}", handle.read())
            for application in profile.applications:
                for certificate in application.certificates:
                    if certificate.storage_key:
                        with storage.open(certificate.storage_key) as handle:
                            archive.writestr(f"files/certificates/{certificate.number}.pdf", handle.read())
    content = buffer.getvalue()
    stored = storage.save(io.BytesIO(content), prefix="data_exports")
    export.storage_key = stored.key
    export.sha256 = hashlib.sha256(content).hexdigest()
    export.size = len(content)
    export.status = READY
    export.finished_at = utcnow()
    notify(user.id, EXPORT_READY, export)
    db.session.commit()


def mark_export_failed(export_id: int, error: str) -> None:
    export = db.session.get(DataExport, export_id)
    if export is not None and export.status == QUEUED:
        export.status = FAILED
        export.error = error[:2000]
        db.session.commit()


# --- erasure ----------------------------------------------------------------------------------------------------------


def pending_erasure(user: User) -> ErasureRequest | None:
    return db.session.scalar(
        select(ErasureRequest).where(ErasureRequest.user_id == user.id, ErasureRequest.status == PENDING).limit(1)
    )


def request_erasure(user: User, *, note: str) -> ErasureRequest:
    if pending_erasure(user) is not None:
        raise RecordsError(_l("Your request to erase your account is already with an administrator."))
    request = ErasureRequest(user_id=user.id, note=note.strip())
    db.session.add(request)
    db.session.flush()
    audit.record("records.erasure_request", request, actor=user)
    return request


@dataclass
class ErasurePlan:
    """What erasing the person does: ``items`` to apply; ``erased`` and ``kept`` as told to him."""

    items: list[retention.Due]
    erased: list[dict[str, Any]]
    kept: list[dict[str, Any]]


def erasure_plan(user: User) -> ErasurePlan:
    """What must be kept (an issued certificate's register entry, an application still open or under appeal, one
    under a legal hold, with the identity it needs) is kept; the rest is erased."""
    profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))
    today = centre_today().isoformat()
    items: list[retention.Due] = []
    erased: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    held = retention.held_application_ids()
    whole_kept = False
    for application in profile.applications if profile else []:
        if application.id in held:
            kept.append({"what": "held", "application": application.id})
            whole_kept = True
            continue
        if application.state in retention.OPEN_STATES:
            kept.append({"what": "open", "application": application.id})
            whole_kept = True
            continue
        for kind in (retention.EVIDENCE, retention.ASSESSMENT_RECORDS):
            if retention.applied_at(kind, "Application", application.id) is None:
                items.append(retention.Due(kind, "Application", str(application.id), today))
        erased.append({"what": "case_file", "application": application.id})
        for certificate in application.certificates:
            kept.append({"what": "register", "certificate": certificate.number})
    for complaint in _complaints_by_or_about(user):
        by_him = complaint.filed_by_id == user.id or complaint.contact_email.lower() == user.email.lower()
        if complaint.is_open:  # its handling needs who filed it and whom it is about
            what = "complaint_open" if by_him else "complaint_about_open"
            kept.append({"what": what, "reference": complaint.reference})
            whole_kept = True
        elif by_him:
            if retention.applied_at(retention.COMPLAINTS, "Complaint", complaint.id) is None:
                items.append(retention.Due(retention.COMPLAINTS, "Complaint", str(complaint.id), today))
                erased.append({"what": "complaint", "reference": complaint.reference})
        else:
            items.append(retention.Due(retention.COMPLAINTS, retention.COMPLAINT_SUBJECT, str(complaint.id), today))
            erased.append({"what": "complaint_about", "reference": complaint.reference})
    if profile is not None and not whole_kept:
        if retention.applied_at(retention.PERSONAL_DATA, "CandidateProfile", profile.id) is None:
            items.append(retention.Due(retention.PERSONAL_DATA, "CandidateProfile", str(profile.id), today))
        erased.append({"what": "profile"})
    elif profile is not None:
        kept.append({"what": "identity"})
    return ErasurePlan(items, erased, kept)


def _complaints_by_or_about(user: User) -> list[Complaint]:
    """Complaints he filed (signed in, or by his address at the public desk) and those about him."""
    return list(
        db.session.scalars(
            select(Complaint)
            .where(
                or_(
                    Complaint.filed_by_id == user.id,
                    func.lower(Complaint.contact_email) == user.email.lower(),
                    Complaint.subject_user_id == user.id,
                )
            )
            .order_by(Complaint.id)
        )
    )


def decide_erasure(request: ErasureRequest, *, approve: bool, reason: str, actor: User) -> None:
    if request.user_id == actor.id:
        audit.record_refusal("records.erasure_refused_own", request, actor=actor)
        raise RecordsError(_l("Another administrator decides on a request about your own data."))
    if request.status != PENDING:
        raise RecordsError(_l("This request has already been decided."))
    if not reason.strip():
        raise RecordsError(_l("Write the reason for the decision; the person is told it."))
    request.decided_at = utcnow()
    request.decided_by = actor
    request.decision_reason = reason.strip()
    if not approve:
        request.status = REFUSED
        audit.record("records.erasure_refuse", request, actor=actor, reason=reason.strip())
        notify(request.user_id, ERASURE_DECIDED, request, status=REFUSED, reason=reason.strip())
        return
    plan = erasure_plan(request.user)
    request.status = APPROVED
    request.outcome = {"erased": plan.erased, "kept": plan.kept}
    # Told first, in the words of the request page: the mail is queued to the address he has now, before anything of
    # his is anonymised (after, his address is gone and his account closed: no mail would reach him), and it says
    # itself what was erased and kept, since he can no longer sign in to read it.
    notify(request.user_id, ERASURE_DECIDED, request, status=APPROVED, **request.outcome)
    audit.record(
        "records.erasure_approve",
        request,
        actor=actor,
        reason=reason.strip(),
        erased=len(plan.erased),
        kept=len(plan.kept),
    )
    for item in plan.items:
        retention.apply(item, cause="erasure", actor=actor)
    if not any(item.kind == retention.PERSONAL_DATA for item in plan.items) and not plan.kept:
        # no candidate profile: the account alone
        _close_account(request.user)


def _close_account(user: User) -> None:
    user.email = f"erased-{user.id}@invalid"
    user.full_name = f"ANON-U{user.id}"
    user.password_hash = "!"
    user.active = False
    user.end_sessions()


def outcome_lines(outcome: dict[str, Any], *, to_the_person: bool = False) -> tuple[list[str], list[str]]:
    """The erasure's outcome in the reader's language: what was erased, what was kept and why. Told to the person
    himself (``to_the_person``), an open complaint about him is not named: an investigation still under way is not
    announced to its subject (ISO/IEC 17024 9.9), only that a matter still being handled keeps his identity."""
    erased_words = {
        "case_file": lambda e: _l(
            "Application No. %(id)s: its files, evidence and written comments.", id=e["application"]
        ),
        "profile": lambda e: _l(
            "Your profile (name, IIN, birth date, contacts, education, experience, documents) and your account."
        ),
        "complaint": lambda e: _l(
            "Your complaint No. %(reference)s: your contact details, its texts and its attached file.",
            reference=e["reference"],
        ),
        "complaint_about": lambda e: _l(
            "Your name and account in complaint No. %(reference)s about you.", reference=e["reference"]
        ),
    }
    kept_words = {
        "register": lambda e: _l(
            "The register entry of certificate No. %(number)s (the law requires the centre to keep it).",
            number=e["certificate"],
        ),
        "held": lambda e: _l("Application No. %(id)s, which is under a legal hold.", id=e["application"]),
        "open": lambda e: _l("Application No. %(id)s, whose case is still open.", id=e["application"]),
        "identity": lambda e: _l("Your profile, which the cases kept above need."),
        "complaint_open": lambda e: _l(
            "Your complaint No. %(reference)s, which is still being handled.", reference=e["reference"]
        ),
        "complaint_about_open": lambda e: _l(
            "Complaint No. %(reference)s about you, which is still being handled.", reference=e["reference"]
        ),
    }
    if to_the_person:
        kept_words["complaint_about_open"] = lambda e: _l(
            "Your identity, which a matter the centre is still handling needs until it is closed."
        )
    return (
        [str(erased_words[entry["what"]](entry)) for entry in outcome.get("erased", [])],
        [str(kept_words[entry["what"]](entry)) for entry in outcome.get("kept", [])],
    )
