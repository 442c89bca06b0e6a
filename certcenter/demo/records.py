"""The demo data set's life after the certificate: a holder whose certificate expires in two months (the renewal
window is open: "Renew" on his dashboard, a reminder among his notices; its qualification renews by CPD hours and
has a surveillance check), a person whose withdrawn application is past its retention period and a complaint closed
long ago (the administrator's "Records and retention" page lists them in the dry run)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from certcenter.accounts.services import create_user, user_by_email
from certcenter.applications import workflow
from certcenter.applications.services import start_application, submit_application
from certcenter.assessments import services as assessment
from certcenter.candidates import services as candidates
from certcenter.certificates.models import Certificate
from certcenter.certificates.renewal import send_reminders
from certcenter.certificates.services import issue_certificates
from certcenter.certificates.surveillance import schedule_checks
from certcenter.core.i18n import centre_today
from certcenter.core.models import utcnow
from certcenter.evidence.services import add_evidence, set_criteria
from certcenter.extensions import db
from certcenter.qualifications.criteria import criterion_keys
from certcenter.qualifications.models import CPD, Qualification

HOLDER = "holder@demo.certcenter.kz"
FORMER = "former@demo.certcenter.kz"  # no login: his account is past its retention period


def load_records_demo(password: str, pdf: bytes) -> None:
    _holder_near_expiry(password, pdf)
    _person_past_retention(password)
    _complaint_past_retention()


def _holder_near_expiry(password: str, pdf: bytes) -> None:
    if user_by_email(HOLDER) is not None:
        return
    holder = create_user(HOLDER, "Ержан Серікұлы Ахметов", password, {"candidate"})
    profile = candidates.save_profile(
        holder,
        full_name="Ержан Серікұлы Ахметов",
        full_name_latin="Yerzhan Serikuly Akhmetov",
        iin="850620300166",
        birth_date=date(1985, 6, 20),
        phone="+7 702 300 16 30",
        employer="«Қарағанды Құрылыс» ЖШС",
        position="Дәнекерлеуші",
    )
    candidates.add_education(
        profile,
        actor=holder,
        level="technical_vocational",
        institution="Қарағанды политехникалық колледжі",
        speciality="Дәнекерлеу өндірісі",
        year_completed=2005,
    )
    today = centre_today()
    candidates.add_experience(
        profile,
        actor=holder,
        employer="«Қарағанды Құрылыс» ЖШС",
        position="Электргазбен дәнекерлеуші",
        started_on=date(2006, 4, 1),
        ended_on=None,
    )
    qualification = db.session.scalar(select(Qualification).order_by(Qualification.id))
    qualification.recertification_rule = CPD
    qualification.recertification_cpd_hours = 24
    qualification.surveillance_after_years = 2
    application = start_application(profile, qualification, actor=holder, form_token="demo-holder")
    item = add_evidence(profile, io.BytesIO(pdf), "diploma.pdf", kind="diploma", actor=holder, application=application)
    keys = criterion_keys(qualification)
    set_criteria(item, keys, actor=holder)
    submit_application(application, actor=holder)
    admin = user_by_email("admin@demo.certcenter.kz")
    assignments = []
    for email in ("assessor@demo.certcenter.kz", "assessor2@demo.certcenter.kz"):
        assignment = assessment.assign_assessor(application, user_by_email(email), actor=admin)
        assessment.declare_conflict(assignment, actor=assignment.assessor, conflict=False)
        assignments.append(assignment)
    for assignment in assignments:
        assessment.submit_judgement(
            assignment,
            {
                "reviews": {},
                "ratings": {
                    k: {"rating": "met", "justification": "Көрсетілді.", "evidence_ids": [item.id]} for k in keys
                },
                "results": {
                    "theory": {"percent": 86, "taken_on": today.isoformat()},
                    "practical": {"percent": 91, "taken_on": today.isoformat()},
                },
            },
            actor=assignment.assessor,
        )
    assessment.decide(application, actor=admin, outcome="confirmed")
    (certificate_id,) = issue_certificates([application.id], actor=admin).issued
    certificate = db.session.get(Certificate, certificate_id)
    # issued three years ago, for three years: it expires in two months
    certificate.expires_on = today + timedelta(days=60)
    certificate.issued_on = certificate.expires_on.replace(year=certificate.expires_on.year - 3)
    db.session.flush()
    schedule_checks(today)
    send_reminders(today)


def _person_past_retention(password: str) -> None:
    if user_by_email(FORMER) is not None:
        return
    person = create_user(FORMER, "Бақыт Төлеуұлы Жақсыбеков", password, {"candidate"})
    profile = candidates.save_profile(
        person,
        full_name="Бақыт Төлеуұлы Жақсыбеков",
        full_name_latin="Bakyt Toleuuly Zhaksybekov",
        iin="780911300142",
        birth_date=date(1978, 9, 11),
        phone="+7 705 911 01 48",
        employer=None,
        position=None,
    )
    qualification = db.session.scalar(select(Qualification).order_by(Qualification.id))
    application = start_application(profile, qualification, actor=person, form_token="demo-former")
    workflow.transition(application, workflow.WITHDRAWN, person)
    long_ago = utcnow() - timedelta(days=6 * 365)
    application.state_changed_at = long_ago
    profile.updated_at = long_ago
    person.last_login_at = long_ago
    db.session.flush()
    profile.updated_at = long_ago  # the flush above stamped it again


COMPLAINANT = "complainant@demo.certcenter.kz"


def _complaint_past_retention() -> None:
    """A complaint answered six years ago: its complainant's details and texts are past their period."""
    from certcenter.appeals.models import Complaint
    from certcenter.appeals.services import file_complaint

    if db.session.scalar(select(Complaint.id).where(Complaint.contact_email == COMPLAINANT)) is not None:
        return
    complaint, _secret = file_complaint(
        category="service",
        subject_kind="centre",
        text="Өтінімім туралы хабарламаға бір ай бойы жауап болмады.",
        contact_name="Сәуле Маратқызы Омарова",
        contact_email=COMPLAINANT,
        contact_phone="+7 701 555 12 12",
    )
    long_ago = utcnow() - timedelta(days=6 * 365)
    complaint.created_at = complaint.acknowledge_by = complaint.acknowledged_at = long_ago
    complaint.resolve_by = complaint.closed_at = long_ago + timedelta(days=20)
    complaint.state, complaint.outcome = "closed", "upheld"
    complaint.findings = "Хат жіберілмей қалған; жауап берілді, тәртіп түзетілді."
    complaint.response = "Кешірім сұраймыз: жауап жіберілді, хабарлау тәртібі түзетілді."
    db.session.flush()
