"""Application verbs: start, submit, decide on an exception, withdraw. None of them commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.candidates.eligibility import MET, NOT_MET, evaluate_eligibility
from certcenter.candidates.models import CandidateProfile
from certcenter.candidates.services import lock_identity, profile_snapshot
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.models import utcnow
from certcenter.core.registry import Registry
from certcenter.extensions import db
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
    application.submitted_at = utcnow()
    lock_identity(application.candidate)
    freeze_criteria(application.qualification)
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
