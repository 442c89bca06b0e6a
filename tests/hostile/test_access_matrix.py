"""The access matrix: every route of the app, for every kind of visitor, on objects he owns and objects he does not,
against a declared table of who may get through. Hypothesis draws the combinations; a visitor outside a route's row
must never get a success (2xx, or a redirect other than to the sign-in page).

The table must name every route the app has (a new route without a row fails ``test_the_table_covers_every_route``),
so whoever adds a route decides who may use it."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.candidates.models import EducationRecord, ExperienceRecord
from certcenter.certificates.models import Certificate
from certcenter.core.models import OutboxMail
from certcenter.extensions import db
from certcenter.reports.models import Report
from tests.conftest import TEST_PASSWORD, login

ANON, OWNER, CANDIDATE, ASSESSOR, OUTSIDER, ADMIN = "anonymous", "owner", "candidate", "assessor", "outsider", "admin"
VISITORS = (ANON, OWNER, CANDIDATE, ASSESSOR, OUTSIDER, ADMIN)
EVERYONE = frozenset(VISITORS)
SIGNED_IN = EVERYONE - {ANON}
CANDIDATES = frozenset({OWNER, CANDIDATE})  # any candidate: his own dashboard, profile, applying
ASSESSORS = frozenset({ASSESSOR, OUTSIDER})  # any assessor: his own workspace
ADMINS = frozenset({ADMIN})

# (method, rule) -> who may get through. "owner" is the candidate whose application, evidence, records, certificate
# or report the route's ids name; "candidate" another candidate; "assessor" the assessor assigned to the owner's
# application; "outsider" an assessor who is not.
ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/health"): EVERYONE,
    ("POST", "/language"): EVERYONE,
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): EVERYONE,
    ("GET", "/register"): EVERYONE,
    ("POST", "/register"): EVERYONE,
    ("POST", "/logout"): SIGNED_IN,
    ("GET", "/home"): SIGNED_IN,  # sends each person on to his own start page
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("GET", "/notifications"): SIGNED_IN,
    ("POST", "/notifications/read"): SIGNED_IN,
    # issue #15: the address, password recovery, notice settings; a mailed link's token is its own proof
    ("GET", "/account/email"): SIGNED_IN,
    ("POST", "/account/email"): SIGNED_IN,
    ("POST", "/account/verify/resend"): SIGNED_IN,
    ("GET", "/account/notices"): SIGNED_IN,
    ("POST", "/account/notices"): SIGNED_IN,
    ("GET", "/forgot-password"): EVERYONE,
    ("POST", "/forgot-password"): EVERYONE,
    ("GET", "/reset-password/<token>"): EVERYONE,
    ("POST", "/reset-password/<token>"): EVERYONE,
    ("GET", "/verify-email/<token>"): EVERYONE,
    ("GET", "/notices/unsubscribe/<token>"): EVERYONE,
    ("POST", "/notices/unsubscribe/<token>"): EVERYONE,
    # the embedded mailbox of development
    ("GET", "/dev/mail"): ADMINS,
    ("GET", "/dev/mail/<name>"): ADMINS,
    # the person's own data (his copy, his erasure request) and the privacy notice
    ("GET", "/my-data"): SIGNED_IN,
    ("POST", "/my-data/export"): SIGNED_IN,
    ("GET", "/my-data/export.zip"): SIGNED_IN,
    ("POST", "/my-data/erasure"): SIGNED_IN,
    ("GET", "/privacy"): EVERYONE,
    ("POST", "/privacy/consent"): SIGNED_IN,
    # the framework, the catalogue, verification: public
    ("GET", "/framework/"): EVERYONE,
    ("GET", "/framework/editions"): EVERYONE,
    ("GET", "/framework/<code>/"): EVERYONE,
    ("GET", "/framework/<code>/glossary"): EVERYONE,
    ("GET", "/framework/<code>/levels/<int:number>"): EVERYONE,
    ("GET", "/qualifications"): EVERYONE,
    ("GET", "/qualifications/<int:qualification_id>"): EVERYONE,
    ("GET", "/verify/<code>"): EVERYONE,
    ("POST", "/verify/<code>"): EVERYONE,
    ("GET", "/api/v1/certificates/<code>"): EVERYONE,
    ("GET", "/api/v1/openapi.json"): EVERYONE,
    ("GET", "/.well-known/did.json"): EVERYONE,
    ("GET", "/.well-known/jwks.json"): EVERYONE,
    ("GET", "/did.json"): EVERYONE,
    ("GET", "/problems/<slug>"): EVERYONE,  # what an API error's type means
    ("GET", "/credentials/<code>"): EVERYONE,  # the holder's public link, while he shares it
    ("GET", "/credentials/<code>.json"): EVERYONE,
    ("GET", "/credentials/<code>.jwt"): EVERYONE,
    ("GET", "/credentials/status/<any(revocation, suspension):purpose>"): EVERYONE,
    ("GET", "/reports/charts.css"): EVERYONE,
    # the candidate's own pages
    ("GET", "/dashboard"): CANDIDATES,
    ("GET", "/profile"): CANDIDATES,
    ("POST", "/profile"): CANDIDATES,
    ("GET", "/profile/education"): CANDIDATES,
    ("POST", "/profile/education"): CANDIDATES,
    ("POST", "/profile/education/<int:record_id>/delete"): {OWNER},
    ("GET", "/profile/experience"): CANDIDATES,
    ("POST", "/profile/experience"): CANDIDATES,
    ("POST", "/profile/experience/<int:record_id>/delete"): {OWNER},
    ("GET", "/profile/name-change"): CANDIDATES,
    ("POST", "/profile/name-change"): CANDIDATES,
    ("POST", "/qualifications/<int:qualification_id>/apply"): CANDIDATES,
    ("GET", "/applications/<int:application_id>"): {OWNER, ADMIN},
    ("POST", "/applications/<int:application_id>/submit"): {OWNER},
    ("POST", "/applications/<int:application_id>/withdraw"): {OWNER},
    ("POST", "/applications/<int:application_id>/evidence"): {OWNER},
    ("POST", "/applications/<int:application_id>/evidence/<int:item_id>/criteria"): {OWNER},
    ("POST", "/applications/<int:application_id>/evidence/<int:item_id>/delete"): {OWNER},
    ("GET", "/evidence/<int:item_id>"): {OWNER, ASSESSOR, ADMIN},
    ("GET", "/certificates/<int:certificate_id>.pdf"): {OWNER, ADMIN},
    ("GET", "/certificates/<int:certificate_id>/credential.json"): {OWNER, ADMIN},
    ("GET", "/certificates/<int:certificate_id>/credential.jwt"): {OWNER, ADMIN},
    ("POST", "/certificates/<int:certificate_id>/credential/sharing"): {OWNER},
    # renewal: the holder's alone (the owner's application is not a renewal: his requests find nothing)
    ("POST", "/certificates/<int:certificate_id>/renew"): {OWNER},
    ("GET", "/certificates/<int:certificate_id>/surveillance"): {OWNER},
    ("POST", "/certificates/<int:certificate_id>/surveillance"): {OWNER},
    # an appeal against the certificate's suspension or revocation: the holder's alone
    ("GET", "/certificates/<int:certificate_id>/appeal"): {OWNER},
    ("POST", "/certificates/<int:certificate_id>/appeal"): {OWNER},
    ("GET", "/renewals/<int:application_id>"): {OWNER},
    ("POST", "/renewals/<int:application_id>"): {OWNER},
    ("POST", "/renewals/<int:application_id>/submit"): {OWNER},
    ("GET", "/reports/<int:report_id>"): {OWNER, ADMIN},
    ("GET", "/reports/<int:report_id>/download"): {OWNER, ADMIN},
    ("GET", "/reports/<int:report_id>/status.json"): {OWNER, ADMIN},
    # assessors
    ("GET", "/assess"): ASSESSORS,
    ("GET", "/assess/<int:assignment_id>"): {ASSESSOR},
    ("POST", "/assess/<int:assignment_id>"): {ASSESSOR},
    ("POST", "/assess/<int:assignment_id>/draft"): {ASSESSOR},
    ("POST", "/assess/<int:assignment_id>/submit"): {ASSESSOR},
    # moderation: only the moderator an administrator picked, who is nobody in this world
    ("POST", "/moderation/<int:application_id>"): frozenset(),
    ("POST", "/moderation/<int:application_id>/results"): frozenset(),
    ("GET", "/moderation/<int:application_id>"): frozenset(),
    ("POST", "/moderation/<int:application_id>/declaration"): frozenset(),
    # complaints: the desk is anyone's, the follow link its holder's (the secret is the key); "assessor" investigates
    ("GET", "/complaints/new"): EVERYONE,
    ("POST", "/complaints/new"): EVERYONE,
    ("GET", "/complaints/<reference>/<secret>"): EVERYONE,
    ("GET", "/complaints/handling/<int:complaint_id>"): {ASSESSOR, ADMIN},
    ("GET", "/complaints/handling/<int:complaint_id>/attachment"): {ASSESSOR, ADMIN},
    ("POST", "/complaints/handling/<int:complaint_id>/outcome"): {ASSESSOR},
    # appeals: the candidate lodges against his own decision; "assessor" sits on the panel of the owner's appeal
    ("GET", "/applications/<int:application_id>/appeal"): {OWNER},
    ("POST", "/applications/<int:application_id>/appeal"): {OWNER},
    ("GET", "/appeals/<int:appeal_id>"): {ASSESSOR, ADMIN},
    ("GET", "/appeals/<int:appeal_id>/attachment"): {OWNER, ASSESSOR, ADMIN},
    ("POST", "/appeals/<int:appeal_id>/declaration"): {ASSESSOR},
    ("POST", "/appeals/<int:appeal_id>/vote"): {ASSESSOR},
    # examinations: the bank is any assessor's or administrator's; "assessor" also proctors the owner's sitting
    ("GET", "/exams"): ASSESSORS | ADMINS,
    ("GET", "/exams/analysis"): ADMINS,
    ("POST", "/exams/applications/<int:application_id>/book"): {OWNER},
    ("GET", "/exams/applications/<int:application_id>/scores"): {ASSESSOR, ADMIN},
    ("GET", "/exams/attempts/<int:attempt_id>"): {OWNER},
    ("POST", "/exams/attempts/<int:attempt_id>/answers"): {OWNER},
    ("GET", "/exams/attempts/<int:attempt_id>/state.json"): {OWNER},
    ("POST", "/exams/attempts/<int:attempt_id>/submit"): {OWNER},
    ("POST", "/exams/attempts/<int:attempt_id>/time"): {ASSESSOR, ADMIN},
    ("POST", "/exams/attempts/<int:attempt_id>/void"): {ASSESSOR, ADMIN},
    ("POST", "/exams/bookings/<int:booking_id>/admit"): {ASSESSOR, ADMIN},
    ("POST", "/exams/bookings/<int:booking_id>/cancel"): {OWNER, ADMIN},
    ("POST", "/exams/bookings/<int:booking_id>/code"): {OWNER},
    ("POST", "/exams/bookings/<int:booking_id>/start"): {OWNER},
    ("GET", "/exams/qualifications/<int:qualification_id>/blueprint"): ADMINS,
    ("POST", "/exams/qualifications/<int:qualification_id>/blueprint"): ADMINS,
    ("POST", "/exams/qualifications/<int:qualification_id>/import"): ASSESSORS | ADMINS,
    ("POST", "/exams/qualifications/<int:qualification_id>/import-qti"): ASSESSORS | ADMINS,
    ("GET", "/exams/qualifications/<int:qualification_id>/questions"): ASSESSORS | ADMINS,
    ("GET", "/exams/qualifications/<int:qualification_id>/questions-qti.zip"): ASSESSORS | ADMINS,
    ("GET", "/exams/qualifications/<int:qualification_id>/questions.xlsx"): ASSESSORS | ADMINS,
    ("GET", "/exams/qualifications/<int:qualification_id>/questions/new"): ASSESSORS | ADMINS,
    ("POST", "/exams/qualifications/<int:qualification_id>/questions/new"): ASSESSORS | ADMINS,
    ("GET", "/exams/qualifications/<int:qualification_id>/template.xlsx"): ASSESSORS | ADMINS,
    ("GET", "/exams/qualifications/<int:qualification_id>/transfer"): ASSESSORS | ADMINS,
    ("GET", "/exams/questions/<int:question_id>"): ASSESSORS | ADMINS,
    ("POST", "/exams/questions/<int:question_id>"): ASSESSORS | ADMINS,
    ("POST", "/exams/questions/<int:question_id>/approve"): ASSESSORS | ADMINS,
    ("POST", "/exams/questions/<int:question_id>/retire"): ASSESSORS | ADMINS,
    ("GET", "/exams/reviews"): ASSESSORS,
    ("POST", "/exams/reviews/<int:item_id>"): ASSESSORS,
    ("GET", "/exams/sittings"): ADMINS,
    ("GET", "/exams/sittings/new"): ADMINS,
    ("POST", "/exams/sittings/new"): ADMINS,
    ("GET", "/exams/sittings/<int:sitting_id>"): ADMINS,
    ("GET", "/exams/sittings/<int:sitting_id>/analysis"): ADMINS,
    ("POST", "/exams/sittings/<int:sitting_id>/cancel"): ADMINS,
    ("POST", "/exams/sittings/<int:sitting_id>/close"): {ASSESSOR, ADMIN},
    ("POST", "/exams/sittings/<int:sitting_id>/open"): {ASSESSOR, ADMIN},
    ("GET", "/exams/sittings/<int:sitting_id>/proctor"): {ASSESSOR, ADMIN},
    ("GET", "/exams/sittings/<int:sitting_id>/proctor.json"): {ASSESSOR, ADMIN},
}
ADMIN_PREFIX = "/admin/"  # every administrators' route: administrators only


def allowed(method: str, rule: str) -> frozenset[str]:
    if rule.startswith(ADMIN_PREFIX):
        return ADMINS
    return frozenset(ALLOWED[(method, rule)])


def app_routes(app) -> list[tuple[str, str]]:
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def test_the_table_covers_every_route(app):
    missing = [route for route in app_routes(app) if not route[1].startswith(ADMIN_PREFIX) and route not in ALLOWED]
    assert missing == [], "declare who may use these routes in ALLOWED"
    stale = [route for route in ALLOWED if route not in app_routes(app)]
    assert stale == []


@dataclass
class World:
    clients: dict[str, FlaskClient | None]
    owner_of_certificate: FlaskClient
    ids: dict[str, int | str]  # a URL parameter's name -> an object of the owner's (or a public object)


@pytest.fixture
def world(app, in_assessment, confirmed, make_candidate, make_user, login_as, framework) -> World:
    """The owner's application in assessment with his evidence, records and two assigned assessors; another
    candidate; an assessor of nothing; an administrator; a certificate with its assessment report, owned by the
    candidate of a confirmed application; and the owner's exam, in a sitting the first assessor proctors, with a
    question bank written and approved by two others."""
    from certcenter.certificates.services import issue_certificates

    scene = in_assessment()
    (confirmed_id,) = confirmed(1)
    with app.app_context():
        application = db.session.get(Application, scene.application_id)
        certified = db.session.get(Application, confirmed_id)
        admin_user = db.session.get(User, scene.admin.user.id)
        issue_certificates([confirmed_id], actor=admin_user)
        db.session.commit()
        holder_email = certified.candidate.user.email
        certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == confirmed_id))
        report = db.session.scalar(select(Report).where(Report.application_id == confirmed_id))
        profile = application.candidate
        ids = {
            "application_id": application.id,
            "item_id": application.evidence[0].id,
            "assignment_id": scene.assignment_ids[0],
            "qualification_id": application.qualification_id,
            "candidate_id": profile.id,
            "certificate_id": certificate.id,
            "report_id": report.id,
            "code": certificate.verification_code,
            "number": 3,
            "pathway": "3.1",  # a framework edition's pathway, by its code
            "unit_id": application.qualification.units[0].id,
            "user_id": profile.user_id,
            "action": "suspend",
            "purpose": "revocation",
            "slug": "not-found",
            # administrators' objects behind /admin/ routes (a change of name, an assessor's scope): the role is
            # checked before the object is looked up
            "request_id": 1,
            "scope_id": 1,
            # the outbox holds the mails the scene sent (the notices of its moves)
            "mail_id": db.session.scalar(select(OutboxMail.id).order_by(OutboxMail.id)),
        }
        edition_code = application.edition.code
        ids["edition"] = edition_code
        ids.update(_records_of(application, admin_user))
        ids["check_id"] = _surveillance_of(certificate)
        record_ids = {
            "education": db.session.scalar(
                select(EducationRecord.id).where(EducationRecord.candidate_id == profile.id)
            ),
            "experience": db.session.scalar(
                select(ExperienceRecord.id).where(ExperienceRecord.candidate_id == profile.id)
            ),
        }
    ids.update({f"record:{kind}": value for kind, value in record_ids.items()})
    ids.update(_exam_of(app, scene, make_user))
    ids["complaint_id"] = _complaint_investigated_by(app, scene.assessors[0].user.id, scene.admin.user.id)
    ids["appeal_id"] = _appeal_heard_by(app, scene.application_id, scene.assessors[0].user.id)
    holder = app.test_client()
    assert login(holder, holder_email, TEST_PASSWORD).status_code == 302
    clients = {
        ANON: app.test_client(),
        OWNER: scene.candidate,
        CANDIDATE: make_candidate(education=["general_secondary"], years=1),
        ASSESSOR: scene.assessors[0],
        OUTSIDER: login_as("assessor"),
        ADMIN: login_as("admin"),
    }
    return World(clients, holder, ids)


def _complaint_investigated_by(app, investigator_id: int, admin_id: int) -> int:
    from certcenter.appeals import services as complaints

    with app.app_context():
        complaint, _secret = complaints.file_complaint(
            category="service", subject_kind="centre", text="Жауап келмеді.", contact_name="Бейтаныс", contact_phone="1"
        )
        complaints.assign_investigator(
            complaint, db.session.get(User, investigator_id), actor=db.session.get(User, admin_id)
        )
        db.session.commit()
        return complaint.id


def _appeal_heard_by(app, application_id: int, member_id: int) -> int:
    """An appeal of the owner's, with a document, whose panel seats "assessor" (rows no route would write: he
    assessed the case)."""
    from datetime import timedelta

    from certcenter.appeals.models import MEMBER_ACTIVE, UNDER_REVIEW, Appeal, AppealPanelMember
    from certcenter.core.models import utcnow
    from certcenter.core.storage import get_storage
    from tests import samples

    with app.app_context():
        application = db.session.get(Application, application_id)
        stored = get_storage().save(io.BytesIO(samples.PDF), prefix="appeals")
        appeal = Appeal(
            application=application,
            lodged_by_id=application.candidate.user_id,
            grounds="Шешіммен келіспеймін.",
            contested=[],
            state=UNDER_REVIEW,
            decide_by=utcnow() + timedelta(days=30),
            attachment_name="new.pdf",
            attachment_type="application/pdf",
            attachment_size=stored.size,
            attachment_sha256=stored.sha256,
            attachment_key=stored.key,
        )
        appeal.members.append(AppealPanelMember(user_id=member_id, status=MEMBER_ACTIVE))
        db.session.add(appeal)
        db.session.commit()
        return appeal.id


def _records_of(application, admin_user) -> dict[str, int]:
    """A legal hold on the owner's application and his request to erase his account."""
    from certcenter.records.models import ErasureRequest, LegalHold

    hold = LegalHold(application_id=application.id, ground="court", reason="Case", placed_by_id=admin_user.id)
    erasure = ErasureRequest(user_id=application.candidate.user_id)
    db.session.add_all([hold, erasure])
    db.session.commit()
    return {"hold_id": hold.id, "request_id": erasure.id}


