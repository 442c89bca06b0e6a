"""The demo data set loaded by ``make run``: accounts for each role, the qualification catalogue, a candidate with a
profile, education and experience, ready to apply, a second candidate whose application waits for the two demo
assessors (each to declare conflicts of interest, then to judge), and the appeals (``demo/appeals.py``)."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE
from certcenter.accounts.services import create_user, user_by_email
from certcenter.applications.services import start_application, submit_application
from certcenter.assessments.services import assign_assessor
from certcenter.candidates import services as candidates
from certcenter.evidence.services import add_evidence, set_criteria
from certcenter.extensions import db
from certcenter.qualifications.criteria import criterion_keys
from certcenter.qualifications.models import Qualification
from certcenter.qualifications.services import DATA_DIR, load_catalogue

DEMO_PASSWORD = "demo-password"

DEMO_USERS = [
    (ADMINISTRATOR, "admin@demo.certcenter.kz"),
    (ASSESSOR, "assessor@demo.certcenter.kz"),
    (ASSESSOR, "assessor2@demo.certcenter.kz"),
    (CANDIDATE, "candidate@demo.certcenter.kz"),
    (CANDIDATE, "aigerim@demo.certcenter.kz"),
    (CANDIDATE, "holder@demo.certcenter.kz"),
    (CANDIDATE, "daniyar@demo.certcenter.kz"),
    (CANDIDATE, "marat@demo.certcenter.kz"),
    (CANDIDATE, "asel@demo.certcenter.kz"),
    (ASSESSOR, "panel@demo.certcenter.kz"),
]

DEMO_NAMES = {
    "admin@demo.certcenter.kz": "Әлия Серікқызы Нұрланова",
    "assessor@demo.certcenter.kz": "Ғалым Қайратұлы Өмірбеков",
    "assessor2@demo.certcenter.kz": "Ирина Викторовна Ким",
    "candidate@demo.certcenter.kz": "Нұржан Болатұлы Үсенов",
    "aigerim@demo.certcenter.kz": "Айгерім Маратқызы Сапарова",
    "holder@demo.certcenter.kz": "Ержан Серікұлы Ахметов",
    "daniyar@demo.certcenter.kz": "Данияр Асқарұлы Төлеев",
    "marat@demo.certcenter.kz": "Марат Ерланұлы Жұмабаев",
    "asel@demo.certcenter.kz": "Әсел Қанатқызы Бекова",
    "panel@demo.certcenter.kz": "Гүлмира Бекқызы Садықова",
}

# A one-page PDF standing in for a scanned document.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def give_demo_scopes() -> None:
    """The demo assessors' competence: the first for every qualification of the catalogue, the second likewise but
    for accounting by NQF levels and field (the other kind of scope); valid for three years."""
    from certcenter.assessments.competence import AssessorScope, add_scope
    from certcenter.core.i18n import centre_today

    admin = user_by_email("admin@demo.certcenter.kz")
    until = centre_today().replace(year=centre_today().year + 3, day=1)
    qualifications = db.session.scalars(select(Qualification).order_by(Qualification.code)).all()
    for email in ("assessor@demo.certcenter.kz", "assessor2@demo.certcenter.kz"):
        assessor = user_by_email(email)
        if db.session.scalar(select(AssessorScope.id).where(AssessorScope.assessor_id == assessor.id)):
            continue
        second = email.startswith("assessor2")
        for qualification in qualifications:
            if second and qualification.code == "ACCOUNTANT-4":
                continue
            add_scope(
                assessor,
                actor=admin,
                qualification=qualification,
                evidence="Бағалаушы сертификаты (демо) / Сертификат оценщика (демо)",
                valid_until=until,
            )
        if second:
            add_scope(
                assessor,
                actor=admin,
                level_from=3,
                level_to=6,
                field="Бухгалтерский учет",
                evidence="Кәсіби бухгалтер сертификаты (демо) / Сертификат профессионального бухгалтера (демо)",
                valid_until=until,
            )


def load_demo() -> list[tuple[str, str]]:
    """Create what of the demo data set does not exist yet (idempotent)."""
    from certcenter.demo.appeals import load_appeals_demo
    from certcenter.demo.records import HOLDER, load_records_demo

    for role, email in DEMO_USERS:
        if email != HOLDER and user_by_email(email) is None:
            create_user(email, DEMO_NAMES[email], DEMO_PASSWORD, {role})
    load_catalogue(DATA_DIR / "demo-qualifications.yaml")
    give_demo_scopes()
    candidate = user_by_email("candidate@demo.certcenter.kz")
    if candidates.profile_of(candidate) is None:
        profile = candidates.save_profile(
            candidate,
            full_name=DEMO_NAMES[candidate.email],
            full_name_latin="Nurzhan Bolatuly Ussenov",
            iin="900515300127",
            birth_date=date(1990, 5, 15),
            phone="+7 701 555 01 28",
            employer="«Атырау Мұнай Сервис» ЖШС",
            position="Дәнекерлеуші",
        )
        candidates.add_education(
            profile,
            actor=candidate,
            level="general_secondary",
            institution="Атырау қаласының № 12 мектеп-гимназиясы",
            speciality="",
            year_completed=2007,
        )
        candidates.add_education(
            profile,
            actor=candidate,
            level="technical_vocational",
            institution="Атырау политехникалық колледжі",
            speciality="Дәнекерлеу өндірісі",
            year_completed=2010,
        )
        candidates.add_experience(
            profile,
            actor=candidate,
            employer="«Атырау Мұнай Сервис» ЖШС",
            position="Электргазбен дәнекерлеуші",
            started_on=date(2011, 3, 1),
            ended_on=None,
        )
    _application_in_assessment()
    _open_complaint()
    load_records_demo(DEMO_PASSWORD, DEMO_PDF)
    load_appeals_demo(DEMO_PDF)
    return DEMO_USERS


def _open_complaint() -> None:
    """A complaint from a visitor, acknowledged, waiting for an investigator: what the complaints desk looks like."""
    from certcenter.appeals import services as complaints
    from certcenter.appeals.models import Complaint

    if db.session.scalar(select(Complaint.id).limit(1)) is not None:
        return
    complaint, _secret = complaints.file_complaint(
        category="service",
        subject_kind="centre",
        text="Өтінімім екі аптадан бері «бағалауда» тұр, ешкім хабарласпады. Қашан шешім болады?",
        contact_name="Серік Жақыпов",
        contact_email="serik.zh@example.kz",
        language="kk",
    )
    complaints.acknowledge(
        complaint,
        actor=user_by_email("admin@demo.certcenter.kz"),
        note="Шағымыңыз қабылданды, тексерушіні тағайындаймыз.",
    )


def _application_in_assessment() -> None:
    candidate = user_by_email("aigerim@demo.certcenter.kz")
    if candidates.profile_of(candidate) is not None:
        return
    profile = candidates.save_profile(
        candidate,
        full_name=DEMO_NAMES[candidate.email],
        full_name_latin="Aigerim Maratkyzy Saparova",
        iin="880304400124",
        birth_date=date(1988, 3, 4),
        phone="+7 777 120 34 56",
        employer="«Қазақ Логистика» АҚ",
        position="Бухгалтер",
    )
    candidates.add_education(
        profile,
        actor=candidate,
        level="technical_vocational",
        institution="Алматы экономикалық колледжі",
        speciality="Есеп және аудит",
        year_completed=2008,
    )
    candidates.add_experience(
        profile,
        actor=candidate,
        employer="«Қазақ Логистика» АҚ",
        position="Бухгалтер",
        started_on=date(2014, 9, 1),
        ended_on=None,
    )
    qualification = db.session.scalar(select(Qualification).where(Qualification.code == "ACCOUNTANT-4"))
    application = start_application(profile, qualification, actor=candidate, form_token="demo-aigerim")
    keys = criterion_keys(qualification)
    for name, kind, description in (
        ("diploma.pdf", "diploma", "Колледж дипломы"),
        ("reference.pdf", "employer_reference", "Жұмыс берушінің ұсынымы"),
    ):
        item = add_evidence(
            profile,
            io.BytesIO(DEMO_PDF),
            name,
            kind=kind,
            actor=candidate,
            application=application,
            description=description,
        )
        set_criteria(item, keys, actor=candidate)
    submit_application(application, actor=candidate)
    admin = user_by_email("admin@demo.certcenter.kz")
    for email in ("assessor@demo.certcenter.kz", "assessor2@demo.certcenter.kz"):
        assign_assessor(application, user_by_email(email), actor=admin)
