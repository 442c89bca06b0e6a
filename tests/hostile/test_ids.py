"""Ids parsed with one strict pattern: a Unicode digit, a huge number or junk is 400 or 404, never 500."""

import io

import pytest

from tests import samples
from tests.assessments.conftest import judgement

UNICODE_DIGITS = ["²", "٣", "１", "৩"]  # superscript two, Arabic-Indic three, fullwidth one, Bengali three
JUNK = [*UNICODE_DIGITS, "-1", "1.0", " 1", "0x1", "99999999999999999999999"]


@pytest.mark.parametrize("value", JUNK)
@pytest.mark.parametrize("route", ["/admin/certificates/progress", "/admin/certificates/status.json"])
def test_issuing_progress_refuses_bad_ids(login_as, route, value):
    admin = login_as("admin")
    assert admin.get(f"{route}?ids={value}").status_code == 400
    assert admin.get(f"{route}?ids=1,{value}").status_code == 400
    assert admin.get(f"{route}?ids=1,2").status_code == 200


@pytest.mark.parametrize("value", JUNK)
def test_issuing_refuses_bad_application_ids(login_as, value):
    response = login_as("admin").post("/admin/certificates/issue", data={"application": ["1", value]})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["١", "১", "１", "²", "99999999999999999999999"])  # three ways to write 1
def test_ids_in_addresses_take_ascii_digits_only(app, make_candidate, catalogue, value):
    client = make_candidate()
    response = client.post(f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": "t"})
    application_id = response.headers["Location"].rsplit("/", 1)[1]
    data = {"kind": "diploma", "description": "d", "file": (io.BytesIO(samples.PDF), "d.pdf")}
    client.post(f"/applications/{application_id}/evidence", data=data, content_type="multipart/form-data")
    assert client.get("/evidence/1").status_code == 200
    assert client.get(f"/evidence/{value}").status_code == 404  # "١" used to open item 1
    assert client.get(f"/applications/{value}").status_code == 404


@pytest.mark.parametrize(
    "field",
    [
        ("review|²|comment", "x"),
        ("review|abc|valid", "on"),
        ("reviewed", "²"),
        ("reviewed", "abc"),
        ("rating|{key}|evidence", "²"),
    ],
)
def test_a_judgement_with_a_bad_evidence_id_is_a_bad_request(app, in_assessment, field):
    scene = in_assessment()
    assessor, assignment_id = scene.assessors[0], scene.assignment_ids[0]
    name, value = field
    data = judgement(scene)
    name = name.format(key=scene.criteria[0])
    data[name] = [*data[name], value] if isinstance(data.get(name), list) else value
    for action in ("draft", "submit"):
        response = assessor.post(f"/assess/{assignment_id}/{action}", data=data)
        assert response.status_code == 400, action


def test_a_bad_level_or_percentage_is_refused_not_a_crash(app, in_assessment):
    scene = in_assessment()
    assessor, assignment_id = scene.assessors[0], scene.assignment_ids[0]
    data = judgement(scene, ratings="not_met") | {f"rating|{scene.criteria[0]}|met_at_level": "²"}
    assert assessor.post(f"/assess/{assignment_id}/draft", data=data).status_code == 302
    data = judgement(scene) | {"result|theory|percent": "٨٥"}  # 85 in Arabic-Indic digits: not a percentage here
    response = assessor.post(f"/assess/{assignment_id}/draft", data=data, headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.get_json()["saved"] is False