def _surveillance_of(certificate) -> int:
    """The holder's surveillance check, open now."""
    from certcenter.certificates.models import SurveillanceCheck

    check = SurveillanceCheck(certificate_id=certificate.id, due_on=certificate.issued_on)
    db.session.add(check)
    db.session.commit()
    return check.id


def _exam_of(app, scene, make_user) -> dict[str, int]:
    from certcenter.exams.models import Booking
    from tests.exams.conftest import make_bank, schedule

    with app.app_context():
        qualification_id = db.session.get(Application, scene.application_id).qualification_id
    bank = make_bank(app, qualification_id, make_user("assessor"), make_user("administrator"))
    proctor = scene.assessors[0]
    sitting_id = schedule(app, bank, proctor.user.id, scene.admin.user.id)
    assert (
        scene.candidate.post(
            f"/exams/applications/{scene.application_id}/book", data={"sitting_id": sitting_id}
        ).status_code
        == 302
    )
    with app.app_context():
        booking_id = db.session.scalar(select(Booking.id).where(Booking.application_id == scene.application_id))
    assert proctor.post(f"/exams/sittings/{sitting_id}/open").status_code == 302
    assert proctor.post(f"/exams/bookings/{booking_id}/admit").status_code == 302
    started = scene.candidate.post(f"/exams/bookings/{booking_id}/start")
    assert started.status_code == 302
    return {
        "sitting_id": sitting_id,
        "booking_id": booking_id,
        "attempt_id": int(started.headers["Location"].rsplit("/", 1)[1]),
        "question_id": bank.question_ids[0],
    }


