"""Every public page, in every language, answers 200 with the page's language declared."""

import pytest

from tests.conftest import html_lang

PUBLIC_PAGES = [
    "/",
    "/framework/kz-nqf-2013/",
    *[f"/framework/kz-nqf-2013/levels/{number}" for number in range(1, 9)],
    "/framework/kz-nqf-2013/glossary",
    "/framework/editions",
    "/login",
    "/register",
]

# A phrase of each language's catalog that the home page shows, so a missing catalog fails the test.
HOME_PHRASE = {
    "kk": "Біліктілігіңізді растаңыз",
    "ru": "Подтвердите свою квалификацию",
    "en": "Confirm your qualification",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_public_page_in_every_language(client, framework, language):
    response = client.post("/language", data={"language": language, "next": "/"})
    assert response.status_code == 302
    for path in PUBLIC_PAGES:
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert html_lang(html) == language, path


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_home_page_is_translated(client, language):
    client.post("/language", data={"language": language})
    html = client.get("/").get_data(as_text=True)
    assert HOME_PHRASE[language] in html


def test_kazakh_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert html_lang(html) == "kk"
    assert HOME_PHRASE["kk"] in html


def test_levels_table_shows_descriptors_side_by_side_in_the_chosen_language(client, framework):
    kk = client.get("/framework/kz-nqf-2013/").get_data(as_text=True)
    assert kk.count("<tr>") == 9  # header + 8 levels
    assert "Қарапайым тәжірибелік тапсырмаларды тыңдайды" in kk
    client.post("/language", data={"language": "en"})
    en = client.get("/framework/kz-nqf-2013/").get_data(as_text=True)
    assert "Қарапайым тәжірибелік" not in en
    assert "EQF 8" in en
    assert "This edition has been repealed." in en


def test_level_page_lists_pathways_with_their_rule(client, framework):
    client.post("/language", data={"language": "en"})
    html = client.get("/framework/kz-nqf-2013/levels/4").get_data(as_text=True)
    assert "Pathway 4.1" in html and "Pathway 4.2" in html
    assert "at least 3 years of practical experience" in html


def test_glossary_has_fourteen_terms(client, framework):
    html = client.get("/framework/kz-nqf-2013/glossary").get_data(as_text=True)
    assert html.count("<dt ") == 14
    assert "функционалдық карта" in html


def test_unknown_edition_and_level_are_404_in_the_users_language(client, framework):
    client.post("/language", data={"language": "ru"})
    response = client.get("/framework/kz-nqf-2013/levels/9")
    assert response.status_code == 404
    assert "Страница не найдена" in response.get_data(as_text=True)
    assert client.get("/framework/no-such-edition/").status_code == 404


def test_language_switch_refuses_open_redirects_and_unknown_languages(client):
    response = client.post("/language", data={"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    response = client.post("/language", data={"language": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
    assert client.post("/language", data={"language": "de"}).status_code == 400


def test_locale_is_kept_per_user(app, client, make_user):
    from tests.conftest import login

    user = make_user()
    login(client, user.email)
    client.post("/language", data={"language": "ru"})
    client.post("/logout")
    fresh = app.test_client()
    login(fresh, user.email)
    assert html_lang(fresh.get("/").get_data(as_text=True)) == "ru"
