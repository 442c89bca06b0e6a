"""The profile form: each IIN problem with its own message, the date of birth checked against it, one IIN each."""

from datetime import date

import pytest
from sqlalchemy import func, select

from certcenter.candidates.models import CandidateProfile
from certcenter.extensions import db
from tests.samples import make_iin

VALID = {
    "full_name": "Нұржан Болатұлы Үсенов",
    "full_name_latin": "Nurzhan Bolatuly Ussenov",
    "iin": "900515300127",
    "birth_date": "1990-05-15",
    "phone": "+7 701 555 01 28",
    "employer": "ЖШС «Тест»",
    "position": "Дәнекерлеуші",
}


@pytest.fixture
def candidate(login_as):
    client = login_as("candidate")
    client.post("/language", data={"language": "en"})
    return client


def profiles(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CandidateProfile))


def test_profile_is_saved_with_the_birth_date_from_the_iin(app, candidate):
    response = candidate.post("/profile", data=VALID)
    assert response.status_code == 302
    with app.app_context():
        profile = db.session.scalar(select(CandidateProfile))
        assert profile.iin == "900515300127" and profile.birth_date == date(1990, 5, 15)


@pytest.mark.parametrize(
    ("iin", "message"),
    [
        ("90051530012", "The IIN must be exactly 12 digits."),
        ("901315300127", "Digits 1–6 of the IIN must be a real date of birth (YYMMDD)."),
        ("900515700127", "Digit 7 of the IIN (century and sex) must be from 1 to 6."),
        ("900515300128", "The last digit of the IIN does not match the others; check for a typing error."),
    ],
)
def test_each_wrong_iin_gets_its_own_message_and_keeps_the_form(app, candidate, iin, message):
    response = candidate.post("/profile", data=VALID | {"iin": iin})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'value="Nurzhan Bolatuly Ussenov"' in html  # nothing typed is lost
    assert profiles(app) == 0


def test_birth_date_must_agree_with_the_iin(app, candidate):
    response = candidate.post("/profile", data=VALID | {"birth_date": "1990-05-16"})
    assert "The date of birth does not match the IIN" in response.get_data(as_text=True)
    assert profiles(app) == 0


def test_one_iin_per_candidate_account(app, candidate, login_as):
    assert candidate.post("/profile", data=VALID).status_code == 302
    other = login_as("candidate")
    other.post("/language", data={"language": "en"})
    response = other.post("/profile", data=VALID)
    assert "This IIN is already registered to another account." in response.get_data(as_text=True)
    assert profiles(app) == 1


def test_profile_can_be_corrected(app, candidate):
    candidate.post("/profile", data=VALID)
    new_iin = make_iin(date(1991, 2, 3))
    assert candidate.post("/profile", data=VALID | {"iin": new_iin, "birth_date": "1991-02-03"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CandidateProfile.iin)) == new_iin
    assert profiles(app) == 1


def test_education_and_experience_records(app, make_candidate):
    client = make_candidate(education=[], years=0)
    client.post("/language", data={"language": "en"})
    response = client.post(
        "/profile/education",
        data={
            "level": "technical_vocational",
            "institution": "Колледж",
            "speciality": "Сварка",
            "year_completed": "2010",
        },
    )
    assert response.status_code == 302
    client.post(
        "/profile/experience",
        data={"employer": "A", "position": "Welder", "started_on": "2018-01-01", "ended_on": "2019-12-31"},
    )
    client.post(
        "/profile/experience",
        data={"employer": "B", "position": "Welder", "started_on": "2019-06-01", "ended_on": "2020-05-31"},
    )
    html = client.get("/profile/experience").get_data(as_text=True)
    assert "Total practical experience: 2 years 5 months" in html  # 2018-01-01..2020-05-31, overlap once
    bad = client.post(
        "/profile/experience",
        data={"employer": "C", "position": "X", "started_on": "2020-01-01", "ended_on": "2019-01-01"},
    )
    assert "The end date is before the start date." in bad.get_data(as_text=True)
    html = client.get("/profile/education").get_data(as_text=True)
    assert "Technical and vocational education" in html


def test_the_year_completed_runs_to_this_year_of_the_centre_s_calendar(app, make_candidate):
    from certcenter.core.i18n import centre_today

    client = make_candidate(education=[], years=0)
    client.post("/language", data={"language": "en"})
    with app.app_context():
        this_year = centre_today().year
    record = {"level": "technical_vocational", "institution": "Колледж", "speciality": "Сварка"}
    refused = client.post("/profile/education", data={**record, "year_completed": str(this_year + 1)})
    assert f"Enter a year between 1940 and {this_year}." in refused.get_data(as_text=True)
    accepted = client.post("/profile/education", data={**record, "year_completed": str(this_year)})
    assert accepted.status_code == 302
