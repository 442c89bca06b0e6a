"""The administrators' lists: search and filters that stay on every page; the catalogue and the certificates to
issue a page at a time."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.core.models import utcnow
from certcenter.extensions import db


@pytest.fixture
def small_pages(app):
    app.config["ADMIN_LIST_PER_PAGE"] = 1
    yield
    app.config["ADMIN_LIST_PER_PAGE"] = 50


def apply(candidate, catalogue, code, token):
    response = candidate.post(f"/qualifications/{catalogue[code]}/apply", data={"form_token": token})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def numbers(html: str) -> list[int]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [int(number) for number in re.findall(r'href="/applications/(\d+)"', body)]


@pytest.fixture
def people(app, make_candidate, catalogue, login_as):
    nurzhan = make_candidate(full_name="Нұржан Үсенов", years=2)
    aigerim = make_candidate(full_name="Айгерім Сапарова", years=2)
    ids = {
        "nurzhan-weld": apply(nurzhan, catalogue, "WELD-3", "n1"),
        "nurzhan-kitchen": apply(nurzhan, catalogue, "KITCHEN-ASSIST-2", "n2"),
        "aigerim-weld": apply(aigerim, catalogue, "WELD-3", "a1"),
    }
    with app.app_context():
        # the kitchen application was submitted forty days ago, the others not at all
        application = db.session.get(Application, ids["nurzhan-kitchen"])
        application.state, application.submitted_at = "submitted", utcnow() - timedelta(days=40)
        ids["aigerim-iin"] = db.session.get(CandidateProfile, aigerim.profile_id).iin
        db.session.commit()
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    return admin, ids


def test_search_by_name_iin_and_number(people):
    admin, ids = people
    assert sorted(numbers(admin.get("/admin/applications?q=Нұржан").get_data(as_text=True))) == sorted(
        [ids["nurzhan-weld"], ids["nurzhan-kitchen"]]
    )
    by_iin = admin.get(f"/admin/applications?q={ids['aigerim-iin']}").get_data(as_text=True)
    assert numbers(by_iin) == [ids["aigerim-weld"]]
    assert ids["aigerim-weld"] in numbers(
        admin.get(f"/admin/applications?q={ids['aigerim-weld']}").get_data(as_text=True)
    )


def test_filters_by_qualification_level_state_and_period(people, catalogue):
    admin, ids = people
    html = admin.get(f"/admin/applications?qualification={catalogue['WELD-3']}").get_data(as_text=True)
    assert sorted(numbers(html)) == sorted([ids["nurzhan-weld"], ids["aigerim-weld"]])
    assert numbers(admin.get("/admin/applications?level=2").get_data(as_text=True)) == [ids["nurzhan-kitchen"]]
    assert numbers(admin.get("/admin/applications?state=submitted").get_data(as_text=True)) == [ids["nurzhan-kitchen"]]
    start = (utcnow() - timedelta(days=45)).date().isoformat()
    end = (utcnow() - timedelta(days=35)).date().isoformat()
    html = admin.get(f"/admin/applications?submitted_from={start}&submitted_to={end}").get_data(as_text=True)
    assert numbers(html) == [ids["nurzhan-kitchen"]]
    recent = (utcnow() - timedelta(days=5)).date().isoformat()
    assert numbers(admin.get(f"/admin/applications?submitted_from={recent}").get_data(as_text=True)) == []
    # a malformed value is ignored, not an error
    assert admin.get("/admin/applications?submitted_from=yesterday&level=x").status_code == 200


def test_the_filters_stay_on_the_next_page(people, small_pages):
    admin, ids = people
    first = admin.get("/admin/applications?q=Нұржан").get_data(as_text=True)
    assert "Page 1 of 2" in first
    link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert "q=" in link and "page=2" in link
    second = admin.get(link).get_data(as_text=True)
    assert "Page 2 of 2" in second
    assert 'value="Нұржан"' in second
    assert sorted(numbers(first) + numbers(second)) == sorted([ids["nurzhan-weld"], ids["nurzhan-kitchen"]])


def test_filter_by_assessor(app, in_assessment, login_as):
    scene = in_assessment()
    other = login_as("candidate")  # noqa: F841 (someone else's account exists)
    with app.app_context():
        assessor_id = db.session.scalar(select(User.id).where(User.id == scene.assessors[0].user.id))
    html = scene.admin.get(f"/admin/applications?assessor={assessor_id}").get_data(as_text=True)
    assert numbers(html) == [scene.application_id]
    assert f'<option value="{assessor_id}"' in html
    nobody = scene.admin.get("/admin/applications?assessor=999999").get_data(as_text=True)
    assert numbers(nobody) == []


def test_the_catalogue_is_searched_and_paged(login_as, catalogue, small_pages):
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    html = admin.get("/admin/qualifications").get_data(as_text=True)
    assert f"Page 1 of {len(catalogue)}" in html
    found = admin.get("/admin/qualifications?q=weld").get_data(as_text=True)
    assert "WELD-3" in found and "KITCHEN-ASSIST-2" not in found
    by_level = admin.get("/admin/qualifications?level=2&page=1").get_data(as_text=True)
    assert "KITCHEN-ASSIST-2" in by_level and "WELD-3" not in by_level


def test_the_certificates_to_issue_come_a_page_at_a_time(confirmed, login_as, small_pages):
    confirmed(2)
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    first = admin.get("/admin/certificates/issue").get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count('name="application"') == 1
    second = admin.get("/admin/certificates/issue?page=2").get_data(as_text=True)
    assert second.count('name="application"') == 1
