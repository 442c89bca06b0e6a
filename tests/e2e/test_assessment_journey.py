"""Two assessors judge in the browser (disagreeing on one criterion), an administrator moderates, another
administrator decides (a moderator took part in the assessment, so does not decide), and the candidate sees the
decision on the dashboard."""

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def judge(page, skills_rating):
    page.get_by_role("link", name="Assessments").click()
    page.locator("td a").first.click()
    page.get_by_label("No, I have no conflict of interest").check()
    page.get_by_role("button", name="Record my declaration").click()
    for box in page.locator(".evidence-review input[type=checkbox]").all():
        box.check()
    for card in page.locator("article.criterion-rating").all():
        rating = skills_rating if card.get_attribute("data-criterion") == "descriptor:skills" else "met"
        card.locator("select").first.select_option(rating)
        card.locator("textarea").fill("The weld samples and the diploma show it.")
    for kind, percent in (("theory", "82"), ("practical", "91")):
        page.locator(f"input[name='result|{kind}|percent']").fill(percent)
        page.locator(f"input[name='result|{kind}|taken_on']").fill("2026-11-20")
    page.get_by_role("button", name="Submit the judgement").click()
    assert page.get_by_text("Your judgement has been submitted and locked.").is_visible()


def test_two_assessors_judge_an_admin_moderates_another_decides(browser, live_server, submitted, login_as, make_user):
    scene = submitted()
    assessors = [make_user("assessor", full_name=name) for name in ("Ғалым Өмірбеков", "Ирина Ким")]
    second_admin = make_user("administrator", full_name="Дана Әбенова")

    admin = sign_in(browser, live_server, scene.admin.user.email)
    admin.goto(f"/applications/{scene.application_id}")
    for assessor in assessors:
        admin.get_by_label("Assessor", exact=True).select_option(value=str(assessor.id))
        admin.get_by_role("button", name="Assign", exact=True).click()
        expect(admin.get_by_role("cell", name=assessor.full_name)).to_be_visible()
    assert admin.locator("#application-state").inner_text() == "In assessment"

    judge(sign_in(browser, live_server, assessors[0].email), "met")
    judge(sign_in(browser, live_server, assessors[1].email), "partially_met")

    admin.goto(f"/applications/{scene.application_id}")
    assert admin.locator("#application-state").inner_text() == "Moderation"
    row = admin.locator("tr.disagreed")
    assert row.count() == 1
    row.locator("select[name=rating]").select_option("met")
    row.locator("textarea[name=reason]").fill("Both samples meet the skills descriptor; the doubt is unfounded.")
    row.get_by_role("button", name="Record the moderated rating").click()
    assert admin.locator("#application-state").inner_text() == "Awaiting decision"
    assert admin.get_by_text("another administrator records the decision").is_visible()

    decider = sign_in(browser, live_server, second_admin.email)
    decider.goto(f"/applications/{scene.application_id}")
    assert decider.get_by_role("heading", name="Recommendation: Qualification confirmed").is_visible()
    decider.get_by_label("Comment to the candidate").fill("Congratulations.")
    decider.get_by_role("button", name="Record the decision").click()
    assert decider.locator("#application-state").inner_text() == "Qualification confirmed"

    candidate = sign_in(browser, live_server, scene.candidate.user.email)
    candidate.get_by_role("link", name="My applications").click()
    card = candidate.locator("article.application-card")
    assert card.locator(".state").inner_text() == "Qualification confirmed"
    assert card.locator("#decision").get_by_text("Congratulations.").is_visible()
    assert candidate.get_by_text("is now: Qualification confirmed").is_visible()