CHOICES = ("action", "number", "purpose", "slug")  # parameters that choose among a few words, not an object


def names_an_object(rule: str) -> bool:
    return any(name not in CHOICES for name in PARAMETER.findall(rule))


PARAMETER = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>")
MISSING_ID = 987654  # an id of nothing


def url_for_rule(rule: str, ids: dict, *, existing: bool) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "record_id":
            name = "record:education" if "/education/" in rule else "record:experience"
        if name in ("token", "name"):  # a signed token, a mailbox file: never guessed, so never an object
            return f"no-such-{name}"
        if name == "code" and rule.startswith("/framework/"):
            return str(ids["edition"]) if existing else "no-such-edition"
        if not existing and name not in CHOICES:
            return "no-such-code" if name == "code" else str(MISSING_ID)
        return str(ids[name])

    return PARAMETER.sub(value, rule)


def succeeded(response) -> bool:
    if response.status_code >= 400:
        return False
    if 300 <= response.status_code < 400:
        return not urlsplit(response.headers.get("Location", "")).path.startswith("/login")
    return True


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_nobody_outside_a_routes_row_gets_through(app, world, data):
    """Every route x visitor x (an object of the owner's, or an id of nothing): success only inside the row."""
    routes = app_routes(app)
    method, rule = data.draw(st.sampled_from(routes), label="route")
    visitor = data.draw(st.sampled_from(VISITORS), label="visitor")
    existing = not names_an_object(rule) or data.draw(st.booleans(), label="the id names an object")
    may = allowed(method, rule)
    if existing and visitor in may:
        return  # a permitted request: it would change the world the other examples stand on
    client = world.clients[visitor]
    if visitor == OWNER and any(name in rule for name in ("certificate_id", "report_id")):
        client = world.owner_of_certificate  # the owner of a certificate is its holder
    url = url_for_rule(rule, world.ids, existing=existing)
    response = client.open(url, method=method, data={})
    assert not succeeded(response), f"{visitor} got {response.status_code} on {method} {url}"
