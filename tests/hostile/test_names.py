"""People's names normalised before they are stored: an RLO must never reorder a name on a certificate, a name
of zero-width characters is no name, and every way a name comes in (registration, profile, administrator, CLI)
goes through the same normaliser."""

import unicodedata

import pytest
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates.models import Certificate
from certcenter.core.text import BIDI_CONTROLS
from certcenter.extensions import db
from tests.certificates.conftest import pdftotext

RLO_NAME = "Иван \u202eвортеП\u202c Сидоров"  # shows as "Иван Петров Сидоров"
STORED = "Иван вортеП Сидоров"  # what was typed, in the order it was typed, and nothing hidden
INVISIBLE = "\u200b\u200c\u2060\u200d"
PROFILE = {
    "full_name_latin": "Ivan Sidorov",
    "iin": "900515300127",
    "birth_date": "1990-05-15",
    "phone": "+7 701 555 01 28",
    "employer": "",
    "position": "",
}
REGISTRATION = {"email": "ivan@example.kz", "password": "long-enough-pw", "confirm": "long-enough-pw", "accept": "y"}


def hidden(text: str) -> set[str]:
    return {ch for ch in text if ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cf", "Cc")}


def test_registration_stores_the_name_without_bidi_controls(app, client):
    assert client.post("/register", data=REGISTRATION | {"full_name": f"  {RLO_NAME}\u200b  "}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.full_name).where(User.email == "ivan@example.kz")) == STORED


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "The name must contain visible letters."), ("ru", "Имя должно содержать видимые буквы."), ("kk", "Атында")],
)
def test_a_name_of_invisible_characters_is_refused(app, client, language, message):
    client.post("/language", data={"language": language})
    response = client.post("/register", data=REGISTRATION | {"full_name": INVISIBLE})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "ivan@example.kz")) is None


def test_the_profile_normalises_both_names(app, login_as):
    candidate = login_as("candidate")
    data = PROFILE | {"full_name": f"{RLO_NAME}\u00a0 ", "full_name_latin": "Ivan\u200b \u202dSidorov"}
    assert candidate.post("/profile", data=data).status_code == 302
    with app.app_context():
        profile = db.session.scalar(select(CandidateProfile))
        assert (profile.full_name, profile.full_name_latin) == (STORED, "Ivan Sidorov")


def test_the_profile_refuses_a_name_with_nothing_visible(app, login_as):
    candidate = login_as("candidate")
    candidate.post("/language", data={"language": "en"})
    response = candidate.post("/profile", data=PROFILE | {"full_name": INVISIBLE + " \u3164"})
    assert response.status_code == 200
    assert "The name must contain visible letters." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(CandidateProfile)) is None


def test_an_administrator_created_user_is_normalised(app, login_as):
    admin = login_as("admin")
    data = {"full_name": "Марат\u2067 Ахметов\u2069", "email": "marat@example.kz", "roles": ["assessor"]}
    assert admin.post("/admin/users/new", data=data).status_code == 200
    refused = admin.post("/admin/users/new", data=data | {"full_name": INVISIBLE, "email": "x@example.kz"})
    with app.app_context():
        names = db.session.scalars(select(User.full_name).where(User.email.in_(["marat@example.kz", "x@example.kz"])))
        assert list(names) == ["Марат Ахметов"]
    assert refused.status_code == 200


def test_the_command_line_refuses_an_invisible_name(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--role", "admin", "--email", "a@example.kz", "--name", INVISIBLE],
        input="long-enough-pw\nlong-enough-pw\n",
    )
    assert result.exit_code != 0 and "visible letters" in result.output


def issue_and_read(app, application_id: int, admin, tmp_path) -> tuple[Certificate, str]:
    assert admin.post("/admin/certificates/issue", data={"application": [str(application_id)]}).status_code == 302
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == application_id))
    response = admin.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    return certificate, pdftotext(response.data, tmp_path)


def test_an_rlo_in_a_name_never_reaches_the_certificate(app, confirmed, login_as, tmp_path):
    (application_id,) = confirmed(full_name=RLO_NAME)
    certificate, text = issue_and_read(app, application_id, login_as("admin"), tmp_path)
    assert "Петров" not in text and STORED in text
    assert not hidden(text.replace("\n", "").replace("\f", ""))
    assert certificate.holder_name == STORED


def test_a_name_stored_before_the_normaliser_is_cleaned_on_the_certificate(app, confirmed, login_as, tmp_path):
    (application_id,) = confirmed()
    with app.app_context():  # a profile saved and an application submitted by an earlier version, bidi override and all
        profile = db.session.scalar(select(CandidateProfile).order_by(CandidateProfile.id.desc()))
        profile.full_name = RLO_NAME
        db.session.get(Application, application_id).identity_name = RLO_NAME  # the name frozen at submission
        db.session.commit()
    certificate, text = issue_and_read(app, application_id, login_as("admin"), tmp_path)
    assert certificate.holder_name == STORED
    assert STORED in text and "Петров" not in text
