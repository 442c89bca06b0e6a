"""The demo data set loaded by ``make run``: one account per role, ready to sign in."""

from __future__ import annotations

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE
from certcenter.accounts.services import create_user, user_by_email

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
    """Create the demo accounts that do not exist yet (idempotent)."""
    for role, email in DEMO_USERS:
        if user_by_email(email) is None:
            create_user(email, DEMO_NAMES[email], DEMO_PASSWORD, {role})
    return DEMO_USERS
