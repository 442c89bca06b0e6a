"""Candidate verbs: profile, education, experience, applications. None of them commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.assessments import workflow
from certcenter.candidates.eligibility import MET, NOT_MET, evaluate_eligibility, experience_days
from certcenter.candidates.iin import InvalidIIN, parse_iin
from certcenter.candidates.models import Application, CandidateProfile, EducationRecord, ExperienceRecord
from certcenter.core import audit
from certcenter.core.i18n import centre_today
from certcenter.core.models import utcnow
from certcenter.core.text import InvisibleText, clean_person_name
from certcenter.extensions import db
from certcenter.qualifications.models import Qualification


class CandidateError(ValueError):
    """A refused request, with a message for the user and, where it belongs to one, the form field."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


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
    if profile is not None and profile.iin != parsed.number and _submitted(profile):
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


def _submitted(profile: CandidateProfile) -> bool:
    return any(application.state != workflow.DRAFT for application in profile.applications)


def add_education(
    profile: CandidateProfile,
    *,
    actor: User,
    level: str,
    institution: str,
    speciality: str,
    year_completed: int,
    document=None,
) -> EducationRecord:
    record = EducationRecord(
        candidate=profile,
        level=level,
        institution=institution.strip(),
        speciality=(speciality or "").strip(),
        year_completed=year_completed,
        document=document,
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


def start_application(
    profile: CandidateProfile, qualification: Qualification, *, actor: User, form_token: str
) -> Application:
    """Open a draft application, or return the one this form already opened (a double click) or the candidate's
    open application for the same qualification (one at a time)."""
    if not qualification.active:
        raise CandidateError(_l("This qualification is not open for applications."))
    existing = db.session.scalar(select(Application).where(Application.form_token == form_token))
    if existing is not None:
        if existing.candidate_id != profile.id:
            raise CandidateError(_l("The form has expired. Reload the page and try again."))
        return existing
    open_application = next(
        (
            application
            for application in profile.applications
            if application.qualification_id == qualification.id
            and application.state not in workflow.FINAL_STATES
            and application.state != workflow.NOT_CONFIRMED
        ),
        None,
    )
    if open_application is not None:
        return open_application
    application = Application(
        candidate=profile,
        qualification=qualification,
        edition_id=qualification.level.edition_id,
        state=workflow.DRAFT,
        form_token=form_token,
    )
    db.session.add(application)
    db.session.flush()
    audit.record("application.create", application, actor=actor, qualification=qualification.code)
    return application


def submission_problems(application: Application) -> list[Any]:
    """What stands between a draft and its submission, in words for the candidate."""
    problems = []
    if not application.evidence:
        problems.append(_l("Upload at least one evidence item."))
    unmapped = [item for item in application.evidence if not item.links]
    if unmapped:
        problems.append(
            _l("Map every evidence item to at least one criterion (%(count)s not mapped).", count=len(unmapped))
        )
    return problems


def submit_application(application: Application, *, actor: User, exception_request: str | None = None) -> None:
    """Freeze the application with its eligibility. An ineligible candidate submits with a written request for an
    exception instead. A second submission of the same application (a double click) changes nothing."""
    if application.state != workflow.DRAFT and application.submitted_at is not None and application.is_owner(actor):
        return
    problems = submission_problems(application)
    if problems:
        raise CandidateError(problems[0])
    eligibility = evaluate_eligibility(application.candidate, application.qualification.level)
    application.eligibility_status = eligibility.status
    application.eligibility = eligibility.snapshot()
    application.profile_snapshot = profile_snapshot(application.candidate)
    application.submitted_at = utcnow()
    if eligibility.status == NOT_MET:
        request = (exception_request or "").strip()
        if not request:
            raise CandidateError(
                _l("You do not meet any pathway to this level. Explain why the centre should make an exception."),
                "exception_request",
            )
        application.exception_request = request
        workflow.transition(application, workflow.EXCEPTION_REQUESTED, actor, reason=request)
    else:
        workflow.transition(
            application,
            workflow.SUBMITTED,
            actor,
            eligibility=eligibility.status,
            pathway=eligibility.met_pathway.code if eligibility.status == MET else None,
        )


def decide_exception(application: Application, *, actor: User, grant: bool, reason: str) -> None:
    application.exception_granted = grant
    workflow.transition(
        application,
        workflow.SUBMITTED if grant else workflow.NOT_ELIGIBLE,
        actor,
        reason=reason,
        exception="granted" if grant else "refused",
    )


def withdraw_application(application: Application, *, actor: User, reason: str | None = None) -> None:
    workflow.transition(application, workflow.WITHDRAWN, actor, reason=reason)


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
