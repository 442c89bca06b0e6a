"""Every text that has a language is shown in the reader's: the header badge, the professional standard (pages,
certificate faces, the verification page), the repeal notice of a framework edition."""

from __future__ import annotations

import re

from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.qualifications.models import Qualification
from tests.certificates.conftest import pdftotext


def flat(text):
    return re.sub(r"\s+", " ", text)


def badge(page: str) -> str:
    return re.search(r'class="brand-mark"[^>]*>([^<]*)<', page).group(1)


def test_the_header_badge_is_the_centres_short_name_in_each_language(client):
    shown = {}
    for language in ("kk", "ru", "en"):
        client.post("/language", data={"language": language})
        shown[language] = badge(client.get("/").get_data(as_text=True))
    assert shown == {"kk": "БРО", "ru": "ЦПК", "en": "QCC"}


def test_the_professional_standard_is_in_the_pages_language(app, catalogue, client):
    with app.app_context():
        qualification = db.session.scalar(select(Qualification).where(Qualification.code == "WELD-3"))
        url = f"/qualifications/{qualification.id}"
    expected = {"kk": "«Дәнекерлеу өндірісі» кәсіптік стандарты", "ru": "Профессиональный стандарт «Сварочное",
                "en": "Professional standard «Welding production»"}  # fmt: skip
    for language, words in expected.items():
        client.post("/language", data={"language": language})
        page = client.get(url).get_data(as_text=True)
        assert words in page, language
        assert all(other not in page for lang, other in expected.items() if lang != language), language


def test_the_certificate_states_the_standard_in_the_languages_of_each_face(app, confirmed, login_as, tmp_path, client):
    ids = confirmed(1)
    login_as("admin").post("/admin/certificates/issue", data={"application": [str(ids[0])], "english": "y"})
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        with get_storage().open(certificate.storage_key) as handle:
            pdf = handle.read()
        code = certificate.verification_code
    pages = [flat(page) for page in pdftotext(pdf, tmp_path).split("\f")]
    kk_ru, en = pages[0], pages[1]
    assert "«Дәнекерлеу өндірісі» кәсіптік" in kk_ru and "Профессиональный стандарт «Сварочное" in kk_ru
    assert "Professional standard «Welding production»" in en and "Профессиональный" not in en
    client.post("/language", data={"language": "en"})
    assert "Professional standard «Welding production»" in client.get(f"/verify/{code}").get_data(as_text=True)


def test_the_repeal_notice_is_whole_sentences_in_kazakh(app, framework, client):
    client.post("/language", data={"language": "kk"})
    page = flat(client.get("/framework/kz-nqf-2013/", follow_redirects=True).get_data(as_text=True))
    assert "Бұл редакцияның күші жойылған." in page
    assert "Күшін жойған акт: Қазақстан Республикасы Денсаулық сақтау" in page
    assert "бірлескен бұйрығы." in page  # the act's designation ends its own sentence
