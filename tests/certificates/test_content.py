"""What the certificate says, read back with pdftotext: in each language, every Kazakh letter, long names, and
user text that can never reach outside the PDF."""

import re

import pytest
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.core.pdf import FetchRefused, make_url_fetcher, static_url
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from tests.certificates.conftest import KAZAKH_LETTERS, pdf_pages, pdftotext


def issue(app, confirmed, login_as, english=True, **kwargs):
    ids = confirmed(1, **kwargs)
    login_as("admin").post(
        "/admin/certificates/issue",
        data={"application": [str(i) for i in ids], **({"english": "y"} if english else {})},
    )
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        with get_storage().open(certificate.storage_key) as handle:
            return certificate, handle.read()


def flat(text):
    return re.sub(r"\s+", " ", text)


def test_the_faces_in_kazakh_russian_and_english(app, confirmed, login_as, tmp_path):
    certificate, pdf = issue(app, confirmed, login_as)
    assert pdf_pages(pdf, tmp_path) == 2  # the kk/ru face and the English page
    text = flat(pdftotext(pdf, tmp_path))
    for expected in (
        "Нұржан Болатұлы Үсенов",
        "Nurzhan Bolatuly Ussenov",
        certificate.number,
        "Электргазбен дәнекерлеуші",
        "Электрогазосварщик",
        "Electric and gas welder",
        certificate.issued_on.strftime("%d.%m.%Y"),
        certificate.expires_on.strftime("%d.%m.%Y"),
        certificate.decided_on.strftime("%d.%m.%Y"),
        "••••••••" + certificate.iin_last4,
        "Біліктілік сертификаты",
        "Сертификат о квалификации",
        "Certificate of qualification",
        "ҰБШ деңгейі 3",
        "Уровень НРК 3",
        "NQF level 3",
        "EQF level 3",
        "Ұлттық біліктілік шеңбері (2013 жылғы редакция)",
        app.config["CENTRE_SIGNATORY_NAME"]["kk"],
        certificate.verification_code,
    ):
        assert expected in text, expected
    standard = certificate.professional_standard
    assert standard["kk"][:30] in text and standard["ru"][:30] in text and standard["en"][:30] in text


def test_every_kazakh_letter_comes_back_with_embedded_fonts(app, confirmed, login_as, tmp_path):
    name = f"Тест {KAZAKH_LETTERS}"
    _certificate, pdf = issue(app, confirmed, login_as, english=False, full_name=name)
    text = flat(pdftotext(pdf, tmp_path))
    assert name in text
    for letter in KAZAKH_LETTERS.replace(" ", ""):
        assert letter in text
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    import subprocess

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column


def test_a_long_name_wraps_on_the_one_page(app, confirmed, login_as, tmp_path):
    name = ("Әлихан-Нұрсұлтан Қайратұлы-Ғабдулхакимов " * 4)[:120].strip()
    assert len(name) >= 119
    _certificate, pdf = issue(app, confirmed, login_as, english=False, full_name=name)
    assert pdf_pages(pdf, tmp_path) == 1
    assert flat(name) in flat(pdftotext(pdf, tmp_path))


def test_markup_in_a_name_prints_as_text(app, confirmed, login_as, tmp_path):
    name = '<img src="file:///etc/passwd">'
    _certificate, pdf = issue(app, confirmed, login_as, english=False, full_name=name)
    text = pdftotext(pdf, tmp_path)
    assert name in text
    assert "root:" not in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:6379/",
        "https://example.com/x.png",
        "static:../../../etc/passwd",
        "static:/etc/passwd",
    ],
)
def test_the_url_fetcher_serves_only_static_files(app, url):
    fetcher = make_url_fetcher(app.static_folder)
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)


def test_the_url_fetcher_serves_the_stylesheet(app):
    response = make_url_fetcher(app.static_folder).fetch(static_url("pdf/certificate.css"))
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
