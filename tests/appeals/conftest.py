"""An application decided "not confirmed" (two assessors judged, an administrator decided), ready to appeal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from certcenter.applications.models import Application
from certcenter.extensions import db
from tests.assessments.conftest import Scene, in_assessment, judgement, submitted  # noqa: F401 - fixtures

APPEAL_GROUNDS = "The practical task was marked against the wrong standard."


@dataclass
class Decided:
    scene: Scene
    decider: FlaskClient

    @property
    def application_id(self) -> int:
        return self.scene.application_id

    @property
    def candidate(self) -> FlaskClient:
        return self.scene.candidate


def latest_report_text(app, application_id: int, tmp_path) -> str:
    """The text of the application's newest assessment report (pdftotext, whitespace folded)."""
    from tests.reports.test_assessment_report import report_text, reports

    (*_, report) = [report for report in reports(app) if report.application_id == application_id]
    return report_text(app, report, tmp_path)


def english(client: FlaskClient) -> None:
    client.post("/language", data={"language": "en"})
    with client.application.app_context():
        from certcenter.accounts.models import User

        user = db.session.get(User, client.user.id)
        user.locale = "en"
        db.session.commit()


@pytest.fixture
def not_confirmed(app, in_assessment):  # noqa: F811 - the fixture imported above
    """Both assessors judge every criterion met but the theory test below its pass mark; the administrator decides
    "not confirmed" as recommended."""

    def _make(decided_at: datetime | None = None) -> Decided:
        scene = in_assessment()
        for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
            response = assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene, theory=30))
            assert response.status_code == 302
        with app.app_context():
            version = str(db.session.get(Application, scene.application_id).version)
        response = scene.admin.post(
            f"/admin/applications/{scene.application_id}/decision",
            data={"outcome": "not_confirmed", "version": version},
        )
        assert response.status_code == 302
        with app.app_context():
            application = db.session.get(Application, scene.application_id)
            assert application.state == "not_confirmed"
            if decided_at is not None:
                application.decision.decided_at = decided_at
                db.session.commit()
        english(scene.candidate)
        return Decided(scene, scene.admin)

    return _make


def appeal_form(decided: Decided, **fields) -> dict:
    return {
        "contested": [decided.scene.criteria[0]],
        "grounds": APPEAL_GROUNDS,
        "confirmation_asked": "1",
        "confirmed": "y",
        **fields,
    }
