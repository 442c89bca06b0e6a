"""Candidate verbs: profile, education, experience. None of them commits."""

from __future__ import annotations

from datetime import date
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.candidates.documents import store_document
from certcenter.candidates.eligibility import experience_days
from certcenter.candidates.iin import InvalidIIN, parse_iin
from certcenter.candidates.models import CandidateProfile, EducationRecord, ExperienceRecord
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_today
from certcenter.core.models import utcnow
from certcenter.core.text import InvisibleText, clean_person_name
from certcenter.extensions import db
from certcenter.framework.vocabulary import EDUCATION_LEVELS


class CandidateError(UserError):
    """A refused change to the person's records."""


def profile_of(user: User) -> CandidateProfile | None:
    return db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))


def save_profile(
    user: User,
    *,
    full_name: str,
    full_name_latin: str,
    iin: str,
    birth_date: date,
    phone: str,
    employer: str | None,
    position: str | None,
) -> CandidateProfile:
    names = {}
    for field, value in (("full_name", full_name), ("full_name_latin", full_name_latin)):
        try:
            names[field] = clean_person_name(value)
        except InvisibleText as exc:
            raise CandidateError(exc.message, field) from None
    try:
        parsed = parse_iin(iin)
    except InvalidIIN as exc:
        raise CandidateError(exc.message, "iin") from None
    if parsed.birth_date != birth_date:
        raise CandidateError(_l("The date of birth does not match the IIN (digits 1–6 and 7)."), "birth_date")
    profile = profile_of(user)
    if profile is not None and profile.iin != parsed.number and profile.identity_locked_at is not None:
        raise CandidateError(_l("The IIN cannot change once an application has been submitted."), "iin")
    taken = db.session.scalar(
        select(CandidateProfile.id).where(CandidateProfile.iin == parsed.number, CandidateProfile.user_id != user.id)
    )
    if taken:
        raise CandidateError(_l("This IIN is already registered to another account."), "iin")
    created = profile is None
    if created:
        profile = CandidateProfile(user=user)
        db.session.add(profile)
    profile.full_name = names["full_name"]
    profile.full_name_latin = names["full_name_latin"]
    profile.iin = parsed.number
    profile.birth_date = parsed.birth_date
    profile.phone = phone.strip()
    profile.employer = (employer or "").strip() or None
    profile.position = (position or "").strip() or None
    db.session.flush()
    audit.record("candidate.profile_create" if created else "candidate.profile_update", profile, actor=user)
    return profile


def experience_total(profile: CandidateProfile) -> int:
    """Days of practical experience up to today, overlapping periods counted once."""
    return experience_days(profile.experience, centre_today())


def lock_identity(profile: CandidateProfile) -> None:
    """The person has submitted an application: the IIN it captured stays (called by the application's submission)."""
    if profile.identity_locked_at is None:
        profile.identity_locked_at = utcnow()


def add_education(
    profile: CandidateProfile,
    *,
    actor: User,
    level: str,
    institution: str,
    speciality: str,
    year_completed: int,
    document: BinaryIO | None = None,
    document_name: str | None = None,
) -> EducationRecord:
    """An education record, with the document behind it (a diploma) if one is given: checked and stored like
    evidence (a refused file raises ``UserError``, and nothing is added)."""
    document_id = None
    if document is not None:
        description = f"{EDUCATION_LEVELS[level].label}: {institution.strip()}"
        document_id = store_document(profile, document, document_name, actor=actor, description=description).id
    record = EducationRecord(
        candidate=profile,
        level=level,
        institution=institution.strip(),
        speciality=(speciality or "").strip(),
        year_completed=year_completed,
        document_id=document_id,
    )
    db.session.add(record)
    db.session.flush()
    audit.record("candidate.education_add", record, actor=actor, level=level)
    return record


def remove_education(record: EducationRecord, *, actor: User) -> None:
    audit.record("candidate.education_remove", record, actor=actor, level=record.level)
    db.session.delete(record)


def add_experience(
    profile: CandidateProfile,
    *,
    actor: User,
    employer: str,
    position: str,
    started_on: date,
    ended_on: date | None,
    description: str = "",
) -> ExperienceRecord:
    if ended_on is not None and ended_on < started_on:
        raise CandidateError(_l("The end date is before the start date."), "ended_on")
    if started_on > centre_today():
        raise CandidateError(_l("The start date is in the future."), "started_on")
    record = ExperienceRecord(
        candidate=profile,
        employer=employer.strip(),
        position=position.strip(),
        started_on=started_on,
        ended_on=ended_on,
        description=(description or "").strip(),
    )
    db.session.add(record)
    db.session.flush()
    audit.record("candidate.experience_add", record, actor=actor)
    return record


def remove_experience(record: ExperienceRecord, *, actor: User) -> None:
    audit.record("candidate.experience_remove", record, actor=actor)
    db.session.delete(record)


def profile_snapshot(profile: CandidateProfile) -> dict[str, Any]:
    """The profile as it was at submission, so later edits never change what the assessors judged."""
    return {
        "full_name": profile.full_name,
        "full_name_latin": profile.full_name_latin,
        "iin": profile.iin,
        "birth_date": profile.birth_date.isoformat(),
        "employer": profile.employer,
        "position": profile.position,
        "education": [
            {
                "level": record.level,
                "institution": record.institution,
                "speciality": record.speciality,
                "year_completed": record.year_completed,
                "document_id": record.document_id,
            }
            for record in profile.education
        ],
        "experience": [
            {
                "employer": record.employer,
                "position": record.position,
                "started_on": record.started_on.isoformat(),
                "ended_on": record.ended_on.isoformat() if record.ended_on else None,
            }
            for record in profile.experience
        ],
    }
