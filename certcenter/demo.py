"""The demo data set loaded by ``make run``: accounts for each role, the qualification catalogue, and a candidate
with a profile, education and experience, ready to apply."""

from __future__ import annotations

from datetime import date

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE
from certcenter.accounts.services import create_user, user_by_email
from certcenter.candidates import services as candidates
from certcenter.qualifications.services import DATA_DIR, load_catalogue

DEMO_PASSWORD = "demo-password"

DEMO_USERS = [
    (ADMINISTRATOR, "admin@demo.certcenter.kz"),
    (ASSESSOR, "assessor@demo.certcenter.kz"),
    (ASSESSOR, "assessor2@demo.certcenter.kz"),
    (CANDIDATE, "candidate@demo.certcenter.kz"),
]

DEMO_NAMES = {
    "admin@demo.certcenter.kz": "Әлия Серікқызы Нұрланова",
    "assessor@demo.certcenter.kz": "Ғалым Қайратұлы Өмірбеков",
    "assessor2@demo.certcenter.kz": "Ирина Викторовна Ким",
    "candidate@demo.certcenter.kz": "Нұржан Болатұлы Үсенов",
}


def load_demo() -> list[tuple[str, str]]:
    """Create what of the demo data set does not exist yet (idempotent)."""
    for role, email in DEMO_USERS:
        if user_by_email(email) is None:
            create_user(email, DEMO_NAMES[email], DEMO_PASSWORD, {role})
    load_catalogue(DATA_DIR / "demo-qualifications.yaml")
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
    return DEMO_USERS
