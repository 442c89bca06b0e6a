"""Evidence verbs: add, remove, map to criteria. None of them commits."""

from __future__ import annotations

from datetime import date
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.core import audit
from certcenter.core.storage import delete_after_commit, get_storage
from certcenter.evidence.models import EVIDENCE_KINDS, EvidenceItem, EvidenceLink
from certcenter.evidence.uploads import UploadError, check_extension, clean_filename, measure, sniff_content_type
from certcenter.extensions import db
from certcenter.qualifications.criteria import criterion_keys


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def add_evidence(
    candidate: CandidateProfile,
    stream: BinaryIO,
    filename: str | None,
    *,
    kind: str,
    actor: User,
    application: Application | None = None,
    description: str = "",
    document_date: date | None = None,
) -> EvidenceItem:
    if kind not in EVIDENCE_KINDS:
        raise UploadError(_l("Choose what kind of evidence this is."))
    if application is not None and not application.is_editable:
        raise UploadError(_l("The application has been submitted; its evidence can no longer change."))
    name = clean_filename(filename)
    size = measure(stream)
    limit = current_app.config["EVIDENCE_MAX_FILE_BYTES"]
    if size > limit:
        raise UploadError(_l("The file is larger than %(limit)s MB.", limit=_megabytes(limit)))
    content_type = sniff_content_type(stream)
    check_extension(name, content_type)
    if application is not None:
        used, count = db.session.execute(
            select(func.coalesce(func.sum(EvidenceItem.size), 0), func.count()).where(
                EvidenceItem.application_id == application.id
            )
        ).one()
        quota = current_app.config["EVIDENCE_MAX_APPLICATION_BYTES"]
        if used + size > quota:
            raise UploadError(
                _l(
                    "The application's evidence may take up to %(quota)s MB in all; %(used)s MB are used.",
                    quota=_megabytes(quota),
                    used=_megabytes(used),
                )
            )
        if count >= current_app.config["EVIDENCE_MAX_ITEMS"]:
            raise UploadError(
                _l(
                    "An application can have at most %(count)s evidence items.",
                    count=current_app.config["EVIDENCE_MAX_ITEMS"],
                )
            )
    stored = get_storage().save(stream, prefix="evidence")
    item = EvidenceItem(
        candidate=candidate,
        application=application,
        kind=kind,
        description=description.strip(),
        document_date=document_date,
        original_filename=name,
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        "evidence.add",
        item,
        actor=actor,
        application_id=application.id if application else None,
        sha256=stored.sha256,
        size=stored.size,
        content_type=content_type,
    )
    return item


def evidence_locked(item: EvidenceItem) -> bool:
    """An item of a submitted application, or a profile document once any application was submitted, is frozen."""
    if item.application is not None:
        return not item.application.is_editable
    return any(not application.is_editable for application in item.candidate.applications)


def remove_evidence(item: EvidenceItem, *, actor: User) -> None:
    if evidence_locked(item):
        raise UploadError(_l("This evidence belongs to a submitted application and can no longer be removed."))
    key = item.storage_key
    audit.record("evidence.remove", item, actor=actor, sha256=item.sha256, filename=item.original_filename)
    db.session.delete(item)
    db.session.flush()
    # The file goes only once the deletion has committed: a failed commit keeps both row and file.
    delete_after_commit(key)


def add_profile_document(
    candidate: CandidateProfile,
    stream: BinaryIO,
    filename: str | None,
    *,
    actor: User,
    description: str,
    kind: str = "diploma",
) -> EvidenceItem:
    """A document of the person, not of one application: the one behind an education record, or the proof of a
    change of name (the candidates domain's document store)."""
    return add_evidence(candidate, stream, filename, kind=kind, actor=actor, description=description)


def submission_problems(application: Application) -> list[Any]:
    """What the evidence still lacks for the application to be submitted, in words for the candidate."""
    problems = []
    if not application.evidence:
        problems.append(_l("Upload at least one evidence item."))
    unmapped = [item for item in application.evidence if not item.links]
    if unmapped:
        problems.append(
            _l("Map every evidence item to at least one criterion (%(count)s not mapped).", count=len(unmapped))
        )
    return problems


def set_criteria(item: EvidenceItem, keys: set[str], *, actor: User) -> None:
    application = item.application
    if application is None:
        raise UploadError(_l("Profile documents are not mapped to criteria."))
    if not application.is_editable:
        raise UploadError(_l("The application has been submitted; its evidence can no longer change."))
    unknown = keys - criterion_keys(application.qualification)
    if unknown:
        raise UploadError(_l("Unknown criteria were chosen. Reload the page and try again."))
    if keys == item.criterion_keys:
        return
    item.links = [link for link in item.links if link.criterion_key in keys] + [
        EvidenceLink(criterion_key=key) for key in sorted(keys - item.criterion_keys)
    ]
    audit.record("evidence.map", item, actor=actor, criteria=sorted(keys))
