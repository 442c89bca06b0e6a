"""Recertification (ISO/IEC 17024, 9.6): from ``RENEWAL_WINDOW_DAYS`` before expiry the holder may renew. The renewal
is an application of its own that follows the qualification's rule: evidence of continued practice for N of the last
M years, CPD hours, or a full reassessment. It carries over the profile, asks only for what the rule needs, is judged
by one assessor unless the rule says two (the same integrity rules: independence, conflicts, a decider who did not
assess), and, when confirmed, gets a certificate in force from the old one's expiry date, which then becomes
"superseded" (``expire_due``). A lapsed certificate is renewed only by reassessment."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications import workflow
from certcenter.applications.models import Application
from certcenter.applications.services import start_application
from certcenter.candidates.services import profile_snapshot
from certcenter.certificates.models import FULL, SHORT, VALID, Certificate, CPDRecord, Renewal
from certcenter.certificates.services import EXPIRING
from certcenter.core import audit
from certcenter.core.errors import UserError
from certcenter.core.i18n import centre_today
from certcenter.core.models import utcnow
from certcenter.extensions import db
from certcenter.notifications.models import Notification
from certcenter.notifications.services import notify_many
from certcenter.qualifications.models import CPD, PRACTICE, REASSESSMENT, Qualification


class RenewalError(UserError):
    """A refused step of a renewal."""


def window_days() -> int:
    return int(current_app.config["RENEWAL_WINDOW_DAYS"])


def window_opens(certificate: Certificate) -> date:
    return certificate.expires_on - timedelta(days=window_days())


def lapsed(certificate: Certificate, today: date | None = None) -> bool:
    return certificate.current_status(today) == "expired"


def open_renewal(certificate: Certificate) -> Renewal | None:
    """A renewal of this certificate still under way, or granted."""
    for renewal in certificate.renewals:
        if renewal.application.state not in (workflow.WITHDRAWN, workflow.NOT_ELIGIBLE, workflow.NOT_CONFIRMED):
            return renewal
    return None


def renewable(certificate: Certificate, today: date | None = None) -> bool:
    """The holder sees "renew": the window is open (or the certificate has lapsed), nothing renews it yet, and it
    is not a replaced, suspended or revoked one."""
    today = today or centre_today()
    status = certificate.current_status(today)
    if status not in (VALID, "expired") or open_renewal(certificate) is not None:
        return False
    return today >= window_opens(certificate)


def qualification_of(certificate: Certificate) -> Qualification:
    return certificate.application.qualification


def route_for(certificate: Certificate, today: date | None = None) -> str:
    if lapsed(certificate, today) or qualification_of(certificate).recertification_rule == REASSESSMENT:
        return FULL
    return SHORT


def start_renewal(certificate: Certificate, *, actor: User, route: str, form_token: str) -> Application:
    """Open the renewal application (a draft carrying over the profile) for the holder."""
    today = centre_today()
    if certificate.application.candidate.user_id != actor.id:
        raise RenewalError(_l("Only the holder can renew his certificate."))
    existing = open_renewal(certificate)
    if existing is not None:
        return existing.application
    if not renewable(certificate, today):
        raise RenewalError(
            _l("The certificate can be renewed from %(date)s.", date=window_opens(certificate).strftime("%d.%m.%Y"))
        )
    if route == SHORT and route_for(certificate, today) == FULL:
        if lapsed(certificate, today):
            raise RenewalError(_l("A lapsed certificate can be renewed only by a full reassessment."))
        raise RenewalError(_l("This qualification is renewed only by a full reassessment."))
    qualification = qualification_of(certificate)
    application = start_application(
        certificate.application.candidate, qualification, actor=actor, form_token=form_token
    )
    if application.renewal is not None or application.state != workflow.DRAFT:
        raise RenewalError(_l("You already have an application for this qualification."))
    renewal = Renewal(
        application=application, certificate=certificate, rule=qualification.recertification_rule, route=route
    )
    db.session.add(renewal)
    db.session.flush()
    audit.record(
        "certificate.renewal_start", certificate, actor=actor, number=certificate.number, application_id=application.id
    )
    return application


def add_cpd(renewal: Renewal, *, actor: User, title: str, provider: str, hours: int, completed_on: date) -> CPDRecord:
    _editable(renewal)
    if not title.strip():
        raise RenewalError(_l("Name the course or activity."), "title")
    if not 1 <= hours <= 1000:
        raise RenewalError(_l("Hours must be between 1 and 1000."), "hours")
    if completed_on > centre_today() or completed_on < renewal.certificate.issued_on:
        raise RenewalError(_l("Only activity since the certificate was issued counts."), "completed_on")
    record = CPDRecord(
        renewal=renewal, title=title.strip(), provider=provider.strip(), hours=hours, completed_on=completed_on
    )
    db.session.add(record)
    db.session.flush()
    audit.record("certificate.renewal_cpd", renewal.application, actor=actor, hours=hours)
    return record


def save_statement(renewal: Renewal, *, actor: User, statement: str) -> None:
    _editable(renewal)
    renewal.practice_statement = statement.strip()


def _editable(renewal: Renewal) -> None:
    if renewal.application.state != workflow.DRAFT:
        raise RenewalError(_l("The renewal has been submitted and can no longer be changed."))


def practice_years(renewal: Renewal, today: date | None = None) -> int:
    """Full years of practice within the rule's window (the last M years), from the profile's experience."""
    today = today or centre_today()
    qualification = qualification_of(renewal.certificate)
    window_start = today.replace(year=today.year - qualification.recertification_practice_window)
    days = 0
    for record in renewal.application.candidate.experience:
        start = max(record.started_on, window_start)
        end = min(record.ended_on or today, today)
        if end > start:
            days += (end - start).days
    return days // 365


def rule_problems(renewal: Renewal, today: date | None = None) -> list[Any]:
    """What the rule still asks for, in words for the holder."""
    qualification = qualification_of(renewal.certificate)
    problems: list[Any] = []
    if renewal.route == FULL:
        return []  # a full reassessment asks for what every application asks (the ordinary submission)
    if renewal.rule == PRACTICE:
        needed = qualification.recertification_practice_years
        window = qualification.recertification_practice_window
        if practice_years(renewal, today) < needed:
            problems.append(
                _l(
                    "The rule asks for practice in %(years)s of the last %(window)s years: add your recent work "
                    "experience to your profile.",
                    years=needed,
                    window=window,
                )
            )
        if not renewal.practice_statement:
            problems.append(_l("Describe your practice since the certificate was issued."))
    elif renewal.rule == CPD and renewal.cpd_hours < qualification.recertification_cpd_hours:
        problems.append(
            _l(
                "The rule asks for %(needed)s hours of professional development; you have recorded %(hours)s.",
                needed=qualification.recertification_cpd_hours,
                hours=renewal.cpd_hours,
            )
        )
    if not renewal.application.evidence:
        problems.append(_l("Upload at least one document that shows your recent practice."))
    return problems


def submit_renewal(renewal: Renewal, *, actor: User) -> None:
    """Submit by the short route: the rule's requirements instead of the eligibility pathways."""
    application = renewal.application
    if application.state != workflow.DRAFT:
        return  # a double click
    if renewal.route == FULL:
        from certcenter.applications.services import submit_application

        submit_application(application, actor=actor)
        return
    problems = rule_problems(renewal)
    if problems:
        raise RenewalError(problems[0])
    facts = {
        "rule": renewal.rule,
        "practice_years": practice_years(renewal),
        "cpd_hours": renewal.cpd_hours,
        "renews": renewal.certificate.number,
    }
    application.eligibility_status = "met"
    application.eligibility = {"status": "met", "renewal": facts}
    application.profile_snapshot = profile_snapshot(application.candidate)
    application.submitted_at = utcnow()
    workflow.transition(application, workflow.SUBMITTED, actor, eligibility="met", renews=renewal.certificate.number)


