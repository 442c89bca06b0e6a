"""Every candidate route refuses another candidate's objects (404: not even their existence is told) and changes
nothing; assessors and anonymous visitors get nothing either."""

import io

import pytest
from sqlalchemy import func, select

from certcenter import create_app
from certcenter.applications.models import Application
from certcenter.candidates.models import EducationRecord, ExperienceRecord
from certcenter.core.models import AuditEntry
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from tests import samples

# (method, url template) for every route that takes an object id outside /admin
OBJECT_ROUTES = [
    ("GET", "/applications/{application}"),
    ("POST", "/applications/{application}/evidence"),
    ("POST", "/applications/{application}/evidence/{item}/delete"),
    ("POST", "/applications/{application}/evidence/{item}/criteria"),
    ("POST", "/applications/{application}/submit"),
    ("POST", "/applications/{application}/withdraw"),
    ("POST", "/profile/education/{education}/delete"),
    ("POST", "/profile/experience/{experience}/delete"),
    ("GET", "/evidence/{item}"),
]


def test_every_object_route_is_listed_here():
    app = create_app("testing")
    found = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.arguments
        and rule.endpoint.split(".")[0] in ("candidates", "applications", "evidence")
        and not rule.rule.startswith(("/admin", "/qualifications"))  # applying: a public object, not one's own
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    listed = {
        (
            method,
            url.replace("{application}", "<int:application_id>")
            .replace("{item}", "<int:item_id>")
            .replace("{education}", "<int:record_id>")
            .replace("{experience}", "<int:record_id>"),
        )
        for method, url in OBJECT_ROUTES
    }
    assert found == listed


@pytest.fixture
def victim(app, make_candidate, catalogue):
    client = make_candidate(education=["general_secondary"], years=2)
    response = client.post(f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": "victim"})
    application_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(
        f"/applications/{application_id}/evidence",
        content_type="multipart/form-data",
        data={"kind": "diploma", "description": "Secret diploma", "file": (io.BytesIO(samples.PDF), "d.pdf")},
    )
    with app.app_context():
        ids = {
            "application": application_id,
            "item": db.session.scalar(select(EvidenceItem.id)),
            "education": db.session.scalar(select(EducationRecord.id)),
            "experience": db.session.scalar(select(ExperienceRecord.id)),
        }
    return ids


def state(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(EvidenceItem)),
            db.session.scalar(select(func.count()).select_from(EducationRecord)),
            db.session.scalar(select(func.count()).select_from(ExperienceRecord)),
            db.session.scalar(select(Application.state)),
            db.session.scalar(select(func.count()).select_from(AuditEntry)),
        )


def request_data(method, url):
    if url.endswith("/evidence"):
        return {
            "content_type": "multipart/form-data",
            "data": {"kind": "other", "description": "x", "file": (io.BytesIO(samples.PDF), "x.pdf")},
        }
    if url.endswith("/criteria"):
        return {"data": {"criteria": ["descriptor:skills"]}}
    return {"data": {}} if method == "POST" else {}


@pytest.mark.parametrize(("method", "template"), OBJECT_ROUTES)
def test_another_candidate_gets_404_and_changes_nothing(app, victim, make_candidate, method, template):
    intruder = make_candidate()
    url = template.format(**victim)
    before = state(app)
    response = intruder.open(url, method=method, **request_data(method, url))
    assert response.status_code == 404
    assert "Secret diploma" not in response.get_data(as_text=True)
    after = state(app)
    assert after[:4] == before[:4]


@pytest.mark.parametrize(("method", "template"), OBJECT_ROUTES)
def test_an_unassigned_assessor_gets_nothing(app, victim, login_as, method, template):
    url = template.format(**victim)
    response = login_as("assessor").open(url, method=method, **request_data(method, url))
    assert response.status_code in (403, 404)


@pytest.mark.parametrize(("method", "template"), OBJECT_ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(app, victim, client, method, template):
    url = template.format(**victim)
    response = client.open(url, method=method, **request_data(method, url))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
