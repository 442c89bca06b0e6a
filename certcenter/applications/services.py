"""Application verbs: start, submit, decide on an exception, withdraw. None of them commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, BinaryIO

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications import policy, workflow
from certcenter.applications.models import Application, NameChangeRequest
from certcenter.candidates.documents import store_document
from certcenter.candidates.eligibility import MET, NEEDS_REVIEW, NOT_MET, evaluate_eligibility
from certcenter.candidates.models import CandidateProfile
from certcenter.candidates.services import lock_identity, profile_snapshot
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_today, localized
from certcenter.core.models import utcnow
from certcenter.core.registry import Registry
from certcenter.core.text import InvisibleText, clean_person_name
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition
from certcenter.framework.services import edition_in_force, last_edition_begun
from certcenter.qualifications.models import Qualification
from certcenter.qualifications.services import freeze_criteria


class ApplicationError(UserError):
    """A refused request about an application."""


# What stands between a draft and its submission, as each domain above sees it (evidence: items uploaded and mapped).
_submission_checks = Registry("applications.submission_checks")


def register_submission_check(app: Flask, name: str, check: Callable[[Application], list[Any]]) -> None:
    _submission_checks.add(app, name, check)


def start_application(
    profile: CandidateProfile, qualification: Qualification, *, actor: User, form_token: str
) -> Application:
    """Open a draft application, or return the one this form already opened (a double click) or the candidate's
    open application for the same qualification (one at a time)."""
    if not qualification.active:
        raise ApplicationError(_l("This qualification is not open for applications."))
    existing = db.session.scalar(select(Application).where(Application.form_token == form_token))
    if existing is not None:
        if existing.candidate_id != profile.id:
            raise ApplicationError(_l("The form has expired. Reload the page and try again."))
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
        edition_id=edition_for_applying(qualification).id,
        state=workflow.DRAFT,
        form_token=form_token,
    )
    db.session.add(application)
    db.session.flush()
    audit.record("application.create", application, actor=actor, qualification=qualification.code)
    return application


def edition_for_applying(qualification: Qualification, day: date | None = None) -> FrameworkEdition:
    """The edition in force on the day of applying, which must be the one the qualification is defined under.
    Where the last edition has been repealed and no successor is loaded, the centre's rule says whether it is still
    applied under (``APPLY_UNDER_REPEALED_EDITION``)."""
    day = day or centre_today()
    own = qualification.level.edition
    in_force = edition_in_force(day)
    if in_force is None:
        if current_app.config["APPLY_UNDER_REPEALED_EDITION"] and last_edition_begun(day) is own:
            return own
        raise ApplicationError(
            _l("No edition of the qualifications framework is in force today: the centre accepts no applications.")
        )
    if in_force.id != own.id:
        raise ApplicationError(
            _l(
                "This qualification is defined under “%(edition)s”, which is not the edition in force today "
                "(“%(in_force)s”): it is not open for applications.",
                edition=localized(own.title),
                in_force=localized(in_force.title),
            )
        )
    return in_force


def submission_problems(application: Application) -> list[Any]:
    """What stands between a draft and its submission, in words for the candidate."""
    return _address_problems(application) + [problem for check in _submission_checks for problem in check(application)]


def _address_problems(application: Application) -> list[Any]:
    """Whoever submits must have proven the address the centre will write to about the application."""
    if application.candidate.user.email_verified:
        return []
    return [_l("Confirm your e-mail address first: open the link we sent to it (the E-mail page sends it again).")]


def submit_application(application: Application, *, actor: User, exception_request: str | None = None) -> None:
    """Freeze the application with its eligibility, the person's identity and the qualification's criteria. An
    ineligible candidate submits with a written request for an exception instead. A second submission of the same
    application (a double click) changes nothing."""
    if application.state != workflow.DRAFT and application.submitted_at is not None and application.is_owner(actor):
        return
    problems = submission_problems(application)
    if problems:
        raise ApplicationError(problems[0])
    application.edition_id = edition_for_applying(application.qualification).id
    eligibility = evaluate_eligibility(application.candidate, application.qualification.level)
    request = (exception_request or "").strip()
    if eligibility.status == NOT_MET and not request:
        raise ApplicationError(
            _l("You do not meet any pathway to this level. Explain why the centre should make an exception."),
            "exception_request",
        )
    application.eligibility_status = eligibility.status
    application.eligibility = eligibility.snapshot()
    application.profile_snapshot = profile_snapshot(application.candidate)
    freeze_identity(application)
    application.submitted_at = utcnow()
    lock_identity(application.candidate)
    application.qualification_version = freeze_criteria(application.qualification)
    if eligibility.status == NOT_MET:
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


def freeze_identity(application: Application) -> None:
    """Capture the person's name (as stored, Cyrillic), Latin name, IIN and date of birth onto the application: what
    its certificate, reports and the register print from now on."""
    profile = application.candidate
    application.identity_name = profile.full_name
    application.identity_name_latin = profile.full_name_latin
    application.identity_iin = profile.iin
    application.identity_birth_date = profile.birth_date


def decide_exception(application: Application, *, actor: User, grant: bool, reason: str) -> None:
    policy.refuse(application, actor, policy.DECIDE_EXCEPTION)
    application.exception_granted = grant
    workflow.transition(
        application,
        workflow.SUBMITTED if grant else workflow.NOT_ELIGIBLE,
        actor,
        reason=reason,
        exception="granted" if grant else "refused",
    )


# Until the decision, a pathway that needs a person's judgement may be resolved.
RESOLVABLE_STATES = frozenset(
    {workflow.SUBMITTED, workflow.IN_ASSESSMENT, workflow.MODERATION, workflow.AWAITING_DECISION}
)


def can_resolve_eligibility(application: Application, user: User) -> bool:
    return (
        application.eligibility_status == NEEDS_REVIEW
        and application.state in RESOLVABLE_STATES
        and policy.ADMINISTRATOR in policy.case_roles(application, user)
        and policy.may(application, user, policy.RESOLVE_ELIGIBILITY)
    )


def resolve_eligibility(application: Application, *, actor: User, met: bool, reason: str) -> None:
    """An administrator judges the condition of a pathway that needs a person (professional recognition, ...),
    with a written reason: the eligibility then reads met or not met, and the recommendation follows it."""
    policy.refuse(application, actor, policy.RESOLVE_ELIGIBILITY)
    if application.eligibility_status != NEEDS_REVIEW or application.state not in RESOLVABLE_STATES:
        raise ApplicationError(
            _l("Only an eligibility that needs a person's judgement is resolved, before the decision.")
        )
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_l("Write the reason for your judgement."), "reason")
    status = MET if met else NOT_MET
    eligibility = dict(application.eligibility or {})
    pending = [p["code"] for p in eligibility.get("pathways", []) if p.get("met") is None]
    if met and pending and not eligibility.get("met_pathway"):
        eligibility["met_pathway"] = pending[0]
    eligibility["status"] = status
    eligibility["resolution"] = {
        "status": status,
        "pathways": pending,
        "reason": reason,
        "by": actor.full_name,
        "by_id": actor.id,
        "at": utcnow().isoformat(),
    }
    application.eligibility = eligibility
    application.eligibility_status = status
    db.session.flush()
    audit.record("application.eligibility_resolve", application, actor=actor, eligibility=status, reason=reason)


def withdraw_application(application: Application, *, actor: User, reason: str | None = None) -> None:
    workflow.transition(application, workflow.WITHDRAWN, actor, reason=reason)


# --- a change of the name frozen at submission ------------------------------------------------------------------------


def named_applications(profile: CandidateProfile) -> list[Application]:
    """The person's applications that carry a frozen name (submitted), which a name change reaches."""
    return [application for application in profile.applications if application.identity_name is not None]


