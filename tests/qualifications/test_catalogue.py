"""The qualification catalogue: the demo data, administrators' editing, and the criteria it yields."""

import re

from sqlalchemy import select

from certcenter.extensions import db
from certcenter.qualifications.criteria import assessment_criteria
from certcenter.qualifications.models import Qualification
from certcenter.qualifications.services import DATA_DIR, load_catalogue

NEW = {
    "code": "COOK-4",
    "title-kk": "Аспаз",
    "title-ru": "Повар",
    "title-en": "Cook",
    "description-kk": "",
    "description-ru": "",
    "description-en": "",
    "professional_standard": "",
    "theory_pass_mark": "70",
    "practical_pass_mark": "80",
    "validity_years": "5",
    "active": "y",
}


def test_demo_catalogue_covers_levels_two_to_seven_with_units(app, catalogue):
    with app.app_context():
        qualifications = db.session.scalars(select(Qualification)).all()
        assert len(qualifications) >= 6
        assert {q.level.number for q in qualifications} >= {2, 3, 4, 5, 6, 7}
        for qualification in qualifications:
            assert len(qualification.units) >= 2
            assert all(qualification.title[lang] for lang in ("kk", "ru", "en"))
        # loading it again creates nothing
        assert load_catalogue(DATA_DIR / "demo-qualifications.yaml") == []


def test_criteria_are_the_three_descriptors_then_the_units(app, catalogue):
    with app.app_context():
        qualification = db.session.get(Qualification, catalogue["WELD-3"])
        criteria = assessment_criteria(qualification)
        assert [c.key for c in criteria[:3]] == ["descriptor:competence", "descriptor:skills", "descriptor:knowledge"]
        assert criteria[1].text == qualification.level.descriptor("skills").text
        assert [c.code for c in criteria[3:]] == [unit.code for unit in qualification.units]


def test_public_catalogue_lists_only_open_qualifications(app, client, catalogue):
    with app.app_context():
        db.session.get(Qualification, catalogue["WELD-3"]).active = False
        db.session.commit()
    client.post("/language", data={"language": "en"})
    html = client.get("/qualifications").get_data(as_text=True)
    assert "Electric and gas welder" not in html
    assert "Software developer" in html
    assert client.get(f"/qualifications/{catalogue['WELD-3']}").status_code == 404


def test_administrator_creates_a_qualification_and_its_units(app, login_as, framework):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    page = admin.get("/admin/qualifications/new").get_data(as_text=True)
    level_id = re.search(r'<option value="(\d+)">kz-nqf-2013 · Level 4</option>', page).group(1)
    response = admin.post("/admin/qualifications/new", data=NEW | {"level_id": level_id})
    assert response.status_code == 302
    qualification_url = response.headers["Location"]
    duplicate = admin.post("/admin/qualifications/new", data=NEW | {"level_id": level_id})
    assert "Another qualification already has this code." in duplicate.get_data(as_text=True)
    unit = {
        "code": "LF1",
        "title-kk": "Тағам дайындау",
        "title-ru": "Приготовление блюд",
        "title-en": "Cooking",
        "skills-kk": "Тағам дайындайды\nМәзір құрады",
        "skills-ru": "Готовит блюда\nСоставляет меню",
        "skills-en": "Prepares dishes\nPlans menus",
        "knowledge-kk": "Санитария",
        "knowledge-ru": "Санитария",
        "knowledge-en": "Food hygiene",
    }
    assert admin.post(f"{qualification_url}/units/new", data=unit).status_code == 302
    uneven = admin.post(f"{qualification_url}/units/new", data=unit | {"code": "LF2", "skills-en": "Only one"})
    assert "Each language needs the same number of lines." in uneven.get_data(as_text=True)
    with app.app_context():
        qualification = db.session.scalar(select(Qualification).where(Qualification.code == "COOK-4"))
        assert qualification.level.number == 4 and qualification.theory_pass_mark == 70
        (only,) = qualification.units
        assert only.skills == [
            {"kk": "Тағам дайындайды", "ru": "Готовит блюда", "en": "Prepares dishes"},
            {"kk": "Мәзір құрады", "ru": "Составляет меню", "en": "Plans menus"},
        ]
    edit = admin.get(f"{qualification_url}/units/{only.id}").get_data(as_text=True)
    assert "Мәзір құрады" in edit


def test_invalid_pass_mark_is_refused(login_as, framework):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    page = admin.get("/admin/qualifications/new").get_data(as_text=True)
    level_id = re.search(r'<option value="(\d+)">', page).group(1)
    response = admin.post("/admin/qualifications/new", data=NEW | {"level_id": level_id, "theory_pass_mark": "120"})
    assert response.status_code == 200 and "Number must be between 0 and 100." in response.get_data(as_text=True)


def test_units_of_a_qualification_in_use_cannot_be_removed(app, login_as, make_candidate, catalogue):
    client = make_candidate(education=["general_secondary"])
    response = client.post(f"/qualifications/{catalogue['KITCHEN-ASSIST-2']}/apply", data={"form_token": "k"})
    application_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        from certcenter.applications.models import Application
        from certcenter.qualifications.services import freeze_criteria

        application = db.session.get(Application, application_id)
        freeze_criteria(application.qualification)  # what submitting does: only the rule under test matters here
        db.session.commit()
        unit_id = application.qualification.units[0].id
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    response = admin.post(
        f"/admin/qualifications/{catalogue['KITCHEN-ASSIST-2']}/units/{unit_id}/delete", follow_redirects=True
    )
    assert "its units cannot be removed" in response.get_data(as_text=True)


def test_administrator_sets_the_recertification_rule_and_surveillance(app, client, login_as, framework):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    page = admin.get("/admin/qualifications/new").get_data(as_text=True)
    assert "Recertification and surveillance" in page
    level_id = re.search(r'<option value="(\d+)">kz-nqf-2013 · Level 4</option>', page).group(1)
    rule = {
        "level_id": level_id,
        "recertification_rule": "practice",
        "recertification_practice_years": "5",
        "recertification_practice_window": "3",
        "recertification_cpd_hours": "0",
        "recertification_assessors": "2",
        "surveillance_after_years": "2",
    }
    refused = admin.post("/admin/qualifications/new", data=NEW | rule)
    assert "The years of practice cannot be more than the years they are counted in." in refused.get_data(as_text=True)
    response = admin.post("/admin/qualifications/new", data=NEW | rule | {"recertification_practice_years": "2"})
    assert response.status_code == 302
    with app.app_context():
        cook = db.session.scalar(select(Qualification).where(Qualification.code == "COOK-4"))
        assert (
            cook.recertification_rule,
            cook.recertification_practice_years,
            cook.recertification_practice_window,
        ) == (
            "practice",
            2,
            3,
        )
        assert cook.recertification_assessors == 2 and cook.surveillance_after_years == 2
        cook_id = cook.id
    client.post("/language", data={"language": "en"})
    public = client.get(f"/qualifications/{cook_id}").get_data(as_text=True)
    assert "Evidence of continued practice: practice in 2 of the last 3 years" in public
