"""Two assessors judge in the browser and disagree on a rating and on the theory result; the lead cannot moderate his
own disagreement; an administrator picks a third person, who declares no conflict and moderates both; an
administrator who took no part decides; the certificate is issued and the candidate sees it, in the name frozen at
submission although he renamed himself in his profile afterwards."""

import subprocess

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


def judge(page, skills_rating, theory):
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
    for kind, percent in (("theory", theory), ("practical", "91")):
        page.locator(f"input[name='result|{kind}|percent']").fill(percent)
        page.locator(f"input[name='result|{kind}|taken_on']").fill("2026-11-20")
    page.get_by_role("button", name="Submit the judgement").click()
    expect(page.get_by_text("Your judgement has been submitted and locked.")).to_be_visible()
    return page


def test_two_assessors_disagree_a_third_moderates_another_decides_and_the_certificate_is_issued(
    browser, live_server, submitted, make_user, tmp_path
):
    scene = submitted()
    # after submitting, the candidate renames himself in his profile (anyone's name): his application keeps the
    # identity frozen at submission, and so will his certificate
    candidate = sign_in(browser, live_server, scene.candidate.user.email)
    candidate.goto("/profile")
    name_field = candidate.get_by_label("Full name as in your ID card (Cyrillic)")
    frozen = name_field.input_value()
    name_field.fill("Басқа Біреудің Есімі")
    candidate.get_by_role("button", name="Save the profile").click()
    candidate.goto("/profile")
    expect(candidate.get_by_label("Full name as in your ID card (Cyrillic)")).to_have_value("Басқа Біреудің Есімі")
    assessors = [make_user("assessor", full_name=name) for name in ("Ғалым Өмірбеков", "Ирина Ким")]
    moderator = make_user("assessor", full_name="Марат Тәуелсізов")
    decider_user = make_user("administrator", full_name="Дана Әбенова")

    admin = sign_in(browser, live_server, scene.admin.user.email)
    admin.goto(f"/applications/{scene.application_id}")
    for assessor in assessors:
        admin.get_by_label("Assessor", exact=True).select_option(value=str(assessor.id))
        admin.get_by_role("button", name="Assign", exact=True).click()
        expect(admin.get_by_role("cell", name=assessor.full_name)).to_be_visible()
    expect(admin.locator("#application-state")).to_have_text("In assessment", use_inner_text=True)

    lead = judge(sign_in(browser, live_server, assessors[0].email), "met", "82")
    judge(sign_in(browser, live_server, assessors[1].email), "partially_met", "95")

    # both judgements are in: each sees the other's rating and result, and the lead moderates nothing
    lead.reload()
    results = lead.locator("#result-agreement tr[data-result=theory]")
    assert "Ғалым Өмірбеков: 82%" in results.inner_text() and "Ирина Ким: 95%" in results.inner_text()
    expect(lead.get_by_text("Awaiting moderation").first).to_be_visible()
    expect(lead.get_by_role("button", name="Record the moderated rating")).to_have_count(0)

    admin.goto(f"/applications/{scene.application_id}")
    expect(admin.locator("#application-state")).to_have_text("Moderation", use_inner_text=True)
    options = admin.get_by_label("Moderator", exact=True).locator("option").all_inner_texts()
    assert moderator.full_name in options and not {a.full_name for a in assessors} & set(options)
    admin.get_by_label("Moderator", exact=True).select_option(label=moderator.full_name)
    admin.get_by_role("button", name="Pick the moderator").click()
    expect(admin.get_by_text("The moderator has been picked.")).to_be_visible()

    third = sign_in(browser, live_server, moderator.email)
    third.get_by_role("link", name="Assessments").click()
    third.locator("#moderations + table td a").first.click()
    assert third.get_by_label("No, I have no conflict of interest").is_checked() is False
    third.get_by_label("No, I have no conflict of interest").check()
    third.get_by_role("button", name="Record my declaration").click()
    rating = third.locator("#agreement tr.disagreed")
    assert rating.count() == 1 and "Partially met" in rating.inner_text()
    rating.locator("select[name=rating]").select_option("met")
    rating.locator("textarea[name=reason]").fill("Both samples meet the skills descriptor; the doubt is unfounded.")
    rating.get_by_role("button", name="Record the moderated rating").click()
    result = third.locator("#result-agreement tr.disagreed")
    result.locator("input[name=percent]").fill("88")
    result.locator("textarea[name=reason]").fill("Marked the answer sheet again against the key.")
    result.get_by_role("button", name="Record the moderated result").click()
    expect(third.locator(".state").first).to_have_text("Awaiting decision", use_inner_text=True)
    assert "Moderated by Марат Тәуелсізов" in third.locator("#result-agreement").inner_text()

    decider = sign_in(browser, live_server, decider_user.email)
    decider.goto(f"/applications/{scene.application_id}")
    expect(decider.get_by_role("heading", name="Recommendation: Qualification confirmed")).to_be_visible()
    assert "88%" in decider.locator("#result-agreement").inner_text()
    decider.get_by_label("Comment to the candidate").fill("Congratulations.")
    decider.get_by_role("button", name="Record the decision").click()
    expect(decider.locator("#application-state")).to_have_text("Qualification confirmed", use_inner_text=True)

    decider.get_by_role("link", name="Certificates").click()
    decider.get_by_role("link", name="Issue certificates").click()
    decider.locator("#select-all").check()
    decider.get_by_role("button", name="Issue the selected certificates").click()
    decider.goto(f"/applications/{scene.application_id}")
    expect(decider.locator("#application-state")).to_have_text("Certificate issued", use_inner_text=True)

    candidate.goto("/dashboard")
    card = candidate.locator("article.application-card")
    expect(card.locator(".state")).to_have_text("Certificate issued")
    with candidate.expect_download() as download:
        card.get_by_role("link", name="Download the PDF").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert frozen in " ".join(text.split()) and "Басқа Біреудің Есімі" not in text
