"""Assessors' competence: scopes (a qualification, or NQF levels in a field) with their evidence and valid-until
date, kept by administrators; the assignment offers only assessors in scope, with each one's workload, and refuses
anyone else with the reason; an expired scope is shown as such and refused."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from certcenter.assessments.competence import AssessorScope
from certcenter.assessments.models import Assignment
from certcenter.core.i18n import centre_today
from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from tests import samples


def english(*clients) -> None:
    for client in clients:
        client.post("/language", data={"language": "en"})


def assign(scene, assessor):
    return scene.admin.post(
        f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": assessor.user.id}
    )


def offered_ids(page: str) -> set[str]:
    select_html = re.search(r'<select[^>]*name="assessor_id".*?</select>', page, re.S).group(0)
    return set(re.findall(r'<option[^>]*value="(\d+)"', select_html))


def assignments_of(app, user_id: int) -> list[Assignment]:
    with app.app_context():
        return db.session.scalars(select(Assignment).where(Assignment.assessor_id == user_id)).all()


def test_an_assessor_without_a_scope_is_not_offered_and_is_refused_with_the_reason(app, submitted, login_as):
    scene = submitted()
    english(scene.admin)
    outsider = login_as("assessor", full_name="Құзыретсіз Бағалаушы", scoped=False)
    competent = login_as("assessor", full_name="Құзыретті Бағалаушы")
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert str(outsider.user.id) not in offered_ids(page) and str(competent.user.id) in offered_ids(page)
    assert "No scope for this qualification" in page
    response = assign(scene, outsider)
    assert response.status_code == 409
    assert "Құзыретсіз Бағалаушы has no recorded competence to assess this qualification." in response.get_data(
        as_text=True
    )
    assert assignments_of(app, outsider.user.id) == []
    assert assign(scene, competent).status_code == 302


def test_an_expired_scope_is_shown_as_such_and_refused(app, submitted, login_as):
    scene = submitted()
    english(scene.admin)
    lapsed = login_as("assessor", full_name="Мерзімі Өткен", scoped=False)
    with app.app_context():
        from certcenter.applications.models import Application

        qualification_id = db.session.get(Application, scene.application_id).qualification_id
        db.session.add(
            AssessorScope(
                assessor_id=lapsed.user.id,
                qualification_id=qualification_id,
                evidence="Certificate No. 7",
                valid_until=date.today() - timedelta(days=30),
            )
        )
        db.session.commit()
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "Expired on" in page and str(lapsed.user.id) not in offered_ids(page)
    assert "Expired on" in scene.admin.get("/admin/assessors").get_data(as_text=True)
    response = assign(scene, lapsed)
    assert response.status_code == 409
    assert "Мерзімі Өткен's competence to assess this qualification expired on" in response.get_data(as_text=True)
    assert assignments_of(app, lapsed.user.id) == []


def test_administrators_keep_scopes_with_evidence_and_the_offer_shows_the_workload(app, submitted, login_as):
    scene = submitted()  # WELD-3: level 3, professional standard «Сварочное производство»
    english(scene.admin)
    welder = login_as("assessor", full_name="Дәнекерлеу Маманы", scoped=False)
    assert login_as("assessor").get("/admin/assessors").status_code == 403
    response = scene.admin.post(
        "/admin/assessors/scopes/new",
        content_type="multipart/form-data",
        data={
            "assessor_id": welder.user.id,
            "qualification_id": 0,
            "level_from": 2,
            "level_to": 4,
            "field": "Сварочное производство",
            "evidence": "IIW International Welding Specialist, 2019; 12 years as a welding inspector.",
            "document": (io.BytesIO(samples.PDF), "iiw.pdf"),
            "valid_until": (date.today() + timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        scope = db.session.scalar(select(AssessorScope).where(AssessorScope.assessor_id == welder.user.id))
        assert (scope.level_from, scope.level_to, scope.document_name) == (2, 4, "iiw.pdf")
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assessment.scope_add"))
        scope_id = scope.id
    listing = scene.admin.get("/admin/assessors").get_data(as_text=True)
    assert "NQF levels 2–4, Сварочное производство" in listing and "IIW International Welding Specialist" in listing
    assert scene.admin.get(f"/admin/assessors/scopes/{scope_id}/document").data == samples.PDF
    page = scene.admin.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert str(welder.user.id) in offered_ids(page)
    assert "Дәнекерлеу Маманы (open assignments: 0)" in page
    assert assign(scene, welder).status_code == 302

    # his workload counts on the next application's offer; a withdrawn scope expires and is refused
    other = submitted()
    page = scene.admin.get(f"/applications/{other.application_id}").get_data(as_text=True)
    assert "Дәнекерлеу Маманы (open assignments: 1)" in page
    no_reason = scene.admin.post(f"/admin/assessors/scopes/{scope_id}/end", data={"reason": ""})
    assert no_reason.status_code == 302
    with app.app_context():
        today = centre_today()  # the centre's calendar (Almaty is already on tomorrow in UTC's evening)
        assert db.session.get(AssessorScope, scope_id).valid_until >= today
    scene.admin.post(f"/admin/assessors/scopes/{scope_id}/end", data={"reason": "Certificate suspended."})
    with app.app_context():
        assert db.session.get(AssessorScope, scope_id).valid_until < today
    refused = other.admin.post(
        f"/admin/applications/{other.application_id}/assign", data={"assessor_id": welder.user.id}
    )
    assert refused.status_code == 409


def test_a_scope_for_levels_and_a_field_does_not_reach_another_field(app, submitted, login_as):
    scene = submitted()
    english(scene.admin)
    accountant = login_as("assessor", scoped=False)
    response = scene.admin.post(
        "/admin/assessors/scopes/new",
        data={
            "assessor_id": accountant.user.id,
            "qualification_id": 0,
            "level_from": 1,
            "level_to": 8,
            "field": "Бухгалтерский учет",
            "evidence": "Certified accountant.",
            "valid_until": (date.today() + timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert assign(scene, accountant).status_code == 409


def test_a_scope_needs_its_evidence_and_a_qualification_or_levels_and_field(app, submitted, login_as):
    scene = submitted()
    english(scene.admin)
    assessor = login_as("assessor", scoped=False)
    until = (date.today() + timedelta(days=30)).isoformat()
    base = {"assessor_id": assessor.user.id, "qualification_id": 0, "valid_until": until}
    missing_evidence = scene.admin.post("/admin/assessors/scopes/new", data=base | {"level_from": 1, "level_to": 2})
    assert missing_evidence.status_code == 400
    assert "Describe the evidence of competence." in missing_evidence.get_data(as_text=True)
    no_field = scene.admin.post(
        "/admin/assessors/scopes/new", data=base | {"evidence": "x", "level_from": 1, "level_to": 2}
    )
    assert no_field.status_code == 400
    assert "Name the field of activity the levels are in." in no_field.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalars(select(AssessorScope).where(AssessorScope.assessor_id == assessor.user.id)).all() == []
        )
