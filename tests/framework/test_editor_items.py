"""Framework editions complete in the browser: a draft gains and loses glossary terms and pathways (with their kk/ru/en
wording, their rule and their interpretation) through its editor; a rule that does not follow the grammar is refused
with the reason, next to the form, the input kept; the comparison lists what was added and removed; each change is in
the audit log; a published edition refuses them all; published, the new pathway is on the public level page."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition
from tests.conftest import TEST_PASSWORD
from tests.framework.test_editing import draft

RULE = json.dumps({"all": [{"education_at_least": "general_secondary"}, {"experience_years": 2}]})
PATHWAY = {
    "code": "3.3",
    "text-kk": "Жалпы орта білім және кемінде екі жыл практикалық тәжірибе.",
    "text-ru": "Общее среднее образование и не менее двух лет практического опыта.",
    "text-en": "General secondary education and at least two years of practical experience.",
    "rule": RULE,
    "interpretation-kk": "Екі жыл құжатпен расталуы тиіс.",
    "interpretation-ru": "Два года должны быть подтверждены документами.",
    "interpretation-en": "The two years must be documented.",
}
TERM = {
    "term-kk": "тәлімгер",
    "term-ru": "наставник",
    "term-en": "mentor",
    "definition-kk": "Жұмыс орнында үйрететін тәжірибелі қызметкер.",
    "definition-ru": "Опытный работник, обучающий на рабочем месте.",
    "definition-en": "An experienced worker who teaches at the workplace.",
}


def edition_rows(app, code):
    with app.app_context():
        edition = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == code))
        return (
            {level.number: [pathway.code for pathway in level.pathways] for level in edition.levels},
            [term.term["en"] for term in edition.terms],
        )


def actions(app):
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("framework.%")).order_by(AuditEntry.id)
            )
        )


def test_a_pathway_added_in_the_editor_is_published_and_shown_to_the_public(app, framework, login_as, client):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    code = draft(admin)
    page = admin.get(f"/admin/framework/{code}/edit").get_data(as_text=True)
    assert "Add a pathway to level 3" in page and 'form="add-pathway-3"' in page

    response = admin.post(f"/admin/framework/{code}/levels/3/pathways", data=PATHWAY)
    assert response.status_code == 302 and response.headers["Location"].endswith("#level-3")
    pathways, _terms = edition_rows(app, code)
    assert pathways[3] == ["3.1", "3.2", "3.3"]
    assert "Remove pathway 3.3" in admin.get(f"/admin/framework/{code}/edit").get_data(as_text=True)

    compare = admin.get(f"/admin/framework/{code}/compare").get_data(as_text=True)
    added = compare.split('data-item="pathway-3-3.3"', 1)[1].split("</li>", 1)[0]
    assert "Added:" in added and "Pathway 3.3" in added and PATHWAY["text-en"] in added
    assert PATHWAY["interpretation-ru"] in compare  # its texts beside nothing in the source
    assert actions(app).count("framework.pathway_add") == 1
    log = admin.get("/admin/audit?action=framework.pathway_add").get_data(as_text=True)
    assert "Pathway added to a draft framework edition" in log and "3.3" in log

    assert admin.post(f"/admin/framework/{code}/publish").status_code == 302
    for language, wording in (("kk", "text-kk"), ("ru", "text-ru"), ("en", "text-en")):
        client.post("/language", data={"language": language})
        level = client.get(f"/framework/{code}/levels/3").get_data(as_text=True)
        assert "3.3" in level and PATHWAY[wording] in level
        assert f'<p lang="{language}">{PATHWAY[f"interpretation-{language}"]}</p>' in level


def test_a_rule_against_the_grammar_is_refused_with_the_reason_and_the_input_kept(app, framework, login_as):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    code = draft(admin)
    cases = [
        ({"rule": "all: [education_at_least: general_secondary"}, "The rule is not valid YAML or JSON."),
        ({"rule": '{"experience_years": -1}'}, "The rule does not follow the rule grammar"),
        ({"rule": '{"education": ["astronaut"]}'}, "unknown code"),
        ({"rule": '{"degree": "master"}'}, "unknown condition"),
        ({"code": "3.1"}, "Level 3 already has a pathway 3.1."),
        ({"code": ""}, "Give the pathway a short code without spaces"),
        ({"text-ru": ""}, "Give the pathway&#39;s wording in Kazakh, Russian and English."),
        ({"interpretation-kk": ""}, "Give the interpretation in all three languages, or in none."),
    ]
    for change, message in cases:
        response = admin.post(f"/admin/framework/{code}/levels/3/pathways", data=PATHWAY | change)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, change
        assert message in html.split('id="level-3"', 1)[1].split("</section>", 1)[0], change  # at its level's form
        assert PATHWAY["text-kk"] in html or change == {"text-kk": ""}  # the input kept
    assert edition_rows(app, code)[0][3] == ["3.1", "3.2"]
    assert "framework.pathway_add" not in actions(app)
    # the rule may be YAML as well
    yaml_rule = "all:\n- education_at_least: general_secondary\n- experience_years: 2\n"
    assert (
        admin.post(f"/admin/framework/{code}/levels/3/pathways", data=PATHWAY | {"rule": yaml_rule}).status_code == 302
    )
    with app.app_context():
        edition = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == code))
        assert edition.level(3).pathways[-1].rule == json.loads(RULE)


def test_a_pathway_is_removed_but_never_a_level_s_last(app, framework, login_as):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    code = draft(admin)
    assert admin.post(f"/admin/framework/{code}/levels/3/pathways/3.2/remove").status_code == 302
    response = admin.post(f"/admin/framework/{code}/levels/1/pathways/1.1/remove")
    assert response.status_code == 400
    assert "A level needs at least one pathway" in response.get_data(as_text=True)
    assert admin.post(f"/admin/framework/{code}/levels/3/pathways/9.9/remove").status_code == 400
    pathways, _terms = edition_rows(app, code)
    assert pathways[3] == ["3.1"] and pathways[1] == ["1.1"]
    compare = admin.get(f"/admin/framework/{code}/compare").get_data(as_text=True)
    removed = compare.split('data-item="pathway-3-3.2"', 1)[1].split("</li>", 1)[0]
    assert "Removed:" in removed and "Pathway 3.2" in removed
    assert actions(app).count("framework.pathway_remove") == 1


def test_glossary_terms_are_added_and_removed(app, framework, login_as, client):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    code = draft(admin)
    _pathways, before = edition_rows(app, code)
    response = admin.post(f"/admin/framework/{code}/terms", data=TERM)
    assert response.status_code == 302 and response.headers["Location"].endswith("#glossary")
    response = admin.post(f"/admin/framework/{code}/terms", data=TERM | {"definition-kk": " "})
    assert response.status_code == 400
    assert "Give the definition in Kazakh, Russian and English." in response.get_data(as_text=True)
    assert admin.post(f"/admin/framework/{code}/terms/2/remove").status_code == 302
    assert admin.post(f"/admin/framework/{code}/terms/99/remove").status_code == 400
    _pathways, after = edition_rows(app, code)
    assert after == [before[0], *before[2:], "mentor"]
    compare = admin.get(f"/admin/framework/{code}/compare").get_data(as_text=True)
    assert "Added:" in compare.split(f'data-item="term-{len(before) + 1}"', 1)[1].split("</li>", 1)[0]
    assert "Removed:" in compare.split('data-item="term-2"', 1)[1].split("</li>", 1)[0]
    assert actions(app).count("framework.term_add") == 1 and actions(app).count("framework.term_remove") == 1

    admin.post(f"/admin/framework/{code}/publish")
    client.post("/language", data={"language": "ru"})
    glossary = client.get(f"/framework/{code}/glossary").get_data(as_text=True)
    assert "наставник" in glossary and "Опытный работник, обучающий на рабочем месте." in glossary


def test_a_published_edition_refuses_additions_and_removals(app, framework, login_as):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    published = "kz-nqf-2013"
    before = edition_rows(app, published)
    for url, data in (
        (f"/admin/framework/{published}/levels/3/pathways", PATHWAY),
        (f"/admin/framework/{published}/levels/3/pathways/3.2/remove", {}),
        (f"/admin/framework/{published}/terms", TERM),
        (f"/admin/framework/{published}/terms/1/remove", {}),
    ):
        response = admin.post(url, data=data)
        assert response.status_code == 409, url
        assert "A published edition is frozen" in response.get_data(as_text=True)
    assert edition_rows(app, published) == before
    page = admin.get(f"/admin/framework/{published}/edit").get_data(as_text=True)
    assert "Add a pathway" not in page and "Remove term" not in page
    assert not [action for action in actions(app) if action.endswith(("_add", "_remove"))]


def test_only_administrators_add_or_remove(app, framework, login_as):
    admin = login_as("admin")
    code = draft(admin)
    for role in ("candidate", "assessor"):
        user = login_as(role)
        assert user.post(f"/admin/framework/{code}/levels/3/pathways", data=PATHWAY).status_code == 403
        assert user.post(f"/admin/framework/{code}/terms/1/remove").status_code == 403
    assert edition_rows(app, code)[0][3] == ["3.1", "3.2"]


def test_the_forms_carry_the_csrf_token_and_need_it(app, framework, login_as, make_app, make_user):
    admin = login_as("admin")
    code = draft(admin)
    guarded = make_app(WTF_CSRF_ENABLED=True)
    user = make_user("administrator")
    client = guarded.test_client()

    def token(url):
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)

    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token("/login")})
    assert client.post(f"/admin/framework/{code}/terms", data=TERM).status_code == 400
    assert client.post(f"/admin/framework/{code}/levels/3/pathways/3.2/remove").status_code == 400
    assert edition_rows(app, code)[0][3] == ["3.1", "3.2"]
    page = client.get(f"/admin/framework/{code}/edit").get_data(as_text=True)
    form = page.split('<form id="remove-pathway-3-3.2"', 1)[1].split("</form>", 1)[0]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert (
        client.post(f"/admin/framework/{code}/levels/3/pathways/3.2/remove", data={"csrf_token": csrf}).status_code
        == 302
    )
    assert edition_rows(app, code)[0][3] == ["3.1"]


def level_form(**changes):
    data = {"number": "8", "eqf_level": "8", "code": "8.1", "rule": '{"education": ["doctorate"]}'}
    for kind in ("knowledge", "skills", "competence"):
        data |= {f"descriptor-{kind}-{language}": f"{kind} {language} ({label})"
                 for language, label in (("kk", "қазақша"), ("ru", "по-русски"), ("en", "in English"))}  # fmt: skip
    for part in ("pathways_text", "text"):
        data |= {f"{part}-kk": "Докторантура.", f"{part}-ru": "Докторантура.", f"{part}-en": "Doctoral studies."}
    return data | changes


def test_a_level_is_removed_and_added_anew(app, framework, login_as, client):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    code = draft(admin)
    page = admin.get(f"/admin/framework/{code}/edit").get_data(as_text=True)
    assert "The edition has all eight levels" in page and "Remove level 8" in page
    assert admin.post(f"/admin/framework/{code}/levels/8/remove").status_code == 302
    assert sorted(edition_rows(app, code)[0]) == list(range(1, 8))
    compare = admin.get(f"/admin/framework/{code}/compare").get_data(as_text=True)
    assert "Removed:" in compare.split('data-item="level-8"', 1)[1].split("</li>", 1)[0]

    page = admin.get(f"/admin/framework/{code}/edit").get_data(as_text=True)
    assert '<option value="8">8</option>' in page and "Add a level" in page
    for change, message in (
        ({"descriptor-skills-ru": ""}, "Give every descriptor in Kazakh, Russian and English."),
        ({"number": "3"}, "Choose a level from 1 to 8 that the edition does not have yet."),
        ({"eqf_level": "9"}, "The EQF level is a number from 1 to 8, or nothing."),
        ({"rule": "education: doctorate"}, "The rule does not follow the rule grammar"),
    ):
        response = admin.post(f"/admin/framework/{code}/levels", data=level_form(**change))
        assert response.status_code == 400, change
        html = response.get_data(as_text=True)
        assert message in html.split('id="levels"', 1)[1].split("</section>", 1)[0], change
        assert "knowledge en (in English)" in html  # the input kept
    assert 8 not in edition_rows(app, code)[0]
    response = admin.post(f"/admin/framework/{code}/levels", data=level_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("#level-8")
    assert edition_rows(app, code)[0][8] == ["8.1"]
    assert [a for a in actions(app) if a.startswith("framework.level_")] == [
        "framework.level_remove",
        "framework.level_add",
    ]
    admin.post(f"/admin/framework/{code}/publish")
    client.post("/language", data={"language": "ru"})
    level = client.get(f"/framework/{code}/levels/8").get_data(as_text=True)
    assert "knowledge ru (по-русски)" in level and "Путь 8.1" in level


def test_a_published_edition_keeps_its_levels(app, framework, login_as):
    admin = login_as("admin")
    assert admin.post("/admin/framework/kz-nqf-2013/levels/8/remove").status_code == 409
    assert admin.post("/admin/framework/kz-nqf-2013/levels", data=level_form(number="8")).status_code == 409
    assert sorted(edition_rows(app, "kz-nqf-2013")[0]) == list(range(1, 9))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_draft_editor_and_its_comparison_show_no_english_from_the_catalogue(app, framework, login_as, language):
    from tests.certificates.test_untranslated_pages import english_fragments, visible_text

    admin = login_as("admin")
    code = draft(admin)
    admin.post(f"/admin/framework/{code}/levels/3/pathways", data=PATHWAY)
    admin.post(f"/admin/framework/{code}/levels/8/remove")
    admin.post("/language", data={"language": language})
    fragments = english_fragments(language)
    for url in (f"/admin/framework/{code}/edit", f"/admin/framework/{code}/compare", "/admin/settings", "/admin/queue"):
        text = visible_text(admin.get(url).get_data(as_text=True))
        assert not [fragment for fragment in fragments if fragment in text], url
