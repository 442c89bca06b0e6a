"""Separation of duties, enforced by the server: a person who is candidate, administrator and assessor at once is
refused every act on his own application (the refusal's status and message, nothing changed, an audit entry), and
every state-changing route of the application is accounted for here, so a new one cannot slip past the rule."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from certcenter.accounts.models import ADMINISTRATOR, ASSESSOR, CANDIDATE, User
from certcenter.applications.models import Application, NameChangeRequest
from certcenter.assessments.models import ACTIVE, PENDING, Assignment, Moderator
from certcenter.certificates.models import Certificate
from certcenter.core.models import AuditEntry
from certcenter.exams.models import Attempt, Booking
from certcenter.extensions import db
from tests import samples
from tests.assessments.conftest import application_state, judgement
from tests.exams.conftest import ExamScene, make_bank, schedule, start_attempt

OWN_CASE = "You are the candidate of this application: another member of the centre must do this."

# Every POST route of the application, by what it does to a case. A route added without a row here fails the test.
REFUSED_ON_OWN_CASE = {
    "assessments.assign",
    "applications.admin_exception",
    "applications.resolve_eligibility",
    "assessments.assignment",
    "assessments.save_draft",
    "assessments.submit",
    "assessments.moderate",
    "assessments.moderate_result",
    "assessments.pick_moderator",
    "assessments.declare_as_moderator",
    "assessments.decide",
    "certificates.issue",
    "certificates.lifecycle",
    "reports.request_assessment",
    "exams.admit",
    "exams.add_time",
    "exams.void",
    "exams.review",
    "applications.admin_name_change",
    # after the certificate (#17): legal holds on the case, the surveillance of its certificate
    "records.place_hold",
    "records.lift_hold",
    "certificates.surveillance_decide",
    # appeals (#14): forming the panel of an appeal against his own case, sitting on it (tested in
    # tests/appeals/test_appeal_panel.py: the candidate is refused through each route)
    "appeals.seat_member",
    "appeals.release_member",  # tests/appeals/test_panel_release.py: the candidate refused through the route
    "appeals.declare_on_appeal",
    "appeals.vote",
}
# The candidate's own acts on his own case: applying, his evidence, his test, his credential, his profile.
CANDIDATES_OWN = {
    "applications.apply",
    "appeals.lodge",  # only the candidate appeals against the decision on his own application
    "applications.submit",
    "applications.withdraw",
    "evidence.upload",
    "evidence.criteria",
    "evidence.delete",
    "exams.book",
    "exams.cancel_booking",
    "exams.admission_code",
    "exams.start",
    "exams_take.save",
    "exams_take.submit",
    "credentials.sharing",
    "candidates.profile",
    "candidates.education",
    "candidates.education_delete",
    "candidates.experience",
    "candidates.experience_delete",
    "applications.name_change",
    "certificates.renew",
    "certificates.renewal_submit",
    "certificates.renewal_update",
    "certificates.surveillance_submit",
    "certificates.certificate_appeal",  # the holder's appeal against his certificate's suspension or revocation
    "records.consent",
    "records.request_erasure",
    "records.request_export",
}
# Not about one case: the person's account, the catalogue, the bank and sittings, centre-wide reports, the
# assessors' scopes, public verification, re-rendering every failed file (which changes nothing a certificate says).
NOT_ABOUT_A_CASE = {
    "accounts.change_password",
    "accounts.login",
    "accounts.logout",
    "accounts.register",
    "core.set_language",
    "notifications.mark_read",
    "certificates.verify",
    "certificates.retry_failed",
    "admin.user_active",
    "admin.user_reset_password",
    "admin.user_roles",
    "admin.create_user",
    "qualifications.admin_edit",
    "qualifications.admin_unit",
    "qualifications.admin_unit_delete",
    "reports.retry",
    "reports.export",
    "reports.request_item_analysis",
    "reports.request_statistics",
    "exams.blueprint",
    "exams.xlsx_import",
    "exams.qti_import",
    "exams.new_question",
    "exams.question",
    "exams.approve",
    "exams.retire",
    "exams.cancel_sitting",
    "exams.close_sitting",
    "exams.open_sitting",
    "exams.new_sitting",
    "competence.admin_scope_new",
    "competence.admin_scope",
    # centre-wide: settings, framework editions, the retention run; a request about one's own data is refused
    # to its subject in records (tests/records/test_own_case.py)
    "admin.centre_settings_page",
    "framework_admin.add_level",
    "framework_admin.add_pathway",
    "framework_admin.add_term",
    "framework_admin.copy",
    "framework_admin.edit",
    "framework_admin.import_file",
    "framework_admin.publish",
    "framework_admin.remove_level",
    "framework_admin.remove_pathway",
    "framework_admin.remove_term",
    "records.run_retention",
    "records.decide_erasure",
    # the person's own account and notices, and the outbox (#15)
    "accounts.account_email",
    "accounts.forgot_password",
    "accounts.resend_verification",
    "accounts.reset_password",
    "notifications.outbox_resend",
    "notifications.preferences",
    "notifications.unsubscribe",
    # complaints concern no application; their own independence rule (the person complained about and the
    # complainant never investigate) is tested in tests/appeals/test_complaints.py
    "appeals.new_complaint",
    "appeals.acknowledge",
    "appeals.assign",
    "appeals.subject",
    "appeals.outcome",
}


def post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}


def test_every_state_changing_route_is_classified(app):
    declared = REFUSED_ON_OWN_CASE | CANDIDATES_OWN | NOT_ABOUT_A_CASE
    routes = post_endpoints(app)
    assert routes - declared == set(), "say here what each new POST route does to a case"
    assert declared - routes == set(), "a route in the table no longer exists"


def fingerprint(app) -> dict[str, list]:
    """Every row of every table but the audit log (where the refusal is written): nothing else may change."""
    with app.app_context():
        rows = {}
        for table in db.metadata.sorted_tables:
            if table.name in ("audit_entries", "sign_in_attempts"):
                continue
            rows[table.name] = sorted(map(repr, db.session.execute(table.select()).all()))
        return rows


def refusals(app, act: str) -> int:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.refused")).all()
        return sum(entry.details.get("act") == act for entry in entries)


def set_state(app, application_id: int, state: str) -> None:
    with app.app_context():
        db.session.get(Application, application_id).state = state
        db.session.commit()


def version(app, application_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Application, application_id).version)


@pytest.fixture
def own_case(app, in_assessment, login_as, make_user):
    """An application in assessment with its test under way, whose candidate is also administrator and assessor."""
    scene = in_assessment()
    with app.app_context():
        qualification_id = db.session.get(Application, scene.application_id).qualification_id
    bank = make_bank(app, qualification_id, make_user(ASSESSOR), make_user(ADMINISTRATOR))
    proctor = login_as("assessor")
    sitting_id = schedule(app, bank, proctor.user.id, scene.admin.user.id)
    scene.candidate.post(f"/exams/applications/{scene.application_id}/book", data={"sitting_id": sitting_id})
    with app.app_context():
        booking_id = db.session.scalar(select(Booking.id).where(Booking.application_id == scene.application_id))
    assert proctor.post(f"/exams/sittings/{sitting_id}/open").status_code == 302
    assert proctor.post(f"/exams/bookings/{booking_id}/admit").status_code == 302
    exam_scene = ExamScene(
        scene.application_id, scene.candidate, scene.admin, proctor, scene.assessors, bank, sitting_id, booking_id
    )
    scene.attempt_id = start_attempt(app, exam_scene)
    with app.app_context():
        user = db.session.get(User, scene.candidate.user.id)
        user.set_roles({CANDIDATE, ADMINISTRATOR, ASSESSOR})
        db.session.commit()
    scene.candidate.post("/language", data={"language": "en"})
    return scene


def refused(app, client, path: str, data: dict, act: str, *, message: str = OWN_CASE, status: int = 409):
    before, logged = fingerprint(app), refusals(app, act)
    response = client.post(path, data=data)
    assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True)[:400])
    if message:
        assert message in response.get_data(as_text=True), path
    assert fingerprint(app) == before, f"{path} changed the database"
    if message:
        assert refusals(app, act) == logged + 1, f"{path}: the refusal is not in the audit log"


def test_the_candidate_who_is_also_administrator_and_assessor_is_refused_every_act_on_his_own_case(
    app, own_case, login_as, make_user
):
    scene, me = own_case, own_case.candidate
    application_id = scene.application_id
    another = make_user(ASSESSOR)

    # administration: assign, decide an exception, resolve a pathway
    refused(app, me, f"/admin/applications/{application_id}/assign", {"assessor_id": another.id}, "assign")
    set_state(app, application_id, "exception_requested")
    refused(
        app,
        me,
        f"/admin/applications/{application_id}/exception",
        {"decision": "grant", "reason": "I deserve it", "version": version(app, application_id)},
        "decide_exception",
    )
    set_state(app, application_id, "in_assessment")
    refused(
        app,
        me,
        f"/admin/applications/{application_id}/eligibility",
        {"decision": "met", "reason": "I am recognised.", "version": version(app, application_id)},
        "resolve_eligibility",
    )
    # his own change of name: he may ask for it, another administrator decides it
    asked = me.post(
        "/profile/name-change",
        content_type="multipart/form-data",
        data={
            "full_name": "Жаңа Есім",
            "full_name_latin": "Zhana Esim",
            "document": (io.BytesIO(samples.PDF), "a.pdf"),
        },
    )
    assert asked.status_code == 302
    with app.app_context():
        request_id = db.session.scalar(select(NameChangeRequest.id))
    refused(app, me, f"/admin/name-changes/{request_id}", {"decision": "approve"}, "decide_name_change")

    # assessing: an assignment of his own (which no route would create) gives him nothing
    with app.app_context():
        assignment = Assignment(application_id=application_id, assessor_id=me.user.id, status=PENDING)
        db.session.add(assignment)
        db.session.commit()
        assignment_id = assignment.id
    refused(app, me, f"/assess/{assignment_id}", {"conflict": "no"}, "declare")
    with app.app_context():
        db.session.get(Assignment, assignment_id).status = ACTIVE
        db.session.commit()
    data = judgement(scene, version=version(app, application_id))
    refused(app, me, f"/assess/{assignment_id}/draft", data, "assess")
    refused(app, me, f"/assess/{assignment_id}/submit", data, "assess")
    with app.app_context():
        db.session.delete(db.session.get(Assignment, assignment_id))
        db.session.commit()

    # the test: admitting, time, voiding, marking his own answers
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        booking_id = attempt.booking_id
    refused(app, me, f"/exams/attempts/{scene.attempt_id}/time", {"minutes": 30, "reason": "more"}, "proctor")
    refused(app, me, f"/exams/attempts/{scene.attempt_id}/void", {"reason": "bad"}, "proctor")
    with app.app_context():
        db.session.get(Attempt, scene.attempt_id).booking.status = "booked"
        db.session.commit()
    refused(app, me, f"/exams/bookings/{booking_id}/admit", {}, "proctor")
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        attempt.booking.status = "admitted"
        attempt.status = "in_review"
        item = attempt.items[0]
        item.review_status = "pending"
        db.session.commit()
        item_id = item.id
    refused(app, me, f"/exams/reviews/{item_id}", {"decision": "accept"}, "record_result")
    with app.app_context():
        attempt = db.session.get(Attempt, scene.attempt_id)
        attempt.status, attempt.items[0].review_status = "submitted", None
        db.session.commit()

    # moderation: picking the moderator of his own case, and (picked by a row no route would write) declaring and
    # moderating ratings and results
    set_state(app, application_id, "moderation")
    refused(app, me, f"/admin/applications/{application_id}/moderator", {"moderator_id": another.id}, "assign")
    with app.app_context():
        moderator = Moderator(application_id=application_id, user_id=me.user.id, picked_by_id=scene.admin.user.id)
        db.session.add(moderator)
        db.session.commit()
        moderator_id = moderator.id
    refused(app, me, f"/moderation/{application_id}/declaration", {"conflict": "no"}, "declare")
    with app.app_context():
        db.session.get(Moderator, moderator_id).status = ACTIVE
        db.session.commit()
    refused(
        app,
        me,
        f"/moderation/{application_id}",
        {"criterion_key": scene.criteria[0], "rating": "met", "reason": "Mine."},
        "moderate",
    )
    refused(
        app,
        me,
        f"/moderation/{application_id}/results",
        {"kind": "theory", "percent": 99, "reason": "Mine."},
        "moderate",
    )
    with app.app_context():
        db.session.delete(db.session.get(Moderator, moderator_id))
        db.session.commit()
    set_state(app, application_id, "in_assessment")

    # the two assessors agree; the decision is then his to refuse
    for assessor, assignment in zip(scene.assessors, scene.assignment_ids, strict=True):
        assert assessor.post(f"/assess/{assignment}/submit", data=judgement(scene)).status_code == 302
    assert application_state(app, application_id) == "awaiting_decision"
    refused(
        app,
        me,
        f"/admin/applications/{application_id}/decision",
        {"outcome": "confirmed", "version": version(app, application_id)},
        "decide",
    )
    decision = scene.admin.post(
        f"/admin/applications/{application_id}/decision",
        data={"outcome": "confirmed", "version": version(app, application_id)},
    )
    assert decision.status_code == 302

    # the certificate: issuing it, the assessment report, and every change to it once another issued it
    offered = f'name="application" value="{application_id}"'
    assert offered not in me.get("/admin/certificates/issue").get_data(as_text=True)  # not offered to him
    assert offered in scene.admin.get("/admin/certificates/issue").get_data(as_text=True)
    refused(app, me, "/admin/certificates/issue", {"application": [str(application_id)]}, "issue")
    refused(app, me, f"/admin/applications/{application_id}/report", {}, "report")
    assert scene.admin.post("/admin/certificates/issue", data={"application": [str(application_id)]}).status_code == 302
    with app.app_context():
        certificate_id = db.session.scalar(select(Certificate.id).where(Certificate.application_id == application_id))
    for action in ("suspend", "reinstate", "revoke", "reissue", "retry"):
        refused(
            app,
            me,
            f"/admin/certificates/{certificate_id}/{action}",
            {"reason": "Mine to change."},
            "certificate_status",
        )
    assert application_state(app, application_id) == "certified"


def test_the_refusal_is_told_in_the_readers_language(app, own_case, make_user):
    me = own_case.candidate
    me.post("/language", data={"language": "ru"})
    response = me.post(
        f"/admin/applications/{own_case.application_id}/assign", data={"assessor_id": make_user(ASSESSOR).id}
    )
    assert response.status_code == 409
    assert "Вы — кандидат по этой заявке" in response.get_data(as_text=True)
