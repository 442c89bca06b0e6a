"""Qualification versions: an application is assessed against the qualification's units as they were when it was
submitted; editing or adding a unit of a qualification in use makes a new version for applications submitted
afterwards; the decision's snapshot names the version; the administrators' page lists the versions."""

from __future__ import annotations

import io

from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.assessments.models import Decision
from certcenter.extensions import db
from certcenter.qualifications.criteria import criterion_keys
from certcenter.qualifications.models import Qualification, QualificationVersion
from tests import samples
from tests.assessments.conftest import application_state, judgement

NEW_UNIT = {
    "code": "LF9",
    "title-kk": "Жаңа еңбек функциясы",
    "title-ru": "Новая трудовая функция",
    "title-en": "A new labour function",
    "skills-kk": "Жаңа дағды",
    "skills-ru": "Новый навык",
    "skills-en": "A new skill",
    "knowledge-kk": "Жаңа білім",
    "knowledge-ru": "Новое знание",
    "knowledge-en": "New knowledge",
}


def unit_form(unit) -> dict:
    return {
        "code": unit.code,
        **{f"title-{lang}": unit.title[lang] for lang in ("kk", "ru", "en")},
        **{f"skills-{lang}": "\n".join(s[lang] for s in unit.skills) for lang in ("kk", "ru", "en")},
        **{f"knowledge-{lang}": "\n".join(k[lang] for k in unit.knowledge) for lang in ("kk", "ru", "en")},
    }


def test_an_application_is_assessed_against_the_version_it_was_submitted_under(app, in_assessment, make_candidate):
    scene = in_assessment()
    with app.app_context():
        application = db.session.get(Application, scene.application_id)
        qualification_id = application.qualification_id
        assert application.qualification_version.number == 1
        first_unit = application.qualification.units[0]
        form = unit_form(first_unit) | {"title-en": "Renamed after submission"}
        unit_id, old_title = first_unit.id, first_unit.title["en"]
    admin = scene.admin
    admin.post("/language", data={"language": "en"})
    url = f"/admin/qualifications/{qualification_id}"
    assert admin.post(f"{url}/units/{unit_id}", data=form).status_code == 302
    assert admin.post(f"{url}/units/new", data=NEW_UNIT).status_code == 302
    with app.app_context():
        versions = db.session.scalars(
            select(QualificationVersion)
            .where(QualificationVersion.qualification_id == qualification_id)
            .order_by(QualificationVersion.number)
        ).all()
        assert [v.number for v in versions] == [1, 2, 3]
        assert versions[1].units[0]["title"]["en"] == "Renamed after submission"
        assert "LF9" not in [u["code"] for u in versions[1].units] and "LF9" in [u["code"] for u in versions[2].units]
        assert db.session.get(Application, scene.application_id).qualification_version.number == 1
    # the assessors see, and judge, the units as they were at submission
    assessor = scene.assessors[0]
    assessor.post("/language", data={"language": "en"})
    page = assessor.get(f"/assess/{scene.assignment_ids[0]}").get_data(as_text=True)
    assert old_title in page and "Renamed after submission" not in page and "A new labour function" not in page
    for client, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assert client.post(f"/assess/{assignment_id}/submit", data=judgement(scene)).status_code == 302
    assert application_state(app, scene.application_id) == "awaiting_decision"  # no rating asked for LF9
    assert admin.post(f"/admin/applications/{scene.application_id}/decision", data={"outcome": "confirmed"})
    with app.app_context():
        snapshot = db.session.scalar(select(Decision)).snapshot
    assert snapshot["qualification"]["version"] == 1
    units = [c for c in snapshot["criteria"] if c["kind"] == "unit"]
    assert units[0]["title"]["en"] == old_title and "LF9" not in [u["code"] for u in units]
    # an application submitted now is assessed against the latest version
    candidate = make_candidate(education=["general_secondary"], years=2)
    response = candidate.post(f"/qualifications/{qualification_id}/apply", data={"form_token": "apply-later"})
    later_id = int(response.headers["Location"].rsplit("/", 1)[1])
    candidate.post(
        f"/applications/{later_id}/evidence",
        content_type="multipart/form-data",
        data={"kind": "work_sample", "description": "d", "file": (io.BytesIO(samples.PDF), "diploma.pdf")},
    )
    with app.app_context():
        later = db.session.get(Application, later_id)
        item_id, keys = later.evidence[0].id, sorted(criterion_keys(later.qualification))
    candidate.post(f"/applications/{later_id}/evidence/{item_id}/criteria", data={"criteria": keys})
    assert candidate.post(f"/applications/{later_id}/submit", data={}).status_code == 302
    with app.app_context():
        later = db.session.get(Application, later_id)
        assert later.state == "submitted" and later.qualification_version.number == 3
    # the administrators' page lists the versions, the latest used by new applications
    page = admin.get(url).get_data(as_text=True)
    versions_html = page.split('id="versions"')[1]
    assert 'data-version="3"' in versions_html and 'data-version="1"' in versions_html
    assert "used by new applications" in versions_html and "Renamed after submission" in versions_html


def test_units_change_freely_until_the_first_submission(app, login_as, catalogue):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    qualification_id = catalogue["KITCHEN-ASSIST-2"]
    assert admin.post(f"/admin/qualifications/{qualification_id}/units/new", data=NEW_UNIT).status_code == 302
    with app.app_context():
        assert db.session.get(Qualification, qualification_id).versions == []
    page = admin.get(f"/admin/qualifications/{qualification_id}").get_data(as_text=True)
    assert "the first submission makes version 1" in page