def request_name_change(
    profile: CandidateProfile,
    *,
    actor: User,
    full_name: str,
    full_name_latin: str,
    explanation: str,
    stream: BinaryIO,
    filename: str | None,
) -> NameChangeRequest:
    """The person asks for a new name on his submitted applications (and the certificates issued from now on),
    with the document that shows it (checked and stored like any uploaded document)."""
    applications = named_applications(profile)
    if not applications:
        raise ApplicationError(_l("Nothing is frozen yet: change the name in your profile."))
    if any(request.status == "pending" for request in profile.name_changes):
        raise ApplicationError(_l("Your earlier request for a change of name is still being considered."))
    names = {}
    for field, value in (("full_name", full_name), ("full_name_latin", full_name_latin)):
        try:
            names[field] = clean_person_name(value)
        except InvisibleText as exc:
            raise ApplicationError(exc.message, field) from None
        if not names[field]:
            raise ApplicationError(_l("Enter the new name."), field)
    current = applications[0]
    if (names["full_name"], names["full_name_latin"]) == (current.holder_name, current.holder_name_latin):
        raise ApplicationError(_l("This is the name your applications already carry."), "full_name")
    document = store_document(
        profile,
        stream,
        filename,
        actor=actor,
        description=str(_l("Document supporting a change of name")),
        kind="other",
    )
    request = NameChangeRequest(
        candidate=profile,
        full_name=names["full_name"],
        full_name_latin=names["full_name_latin"],
        previous_name=current.holder_name,
        previous_name_latin=current.holder_name_latin,
        explanation=explanation.strip(),
        document_id=document.id,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "application.name_change_request",
        request,
        actor=actor,
        full_name=request.full_name,
        full_name_latin=request.full_name_latin,
        document_id=document.id,
    )
    return request


def may_decide_name_change(request: NameChangeRequest, user: User) -> bool:
    return all(
        policy.may(application, user, policy.DECIDE_NAME_CHANGE)
        for application in named_applications(request.candidate)
    )


def decide_name_change(request: NameChangeRequest, *, actor: User, approve: bool, reason: str = "") -> None:
    """An administrator (never the person himself) approves the new name onto every submitted application of the
    person, where certificates issued or reissued from now on print it, or refuses it with a reason."""
    applications = named_applications(request.candidate)
    for application in applications:
        policy.refuse(application, actor, policy.DECIDE_NAME_CHANGE)
    if request.status != "pending":
        raise ApplicationError(_l("This request has already been decided."))
    reason = reason.strip()
    if not approve and not reason:
        raise ApplicationError(_l("Write the reason for refusing the change of name."), "reason")
    request.status = "approved" if approve else "refused"
    request.decided_by, request.decided_at, request.decision_reason = actor, utcnow(), reason or None
    if approve:
        for application in applications:
            application.identity_name = request.full_name
            application.identity_name_latin = request.full_name_latin
    db.session.flush()
    audit.record(
        "application.name_change_approve" if approve else "application.name_change_refuse",
        request,
        actor=actor,
        full_name=request.full_name,
        full_name_latin=request.full_name_latin,
        application_ids=[application.id for application in applications] if approve else [],
        reason=reason or None,
    )
