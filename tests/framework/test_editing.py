"""Framework editions in the browser: a draft copied from an edition, its texts edited in kk/ru/en and compared side
by side with the edition it came from, published and then frozen; the YAML exported and imported; the public pages
show published editions only, the one in force and their history."""

from __future__ import annotations

import io
import re

import yaml
from sqlalchemy import select

from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition

DESCRIPTOR = "levels-3-descriptors-knowledge-kk"  # level 4's knowledge descriptor, in Kazakh


def draft(admin, code="kz-nqf-2026"):
    response = admin.post("/admin/framework/copy", data={"source": "kz-nqf-2013", "code": code})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/framework/{code}/edit")
    return code


def editor_values(page: str) -> dict[str, str]:
    """The editor's fields as the browser would send them back."""
    import html

    values = {
        name: html.unescape(text)
        for name, text in re.findall(r'<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)</textarea>', page)
    }
    for name in ("in_force_from", "in_force_to"):
        found = re.search(rf'name="{name}" type="date" value="([^"]*)"', page)
        values[name] = found.group(1) if found else ""
    return values


def test_a_draft_is_copied_edited_compared_and_published(app, framework, login_as, client):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    code = draft(admin)
    assert client.get(f"/framework/{code}/").status_code == 404  # a draft is not public
    assert code not in client.get("/framework/editions").get_data(as_text=True)

    page = admin.get(f"/admin/framework/{code}/edit").get_data(as_text=True)
    values = editor_values(page)
    assert len([name for name in values if name.endswith("-kk")]) > 40  # every level, descriptor, pathway, term
    values[DESCRIPTOR] = "Жаңартылған білім дескрипторы"
    values["terms-0-definition-ru"] = "Новое определение"
    values["in_force_from"] = "2026-01-01"
    response = admin.post(f"/admin/framework/{code}/edit", data=values, follow_redirects=True)
    assert "The draft has been saved." in response.get_data(as_text=True)

    compare = admin.get(f"/admin/framework/{code}/compare").get_data(as_text=True)
    assert "Жаңартылған білім дескрипторы" in compare and "Новое определение" in compare
    old = re.search(r'<td class="before" lang="kk">([^<]*)</td>\s*<td class="after" lang="kk">Жаңартылған', compare)
    assert old and old.group(1).strip()  # the source's text beside the new one
    assert "2026-01-01" in compare

    response = admin.post(f"/admin/framework/{code}/publish", follow_redirects=True)
    assert "The edition has been published" in response.get_data(as_text=True)
    assert "Жаңартылған білім дескрипторы" in client.get(f"/framework/{code}/levels/4").get_data(as_text=True)
    history = client.get("/framework/editions").get_data(as_text=True)  # the history: both, the new one first
    assert history.index(f'href="/framework/{code}/"') < history.index('href="/framework/kz-nqf-2013/"')
    assert client.get("/framework/", follow_redirects=False).headers["Location"].endswith(f"/framework/{code}/")

    # frozen: the editor saves nothing
    values[DESCRIPTOR] = "Тағы бір өзгеріс"
    response = admin.post(f"/admin/framework/{code}/edit", data=values)
    assert "A published edition is frozen" in response.get_data(as_text=True)
    with app.app_context():
        edition = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == code))
        assert edition.status == "published" and edition.derived_from.code == "kz-nqf-2013"
        assert edition.level(4).descriptor("knowledge").text["kk"] == "Жаңартылған білім дескрипторы"
        actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "FrameworkEdition")))
        assert {"framework.copy", "framework.edit", "framework.publish"} <= actions


def test_a_text_left_empty_is_refused_and_nothing_is_saved(app, framework, login_as):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    code = draft(admin)
    values = editor_values(admin.get(f"/admin/framework/{code}/edit").get_data(as_text=True))
    values[DESCRIPTOR] = "Өзгертілген"
    values["levels-0-pathways_text-ru"] = "   "
    response = admin.post(f"/admin/framework/{code}/edit", data=values)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The edition is not valid" in page
    assert "Өзгертілген" in page  # the input is kept
    with app.app_context():
        edition = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == code))
        assert edition.level(4).descriptor("knowledge").text["kk"] != "Өзгертілген"


