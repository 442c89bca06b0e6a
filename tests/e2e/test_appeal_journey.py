"""An appeal in the browser: the candidate told "not confirmed" sees the period to appeal on his application's page,
lodges an appeal (grounds, the criterion contested, a new document, the confirmation); an administrator forms the
panel from people who took no part; the member declares no conflict, reads the case file and casts his vote, which
(his panel being of one) decides; the candidate reads the answer. Upheld with the panel's own decision, the
certificate is issued and downloaded."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from certcenter.appeals.models import Appeal
from certcenter.extensions import db
from tests import samples
from tests.appeals.conftest import in_assessment, not_confirmed, submitted  # noqa: F401 - fixtures
from tests.e2e.test_assessment_journey import sign_in

pytestmark = pytest.mark.browser

GROUNDS = "The practical task was recorded against another candidate's sheet; my own sheet is attached."


def lodge_and_hear(app, browser, live_server, decided, make_user, tmp_path, outcome_label: str, answer: str):
    candidate = sign_in(browser, live_server, decided.candidate.user.email)
    candidate.goto(f"/applications/{decided.application_id}")
    expect(candidate.locator("#appeal-deadline")).to_contain_text("You may appeal against this decision until")
    candidate.get_by_role("link", name="Lodge an appeal").click()
    candidate.locator("input[name=contested]").first.check()
    candidate.get_by_label("Grounds of the appeal").fill(GROUNDS)
    sheet = tmp_path / "my-practical-sheet.pdf"
    sheet.write_bytes(samples.PDF)
    candidate.get_by_label("New evidence (optional: PDF, JPEG, PNG, DOCX or ODT)").set_input_files(str(sheet))
    candidate.get_by_role("button", name="Lodge the appeal").click()
    expect(candidate.get_by_text("Your appeal has been lodged.")).to_be_visible()
    expect(candidate.locator("#appeals .appeal-state")).to_have_text("Lodged: the centre forms an appeals panel")

    member_user = make_user("assessor", full_name="Гүлмира Садықова")
    admin_user = make_user("administrator", full_name="Дана Әбенова")
    admin = sign_in(browser, live_server, admin_user.email)
    admin.locator("details.nav-more > summary").click()
    admin.get_by_role("link", name="Appeals", exact=True).click()
    admin.locator("tr[data-appeal] td a").first.click()
    options = admin.get_by_label("Member of the panel").locator("option").all_inner_texts()
    assessor_names = [assessor.user.full_name for assessor in decided.scene.assessors]
    assert all(any(o.startswith(name) and "took part" in o for o in options) for name in assessor_names)
    admin.get_by_label("Member of the panel").select_option(value=str(member_user.id))
    admin.get_by_role("button", name="Put on the panel").click()
    expect(admin.get_by_text("Гүлмира Садықова is on the panel.")).to_be_visible()

    with app.app_context():
        appeal_id = db.session.scalar(select(Appeal.id))
    member = sign_in(browser, live_server, member_user.email)
    member.goto(f"/appeals/{appeal_id}")
    member.get_by_label("No, I have no conflict of interest").check()
    member.get_by_role("button", name="Record my declaration").click()
    expect(member.locator("#case-evidence")).to_be_visible()
    expect(member.locator("#grounds")).to_contain_text(GROUNDS)
    expect(member.get_by_role("heading", name="Cast your vote")).to_be_visible()
    member.get_by_label("Your vote", exact=True).select_option(label=outcome_label)
    member.get_by_label("Your reasoning").fill("The sheet attached is the candidate's own and it passes.")
    member.get_by_label("Answer to the candidate").fill(answer)
    member.get_by_role("button", name="Cast my vote").click()
    expect(member.get_by_text("Your vote makes the majority: the outcome is carried out")).to_be_visible()
    expect(member.locator("#outcome")).to_contain_text(outcome_label)
    expect(member.locator("#outcome")).to_contain_text("The sheet attached is the candidate's own and it passes.")

    candidate.goto(f"/applications/{decided.application_id}")
    expect(candidate.locator("#appeals")).to_contain_text(answer)
    return candidate, admin


def test_an_appeal_dismissed_in_the_browser_tells_the_candidate_why(
    app,
    browser,
    live_server,
    not_confirmed,  # noqa: F811 - the fixture imported above
    make_user,
    tmp_path,
):
    decided = not_confirmed()
    candidate, _admin = lodge_and_hear(
        app, browser, live_server, decided, make_user, tmp_path, "Dismissed: the decision stands", "The marks stand."
    )
    assert candidate.locator("#application-state").inner_text() == "Qualification not confirmed"


def test_from_lodging_an_appeal_to_the_certificate_after_it_is_upheld(
    app,
    browser,
    live_server,
    not_confirmed,  # noqa: F811 - the fixture imported above
    make_user,
    tmp_path,
):
    decided = not_confirmed()
    candidate, admin = lodge_and_hear(
        app,
        browser,
        live_server,
        decided,
        make_user,
        tmp_path,
        "Upheld: the panel decides, the facts not being in dispute",
        "Your qualification is confirmed.",
    )
    assert candidate.locator("#application-state").inner_text() == "Qualification confirmed"
    admin.get_by_role("link", name="Certificates").click()
    admin.get_by_role("link", name="Issue certificates").click()
    admin.locator("#select-all").check()
    admin.get_by_role("button", name="Issue the selected certificates").click()
    candidate.goto("/dashboard")
    card = candidate.locator("article.application-card")
    expect(card.locator(".state")).to_have_text("Certificate issued")
    with candidate.expect_download() as download:
        card.get_by_role("link", name="Download the PDF").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert decided.candidate.user.full_name.split()[0] in text
