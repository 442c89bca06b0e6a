"""Editions in force: applying uses the edition in force that day (refused when none is, or when the
qualification's edition is not the one in force); a decision on an application whose edition has since been
replaced says so and follows the centre's rule (DECISION_EDITION: the application's own edition by default)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.assessments.models import Decision
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition
from certcenter.framework.services import bundled_edition_files, load_edition, read_edition_file
from tests.assessments.conftest import application_state, judgement
from tests.conftest import login

SUCCESSOR = {"kk": "Сынақ редакциясы", "ru": "Тестовая редакция", "en": "Test edition"}


def load_successor(app, in_force_from: date = date(2025, 1, 1)) -> None:
    """A later edition (the 2013 content under a new code), in force from ``in_force_from`` with no end."""
    with app.app_context():
        data = read_edition_file(bundled_edition_files()[0])
        data["edition"].update(code="TEST-NQF", title=SUCCESSOR, in_force_from=in_force_from, in_force_to=None)
        load_edition(data)
        db.session.commit()


def english(*clients) -> None:
    for client in clients:
        client.post("/language", data={"language": "en"})


def apply(client, qualification_id: int):
    return client.post(f"/qualifications/{qualification_id}/apply", data={"form_token": "t"}, follow_redirects=True)


def test_applying_under_the_last_edition_after_its_repeal_follows_the_centres_rule(
    app, make_app, catalogue, make_candidate
):
    candidate = make_candidate(education=["general_secondary"], years=2)
    english(candidate)
    strict = make_app(APPLY_UNDER_REPEALED_EDITION=False).test_client()
    assert login(strict, candidate.user.email).status_code == 302
    strict.post("/language", data={"language": "en"})
    refused = apply(strict, catalogue["WELD-3"])
    assert "No edition of the qualifications framework is in force today" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Application)).all() == []
    # by default the bundled 2013 edition, the last one loaded, is still applied under
    apply(candidate, catalogue["WELD-3"])
    with app.app_context():
        (application,) = db.session.scalars(select(Application)).all()
        assert application.edition.code == db.session.scalar(select(FrameworkEdition.code))


def test_a_qualification_of_an_edition_no_longer_in_force_is_refused(app, catalogue, make_candidate):
    load_successor(app)
    candidate = make_candidate(education=["general_secondary"], years=2)
    english(candidate)
    page = apply(candidate, catalogue["WELD-3"]).get_data(as_text=True)
    assert "which is not the edition in force today" in page and "Test edition" in page
    with app.app_context():
        assert db.session.scalars(select(Application)).all() == []


def test_an_edition_not_yet_in_force_is_not_applied_under(app, catalogue, make_candidate):
    load_successor(app, in_force_from=date(2099, 1, 1))  # announced, not yet in force: the 2013 one goes on
    candidate = make_candidate(education=["general_secondary"], years=2)
    apply(candidate, catalogue["WELD-3"])
    with app.app_context():
        assert db.session.scalar(select(Application)).edition.code != "TEST-NQF"


def decided(app, scene, admin) -> Decision:
    for assessor, assignment_id in zip(scene.assessors, scene.assignment_ids, strict=True):
        assert assessor.post(f"/assess/{assignment_id}/submit", data=judgement(scene)).status_code == 302
    with app.app_context():
        version = str(db.session.get(Application, scene.application_id).version)
    assert (
        admin.post(
            f"/admin/applications/{scene.application_id}/decision", data={"outcome": "confirmed", "version": version}
        ).status_code
        == 302
    )
    assert application_state(app, scene.application_id) == "confirmed"
    with app.app_context():
        decision = db.session.scalar(select(Decision))
        db.session.expunge(decision)
        return decision


def test_a_decision_after_the_edition_was_replaced_says_so_and_keeps_the_applications_edition(app, in_assessment):
    scene = in_assessment()
    load_successor(app)
    decision = decided(app, scene, scene.admin)
    with app.app_context():
        own = db.session.get(Application, scene.application_id).edition
        assert decision.edition_id == own.id and decision.snapshot["edition"]["code"] == own.code
    replaced = decision.snapshot["edition_replaced"]
    assert replaced["in_force"]["code"] == "TEST-NQF" and replaced["rule"] == "application"
    english(scene.candidate)
    page = scene.candidate.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "since replaced by “Test edition”" in page
    assert "the decision is made under the application’s own edition" in page


def test_the_centre_may_decide_under_the_edition_in_force(app, make_app, in_assessment):
    scene = in_assessment()
    load_successor(app)
    admin = make_app(DECISION_EDITION="in_force").test_client()
    assert login(admin, scene.admin.user.email).status_code == 302
    decision = decided(app, scene, admin)
    with app.app_context():
        successor = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == "TEST-NQF"))
        assert decision.edition_id == successor.id
    assert decision.snapshot["edition"]["code"] == "TEST-NQF"
    english(scene.candidate)
    page = scene.candidate.get(f"/applications/{scene.application_id}").get_data(as_text=True)
    assert "the decision is made under the edition in force" in page