def test_the_yaml_is_exported_and_imported_as_a_draft(app, framework, login_as, client):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    exported = admin.get("/admin/framework/kz-nqf-2013.yaml")
    assert exported.status_code == 200 and exported.mimetype == "application/yaml"
    data = yaml.safe_load(exported.get_data(as_text=True))
    assert data["edition"]["code"] == "kz-nqf-2013" and len(data["levels"]) == 8

    # the same code again: a published edition is frozen
    response = admin.post(
        "/admin/framework/import",
        data={"file": (io.BytesIO(exported.get_data()), "kz-nqf-2013.yaml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "A published edition is frozen" in response.get_data(as_text=True)

    data["edition"]["code"] = "kz-nqf-imported"
    data["terms"][0]["term"]["en"] = "Imported term"
    response = admin.post(
        "/admin/framework/import",
        data={"file": (io.BytesIO(yaml.safe_dump(data, allow_unicode=True).encode()), "edition.yaml")},
        content_type="multipart/form-data",
    )
    assert response.headers["Location"].endswith("/admin/framework/kz-nqf-imported/edit")
    with app.app_context():
        edition = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == "kz-nqf-imported"))
        assert edition.is_draft and edition.terms[0].term["en"] == "Imported term"
    again = yaml.safe_load(admin.get("/admin/framework/kz-nqf-imported.yaml").get_data(as_text=True))
    assert again["levels"] == data["levels"]  # what was imported comes back out the same

    for content in (b"not: [yaml", b"schema: 2\n", "\u0000".encode()):
        response = admin.post(
            "/admin/framework/import",
            data={"file": (io.BytesIO(content), "x.yaml")},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        text = response.get_data(as_text=True)
        assert "not a YAML framework edition" in text or "The edition is not valid" in text


def test_only_administrators_edit_editions(app, framework, login_as, client):
    admin = login_as("admin")
    code = draft(admin)
    for role in ("candidate", "assessor"):
        user = login_as(role)
        assert user.get(f"/admin/framework/{code}/edit").status_code == 403
        assert user.post(f"/admin/framework/{code}/publish").status_code == 403
        assert user.post("/admin/framework/copy", data={"source": "kz-nqf-2013", "code": "x"}).status_code == 403
    assert client.get("/admin/framework/").status_code == 302


def test_a_draft_edition_s_levels_are_not_offered_to_qualifications(app, framework, login_as):
    admin = login_as("admin")
    code = draft(admin)
    page = admin.get("/admin/qualifications/new").get_data(as_text=True)
    assert f"{code} ·" not in page
    admin.post(f"/admin/framework/{code}/publish")
    assert f"{code} ·" in admin.get("/admin/qualifications/new").get_data(as_text=True)


def test_a_pathway_s_rule_and_the_eqf_level_are_edited_and_checked(app, framework, login_as):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    code = draft(admin)
    page = admin.get(f"/admin/framework/{code}/edit").get_data(as_text=True)
    values = editor_values(page)
    assert "experience_years: 3" in values["levels-3-pathways-0-rule"]  # level 4, pathway 4.1, as YAML

    for wrong, message in (
        ("all: [", "is not valid YAML"),
        ("all:\n- experience_years: -2\n", "The edition is not valid"),
        ("flying: true\n", "The edition is not valid"),
    ):
        response = admin.post(f"/admin/framework/{code}/edit", data=values | {"levels-3-pathways-0-rule": wrong})
        assert message in response.get_data(as_text=True), wrong
    response = admin.post(f"/admin/framework/{code}/edit", data=values | {"levels-3-eqf_level": "9"})
    assert "The EQF level is a number from 1 to 8" in response.get_data(as_text=True)

    rule = "all:\n- education_at_least: technical_vocational\n- experience_years: 2\n"
    response = admin.post(
        f"/admin/framework/{code}/edit",
        data=values | {"levels-3-pathways-0-rule": rule, "levels-3-eqf_level": "5"},
        follow_redirects=True,
    )
    assert "The draft has been saved." in response.get_data(as_text=True)
    compare = admin.get(f"/admin/framework/{code}/compare").get_data(as_text=True)
    assert "Rule of pathway 4.1" in compare and "experience_years: 2" in compare
    with app.app_context():
        edition = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == code))
        level = edition.level(4)
        assert level.eqf_level == 5
        assert level.pathways[0].rule == {
            "all": [{"education_at_least": "technical_vocational"}, {"experience_years": 2}]
        }
