"""Fixtures of the report tests: a small fixed data set whose statistics are worked out by hand (see
test_statistics.py for the story of each application)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from certcenter.accounts.models import User
from certcenter.applications.models import Application, ApplicationEvent
from certcenter.assessments.models import Assignment, CriterionRating, Decision, FinalRating
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates.models import Certificate
from certcenter.extensions import db
from certcenter.qualifications.models import Qualification
from tests.samples import make_iin


def at(month: int, day: int, hour: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def fixed_data(app, catalogue):
    with app.app_context():
        weld, accountant = (
            db.session.get(Qualification, catalogue["WELD-3"]),
            db.session.get(Qualification, catalogue["ACCOUNTANT-4"]),
        )
        admin = User(email="stats-admin@example.kz", full_name="Admin", password_hash="x")
        x, y, z = (User(email=f"{n}@example.kz", full_name=f"Assessor {n}", password_hash="x") for n in "XYZ")
        db.session.add_all([admin, x, y, z])
        apps = {}

        def application(name, qualification, state, submitted_at, events, **fields):
            number = len(apps) + 1
            user = User(email=f"cand{number}@example.kz", full_name=name, password_hash="x")
            profile = CandidateProfile(
                user=user,
                full_name=name,
                full_name_latin=name,
                iin=make_iin(date(1990, 1, number)),
                birth_date=date(1990, 1, number),
                phone="+7 700 000 00 00",
            )
            record = Application(
                candidate=profile,
                qualification=qualification,
                edition_id=qualification.level.edition_id,
                state=state,
                submitted_at=submitted_at,
                **fields,
            )
            for from_state, to_state, moment in events:
                record.events.append(ApplicationEvent(from_state=from_state, to_state=to_state, at=moment))
            apps[name] = record
            db.session.add(record)
            return record

        a1 = application(
            "A1",
            weld,
            "certified",
            at(1, 10),
            [
                ("draft", "submitted", at(1, 10)),
                ("submitted", "in_assessment", at(1, 12)),
                ("in_assessment", "awaiting_decision", at(1, 22)),
                ("awaiting_decision", "confirmed", at(1, 25)),
                ("confirmed", "certified", at(1, 26)),
            ],
        )
        a2 = application(
            "A2",
            weld,
            "in_assessment",
            at(2, 1),
            [
                ("draft", "submitted", at(2, 1)),
                ("submitted", "in_assessment", at(2, 5)),
                ("in_assessment", "moderation", at(2, 15)),
                ("moderation", "awaiting_decision", at(2, 19)),
                ("awaiting_decision", "not_confirmed", at(2, 20)),
                ("not_confirmed", "appealed", at(2, 25)),
                ("appealed", "in_assessment", at(3, 2)),
            ],
        )
        a3 = application(
            "A3",
            accountant,
            "in_assessment",
            at(3, 1),
            [
                ("draft", "exception_requested", at(3, 1)),
                ("exception_requested", "submitted", at(3, 4)),
                ("submitted", "in_assessment", at(3, 6)),
            ],
            exception_request="Twenty years in the trade",
            exception_granted=True,
        )
        application(
            "A4",
            accountant,
            "not_eligible",
            at(12, 31, 20, year=2025),
            [
                ("draft", "exception_requested", at(12, 31, 20, year=2025)),
                ("exception_requested", "not_eligible", at(1, 3)),
            ],
            exception_request="Please",
            exception_granted=False,
        )
        a5 = application(
            "A5",
            accountant,
            "confirmed",
            at(12, 15, year=2025),
            [
                ("draft", "submitted", at(12, 15, year=2025)),
                ("submitted", "in_assessment", at(12, 20, year=2025)),
                ("in_assessment", "awaiting_decision", at(1, 5)),
                ("awaiting_decision", "confirmed", at(1, 7)),
            ],
        )
        application("A6", weld, "submitted", at(4, 5), [("draft", "submitted", at(4, 5))])
        application("A7", accountant, "draft", None, [])
        application(
            "A8",
            weld,
            "appealed",
            at(11, 1, year=2025),
            [("not_confirmed", "appealed", at(12, 1, year=2025))],
        )
        db.session.flush()

        def decide(record, outcome, moment):
            decision = Decision(
                application=record,
                edition_id=record.edition_id,
                outcome=outcome,
                recommended_outcome=outcome,
                decided_by=admin,
                decided_at=moment,
                snapshot={},
            )
            db.session.add(decision)
            return decision

        d1, _d2, d5 = (
            decide(a1, "confirmed", at(1, 25)),
            decide(a2, "not_confirmed", at(2, 20)),
            decide(a5, "confirmed", at(1, 7)),
        )
        for record, assessor, status, moment in [
            (a1, x, "submitted", at(1, 12)),
            (a1, y, "submitted", at(1, 12)),
            (a2, x, "submitted", at(2, 5)),
            (a2, z, "submitted", at(2, 5)),
            (a3, y, "active", at(3, 6)),
            (a3, z, "conflict", at(3, 6)),
            (a5, x, "submitted", at(12, 20, year=2025)),
            (a5, y, "submitted", at(12, 20, year=2025)),
        ]:
            db.session.add(Assignment(application=record, assessor=assessor, status=status, assigned_at=moment))
        db.session.flush()
        # what each assessor rated (the first named was assigned first): see tests/reports/test_kappa.py
        met, partly, not_met = "met", "partially_met", "not_met"
        for record, ratings in [
            (a1, {"descriptor:competence": (met, met), "descriptor:skills": (met, met)}),
            (a1, {"descriptor:knowledge": (met, met), "unit:1": (met, partly)}),
            (a2, {"descriptor:competence": (met, met), "descriptor:skills": (met, partly)}),
            (a2, {"descriptor:knowledge": (partly, not_met), "unit:1": (met, met)}),
            (a5, {"descriptor:competence": (met, met), "descriptor:skills": (met, met)}),
            (a5, {"descriptor:knowledge": (met, met), "unit:1": (met, met)}),
        ]:
            first, second = sorted(record.assignments, key=lambda assignment: assignment.id)
            for key, (one, other) in ratings.items():
                db.session.add(CriterionRating(assignment=first, criterion_key=key, rating=one))
                db.session.add(CriterionRating(assignment=second, criterion_key=key, rating=other))
        unit = "unit:1"
        for record, agreed in [
            (a1, {"descriptor:competence": True, "descriptor:skills": True, "descriptor:knowledge": True, unit: False}),
            (
                a2,
                {"descriptor:competence": True, "descriptor:skills": False, "descriptor:knowledge": False, unit: True},
            ),
            (a5, {"descriptor:competence": True, "descriptor:skills": True, "descriptor:knowledge": True, unit: True}),
        ]:
            for key, value in agreed.items():
                db.session.add(FinalRating(application=record, criterion_key=key, agreed=value, rating="met"))

        def certificate(record, decision, generation, issued_on, expires_on, status="valid", changed=None):
            db.session.add(
                Certificate(
                    decision=decision,
                    generation=generation,
                    application=record,
                    number=f"T-{record.id}-{generation}",
                    verification_code=f"code-{record.id}-{generation}",
                    holder_name="H",
                    holder_name_latin="H",
                    iin_last4="0000",
                    qualification_code=record.qualification.code,
                    qualification_title={"kk": "t"},
                    nqf_level=record.qualification.level.number,
                    edition_code="e",
                    edition_title={"kk": "e"},
                    centre={},
                    decided_on=issued_on,
                    issued_on=issued_on,
                    expires_on=expires_on,
                    status=status,
                    status_reason="fraud" if status == "revoked" else None,
                    status_changed_at=changed,
                    render_status="ready",
                )
            )

        certificate(a1, d1, 1, date(2026, 1, 26), date(2031, 1, 26))
        certificate(a5, d5, 1, date(2025, 6, 1), date(2030, 6, 1), "suspended", at(2, 10))
        certificate(a5, d5, 2, date(2026, 2, 1), date(2026, 5, 15))
        certificate(a1, d1, 2, date(2026, 1, 26), date(2031, 1, 26), "revoked", at(3, 3))
        db.session.commit()
    return apps
