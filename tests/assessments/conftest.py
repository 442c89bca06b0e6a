"""An application brought to assessment: a candidate with mapped evidence, submitted, two assessors assigned."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.assessments.models import Assignment
from certcenter.extensions import db
from certcenter.qualifications.criteria import criterion_keys
from tests import samples


@dataclass
class Scene:
    application_id: int
    candidate: FlaskClient
    admin: FlaskClient
    assessors: list[FlaskClient]
    assignment_ids: list[int]
    criteria: list[str]
    evidence_ids: list[int]


def application_state(app, application_id):
    with app.app_context():
        return db.session.get(Application, application_id).state


def judgement(
    scene: Scene,
    ratings: dict[str, str] | str = "met",
    justification: str = "Shown by the evidence.",
    theory: int | None = 85,
    practical: int | None = 90,
    met_at_level: dict[str, int] | None = None,
    version: str | None = None,
) -> dict:
    """The judgement page's fields: one rating for every criterion (or per key), all rules of evidence met."""
    data: dict = {"reviewed": [str(item) for item in scene.evidence_ids]}
    for item in scene.evidence_ids:
        for rule in ("valid", "sufficient", "authentic", "current"):
            data[f"review|{item}|{rule}"] = "on"
        data[f"review|{item}|comment"] = ""
    for key in scene.criteria:
        rating = ratings if isinstance(ratings, str) else ratings.get(key, "met")
        data[f"rating|{key}|rating"] = rating
        data[f"rating|{key}|justification"] = justification
        data[f"rating|{key}|evidence"] = [str(item) for item in scene.evidence_ids]
        if met_at_level and key in met_at_level:
            data[f"rating|{key}|met_at_level"] = str(met_at_level[key])
    for kind, percent in (("theory", theory), ("practical", practical)):
        if percent is not None:
            data[f"result|{kind}|percent"] = str(percent)
            data[f"result|{kind}|taken_on"] = "2026-11-20"
            data[f"result|{kind}|notes"] = ""
    if version is not None:
        data["version"] = version
    return data


def declare_no_conflict(client: FlaskClient, assignment_id: int):
    return client.post(f"/assess/{assignment_id}", data={"conflict": "no"})


@pytest.fixture
def submitted(app, make_candidate, login_as, catalogue):
    """A submitted, eligible application for WELD-3 (level 3), with two evidence items mapped to every criterion."""

    def _make(code: str = "WELD-3", education=("general_secondary",), years: float = 2) -> Scene:
        candidate = make_candidate(education=list(education), years=years)
        response = candidate.post(
            f"/qualifications/{catalogue[code]}/apply", data={"form_token": f"apply-{code}-{candidate.user.id}"}
        )
        application_id = int(response.headers["Location"].rsplit("/", 1)[1])
        for name, content in (("diploma.pdf", samples.PDF), ("weld.png", samples.png())):
            candidate.post(
                f"/applications/{application_id}/evidence",
                content_type="multipart/form-data",
                data={"kind": "work_sample", "description": name, "file": (io.BytesIO(content), name)},
            )
        with app.app_context():
            application = db.session.get(Application, application_id)
            keys = sorted(criterion_keys(application.qualification))
            evidence_ids = [item.id for item in application.evidence]
        for item in evidence_ids:
            candidate.post(f"/applications/{application_id}/evidence/{item}/criteria", data={"criteria": keys})
        assert candidate.post(f"/applications/{application_id}/submit", data={}).status_code == 302
        admin = login_as("admin", full_name="Әкімші Бас")
        return Scene(application_id, candidate, admin, [], [], keys, evidence_ids)

    return _make


@pytest.fixture
def in_assessment(app, submitted, login_as):
    """The submitted application with two assessors assigned (the first is the lead), both declared no conflict."""

    def _make(**kwargs) -> Scene:
        scene = submitted(**kwargs)
        for index in range(2):
            assessor = login_as("assessor", full_name=f"Бағалаушы {index + 1}")
            response = scene.admin.post(
                f"/admin/applications/{scene.application_id}/assign", data={"assessor_id": assessor.user.id}
            )
            assert response.status_code == 302
            scene.assessors.append(assessor)
        with app.app_context():
            scene.assignment_ids = db.session.scalars(
                select(Assignment.id).where(Assignment.application_id == scene.application_id).order_by(Assignment.id)
            ).all()
        for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
            assert declare_no_conflict(assessor, assignment_id).status_code == 302
        return scene

    return _make
