"""The appeals part of the demo data set: a welder told "not confirmed" a week ago, who may still appeal (his
application's page shows the period); a second whose appeal is under way, its panel formed (a member who took no
part in the assessment, waiting to declare his conflicts of interest); and a holder whose certificate the centre
suspended, whose appeal a panel of two hears: both declared, one voted to reinstate it, the other's vote (the demo
panel member's) decides. All assessed by the two demo assessors and decided by the demo administrator, through the
same services a person's clicks go through."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from certcenter.accounts.services import user_by_email
from certcenter.appeals import services as appeals
from certcenter.applications.models import Application
from certcenter.applications.services import start_application, submit_application
from certcenter.assessments import services as assessment
from certcenter.candidates import services as candidates
from certcenter.core.i18n import centre_today
from certcenter.core.models import utcnow
from certcenter.evidence.services import add_evidence, set_criteria
from certcenter.extensions import db
from certcenter.qualifications.criteria import criterion_keys
from certcenter.qualifications.models import Qualification

APPEAL_PERIOD = "daniyar@demo.certcenter.kz"  # not confirmed, within the period to appeal
APPELLANT = "marat@demo.certcenter.kz"  # an appeal under way, its panel formed
SUSPENDED = "asel@demo.certcenter.kz"  # her certificate suspended: her appeal heard by two, one vote cast
PANEL_MEMBER = "panel@demo.certcenter.kz"  # an assessor who took part in neither

# the accounts are made with the others (``demo.small.DEMO_USERS``); their profiles here
PROFILES = {
    APPEAL_PERIOD: ("Данияр Асқарұлы Төлеев", "Daniyar Askaruly Toleyev", "870212300111", date(1987, 2, 12)),
    APPELLANT: ("Марат Ерланұлы Жұмабаев", "Marat Yerlanuly Zhumabayev", "850730300144", date(1985, 7, 30)),
    SUSPENDED: ("Әсел Қанатқызы Бекова", "Assel Kanatkyzy Bekova", "890314440016", date(1989, 3, 14)),
}


def load_appeals_demo(pdf: bytes) -> None:
    _appeal_under_way(pdf)
    _certificate_appeal(pdf)


def _appeal_under_way(pdf: bytes) -> None:
    if candidates.profile_of(user_by_email(APPELLANT)) is not None:
        return
    admin = user_by_email("admin@demo.certcenter.kz")
    _not_confirmed(APPEAL_PERIOD, pdf, days_ago=7)
    application = _not_confirmed(APPELLANT, pdf, days_ago=12)
    candidate = user_by_email(APPELLANT)
    keys = [criterion["key"] for criterion in appeals.contestable_criteria(application)]
    appeal = appeals.lodge_appeal(
        application,
        actor=candidate,
        grounds=(
            "Практикалық тапсырма кезінде дәнекерлеу аппараты ақаулы болды, бұл туралы актіге жазылды. "
            "Тапсырманы басқа күні қайта орындауға рұқсат сұраймын."
        ),
        contested=keys[:1],
        attachment=io.BytesIO(pdf),
        attachment_name="акт-аппарат-ақауы.pdf",
    )
    appeals.seat_member(appeal, user_by_email(PANEL_MEMBER), actor=admin)


def _certificate_appeal(pdf: bytes) -> None:
    """A welder's certificate, suspended by the administrator while a complaint is looked into; her appeal heard by
    the second demo assessor (who voted to reinstate it) and the demo panel member, whose vote decides."""
    from certcenter.certificates import appeals as certificate_appeals
    from certcenter.certificates import services as certificates
    from certcenter.certificates.models import Certificate

    if candidates.profile_of(user_by_email(SUSPENDED)) is not None:
        return
    admin = user_by_email("admin@demo.certcenter.kz")
    application = _not_confirmed(SUSPENDED, pdf, days_ago=30, outcome="confirmed")
    (certificate_id,) = certificates.issue_certificates([application.id], actor=admin).issued
    certificate = db.session.get(Certificate, certificate_id)
    certificates.suspend(
        certificate,
        actor=admin,
        reason="Шағым: сертификат иесінің басқа объектіде жұмыс істегені туралы мәліметтер тексерілуде.",
    )
    holder = user_by_email(SUSPENDED)
    appeal = certificate_appeals.lodge(
        certificate,
        actor=holder,
        grounds=(
            "Шағымда аталған объектіде мен ешқашан жұмыс істемегенмін: жұмыс берушінің анықтамасы қоса беріліп отыр."
        ),
        attachment=io.BytesIO(pdf),
        attachment_name="жұмыс-берушінің-анықтамасы.pdf",
    )
    voter, member = user_by_email("assessor2@demo.certcenter.kz"), user_by_email(PANEL_MEMBER)
    for person in (voter, member):
        seat = appeals.seat_member(appeal, person, actor=admin)
        appeals.declare_member_conflict(seat, actor=person, conflict=False)
    appeals.cast_vote(
        appeal,
        actor=voter,
        outcome="reinstated",
        reasoning="Жұмыс берушінің анықтамасы шағымды жоққа шығарады: ол басқа адам туралы.",
        answer="Сертификатыңыз қайтадан жарамды.",
    )


def _not_confirmed(email: str, pdf: bytes, *, days_ago: int, outcome: str = "not_confirmed") -> Application:
    """A welder's application for WELD-3, judged by both demo assessors (every criterion met; for "not confirmed",
    the practical task below its pass mark) and decided ``outcome`` ``days_ago`` days ago."""
    user = user_by_email(email)
    name, latin, iin, birth = PROFILES[email]
    profile = candidates.save_profile(
        user,
        full_name=name,
        full_name_latin=latin,
        iin=iin,
        birth_date=birth,
        phone="+7 702 300 11 22",
        employer="«Маңғыстау Құрылыс» ЖШС",
        position="Дәнекерлеуші",
    )
    candidates.add_education(
        profile,
        actor=user,
        level="general_secondary",
        institution="Ақтау № 5 мектебі",
        speciality="",
        year_completed=2004,
    )
    candidates.add_experience(
        profile,
        actor=user,
        employer="«Маңғыстау Құрылыс» ЖШС",
        position="Дәнекерлеуші",
        started_on=date(2012, 4, 1),
        ended_on=None,
    )
    qualification = db.session.scalar(select(Qualification).where(Qualification.code == "WELD-3"))
    application = start_application(profile, qualification, actor=user, form_token=f"demo-{email}")
    keys = criterion_keys(qualification)
    item = add_evidence(
        profile, io.BytesIO(pdf), "work-samples.pdf", kind="work_sample", actor=user, application=application
    )
    set_criteria(item, keys, actor=user)
    submit_application(application, actor=user)
    admin = user_by_email("admin@demo.certcenter.kz")
    assessors = [user_by_email(e) for e in ("assessor@demo.certcenter.kz", "assessor2@demo.certcenter.kz")]
    for assessor in assessors:
        assessment.assign_assessor(application, assessor, actor=admin)
    taken_on = (centre_today() - timedelta(days=days_ago + 3)).isoformat()
    for assignment in list(application.assignments):
        assessor = assignment.assessor
        assessment.declare_conflict(assignment, actor=assessor, conflict=False)
        data = {
            "reviews": {str(item.id): dict.fromkeys(("valid", "sufficient", "authentic", "current"), True)},
            "ratings": {
                key: {"rating": "met", "justification": "Жұмыс үлгілерінде көрсетілген.", "evidence_ids": [item.id]}
                for key in keys
            },
            "results": {
                "theory": {"percent": 82, "taken_on": taken_on},
                "practical": {"percent": 41 if outcome == "not_confirmed" else 88, "taken_on": taken_on},
            },
        }
        assessment.submit_judgement(assignment, data, actor=assessor)
    decision = assessment.decide(application, actor=admin, outcome=outcome)
    decision.decided_at = utcnow() - timedelta(days=days_ago)
    db.session.flush()
    return application
