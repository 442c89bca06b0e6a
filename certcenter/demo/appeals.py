"""The appeals part of the demo data set: a welder told "not confirmed" a week ago, who may still appeal (his
application's page shows the period), and a second whose appeal is under way, its panel formed (a member who took no
part in the assessment, waiting to declare his conflicts of interest). Both assessed by the two demo assessors and
decided by the demo administrator, through the same services a person's clicks go through."""

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
PANEL_MEMBER = "panel@demo.certcenter.kz"  # an assessor who took part in neither

# the accounts are made with the others (``demo.small.DEMO_USERS``); their profiles here
PROFILES = {
    APPEAL_PERIOD: ("Данияр Асқарұлы Төлеев", "Daniyar Askaruly Toleyev", "870212300111", date(1987, 2, 12)),
    APPELLANT: ("Марат Ерланұлы Жұмабаев", "Marat Yerlanuly Zhumabayev", "850730300144", date(1985, 7, 30)),
}


def load_appeals_demo(pdf: bytes) -> None:
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


def _not_confirmed(email: str, pdf: bytes, *, days_ago: int) -> Application:
    """A welder's application for WELD-3, judged by both demo assessors (every criterion met, the practical task
    below its pass mark) and decided "not confirmed" ``days_ago`` days ago."""
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
                "practical": {"percent": 41, "taken_on": taken_on},
            },
        }
        assessment.submit_judgement(assignment, data, actor=assessor)
    decision = assessment.decide(application, actor=admin, outcome="not_confirmed")
    decision.decided_at = utcnow() - timedelta(days=days_ago)
    db.session.flush()
    return application