def assessors_for_renewal(application: Application) -> int | None:
    """The assessors rule (``assessments.register_assessors_rule``): one for the short route unless the rule says
    two; a full reassessment has the ordinary number."""
    renewal = application.renewal
    if renewal is None or renewal.route != SHORT:
        return None
    return application.qualification.recertification_assessors


def renewal_values(application: Application, values: dict[str, Any], validity_years: int) -> dict[str, Any]:
    """A renewal's certificate (called while issuing): it replaces the renewed one and is in force from that one's
    expiry date, or from today for a lapsed one."""
    from certcenter.certificates.services import add_years

    renewal = application.renewal
    if renewal is None:
        return values
    old = renewal.certificate
    start = max(values["issued_on"], old.expires_on)
    return values | {
        "replaces_id": old.id,
        "valid_from": start if start > values["issued_on"] else None,
        "expires_on": add_years(start, validity_years),
    }


def renewed_by(certificate: Certificate) -> Certificate | None:
    """The certificate a granted renewal issued in place of this one."""
    for replacement in certificate.replaced_by:
        if replacement.application.renewal is not None and replacement.status != "revoked":
            return replacement
    return None


# --- reminders --------------------------------------------------------------------------------------------------------


def reminder_days() -> tuple[int, ...]:
    """The one schedule of reminders before expiry (``EXPIRY_REMINDER_DAYS``), furthest first."""
    return tuple(sorted({int(days) for days in current_app.config["EXPIRY_REMINDER_DAYS"]}, reverse=True))


def send_reminders(today: date | None = None) -> int:
    """One notice (``certificate_expiring``, in the app and by e-mail) to each holder whose certificate reaches a step
    of the schedule, say 180, 90, 30 and 7 days before it expires: the nearest step whose day has come, once per
    certificate and step (a day missed is caught up with one notice, not several; a second run tells nobody). A holder
    already renewing it is not reminded. Returns how many were told."""
    today = today or centre_today()
    steps = reminder_days()
    if not steps:
        return 0
    certificates = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.status == VALID,
            Certificate.expires_on >= today,
            Certificate.expires_on <= today + timedelta(days=steps[0]),
        )
        .order_by(Certificate.id)
    ).all()
    if not certificates:
        return 0
    told = {
        (subject_id, (params or {}).get("days"))
        for subject_id, params in db.session.execute(
            select(Notification.subject_id, Notification.params).where(
                Notification.kind == EXPIRING,
                Notification.subject_type == "Certificate",
                Notification.subject_id.in_([str(certificate.id) for certificate in certificates]),
            )
        )
    }
    messages = []
    for certificate in certificates:
        left = (certificate.expires_on - today).days
        step = min(days for days in steps if left <= days)
        if (str(certificate.id), step) in told or open_renewal(certificate) is not None:
            continue
        messages.append(
            (
                certificate.application.candidate.user_id,
                EXPIRING,
                certificate,
                {"days": step, "number": certificate.number, "expires_on": certificate.expires_on.isoformat()},
            )
        )
    notify_many(messages)
    return len(messages)
