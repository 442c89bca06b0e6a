"""Confirmed applications made through the services (fast), ready for their certificates."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications import services as applications
from certcenter.applications.models import Application
from certcenter.assessments import services as assessment
from certcenter.candidates import services as candidates
from certcenter.evidence import services as evidence
from certcenter.extensions import db
from certcenter.qualifications.criteria import criterion_keys
from certcenter.qualifications.models import Qualification
from tests import samples
from tests.conftest import UserFactory, require_service
from tests.samples import make_iin

KAZAKH_LETTERS = "Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі"


def confirm_application(
    app,
    make_user: UserFactory,
    *,
    code: str = "WELD-3",
    full_name: str = "Нұржан Болатұлы Үсенов",
    full_name_latin: str = "Nurzhan Bolatuly Ussenov",
    serial: int = 100,
    moderated: bool = False,
) -> int:
    """Candidate -> submitted application -> two judgements, all "met" -> confirmed by a third person."""
    candidate = make_user("candidate")
    assessors = [make_user("assessor"), make_user("assessor")]
    admin, decider = make_user("administrator"), make_user("administrator")
    with app.test_request_context():
        user = db.session.get(User, candidate.id)
        profile = candidates.save_profile(
            user,
            full_name=full_name,
            full_name_latin=full_name_latin,
            iin=make_iin(date(1990, 5, 15), serial=serial),
            birth_date=date(1990, 5, 15),
            phone="+7 701 000 00 00",
            employer=None,
            position=None,
        )
        candidates.add_education(
            profile, actor=user, level="general_secondary", institution="Мектеп", speciality="", year_completed=2007
        )
        qualification = db.session.scalar(select(Qualification).where(Qualification.code == code))
        application = applications.start_application(profile, qualification, actor=user, form_token=f"t{serial}")
        item = evidence.add_evidence(
            profile, io.BytesIO(samples.PDF), "d.pdf", kind="diploma", actor=user, application=application
        )
        keys = criterion_keys(qualification)
        evidence.set_criteria(item, keys, actor=user)
        applications.submit_application(application, actor=user)
        admin_user = db.session.get(User, admin.id)
        for assessor in assessors:
            assignment = assessment.assign_assessor(application, db.session.get(User, assessor.id), actor=admin_user)
            assessment.declare_conflict(assignment, actor=assignment.assessor, conflict=False)
        data = {
            "reviews": {},
            "ratings": {key: {"rating": "met", "justification": "Shown.", "evidence_ids": [item.id]} for key in keys},
            "results": {
                "theory": {"percent": 90, "taken_on": "2026-11-20"},
                "practical": {"percent": 90, "taken_on": "2026-11-20"},
            },
        }
        for number, assignment in enumerate(list(application.assignments)):
            if moderated and number == 1:  # the second assessor rates the first criterion lower: moderation
                lower = data["ratings"][min(keys)] | {"rating": "partially_met"}
                data = data | {"ratings": data["ratings"] | {min(keys): lower}}
            assessment.submit_judgement(assignment, data, actor=assignment.assessor)
        if moderated:  # an independent moderator, picked by the administrator, declares and moderates (#13)
            from certcenter.accounts.services import create_user

            moderator = create_user(
                f"moderator{serial}@example.kz", "Модератор Тәуелсіз", "correct-horse-9", {"assessor"}
            )
            picked = assessment.pick_moderator(application, moderator, actor=admin_user)
            assessment.declare_moderator_conflict(picked, actor=moderator, conflict=False)
            assessment.moderate(
                application, min(keys), actor=moderator, rating="met", reason="The welding sample shows it in full."
            )
        assessment.decide(application, actor=db.session.get(User, decider.id), outcome="confirmed")
        db.session.commit()
        return application.id


@pytest.fixture
def confirmed(app, catalogue, make_user):
    def _make(count: int = 1, **kwargs) -> list[int]:
        start = getattr(_make, "serial", 100)
        ids = [confirm_application(app, make_user, serial=start + index, **kwargs) for index in range(count)]
        _make.serial = start + count
        return ids

    return _make


def application_state(app, application_id):
    with app.app_context():
        return db.session.get(Application, application_id).state


def pdftotext(pdf: bytes, tmp_path) -> str:
    require_service(shutil.which("pdftotext") is not None, "pdftotext is missing (apt-get install poppler-utils)")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
