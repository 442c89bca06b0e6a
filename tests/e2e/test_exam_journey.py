"""A candidate sits a short theory test on a 390-pixel screen: answers a few questions (one by keyboard), closes the
tab midway, comes back to the same answers and the time that is left, and finishes. The proctor adds time to
another candidate, with a reason, and closes the sitting; the results per unit and the item analysis appear."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from certcenter.exams.models import Attempt, Booking
from certcenter.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.exams.conftest import SECRET

pytestmark = pytest.mark.browser


def sign_in(browser, live_server, email, **context):
    context = browser.new_context(base_url=live_server.url, **context)
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


def answer_current(page, keyboard=False):
    """Answer the question on screen, whatever its kind, and go on."""
    section = page.locator("section.exam-question:not([hidden])")
    kind = section.get_attribute("data-kind")
    if kind in ("single", "true_false", "multiple"):
        option = section.locator("input[name=response]").first
        if keyboard:
            option.focus()
            page.keyboard.press("Space")
        else:
            option.check()
    elif kind == "matching":
        for select_box in section.locator("select").all():
            select_box.select_option(index=1)
    else:  # the numeric key is 12.5; the short text's accepted answer is known to this test, not to the page
        section.locator("input[name=response]").fill("12,5" if kind == "numeric" else SECRET)
        section.locator("input[name=response]").press("Tab")
    position = int(section.get_attribute("data-position"))
    expect(page.locator(f".exam-map a[data-position='{position}']")).to_have_class(re.compile("answered"))
    return position


def wait_saved(page):
    expect(page.locator("#exam-save-status")).to_have_text("Saved")


def test_a_candidate_sits_the_test_resumes_and_the_proctor_adds_time(
    app, browser, live_server, exam, another_candidate
):
    scene = exam(admit=False)
    other, other_application = another_candidate()
    assert (
        other.post(f"/exams/applications/{other_application}/book", data={"sitting_id": scene.sitting_id}).status_code
        == 302
    )
    with app.app_context():
        other_booking = db.session.scalar(select(Booking.id).where(Booking.application_id == other_application))
    assert scene.proctor.post(f"/exams/sittings/{scene.sitting_id}/open").status_code == 302
    for booking in (scene.booking_id, other_booking):
        assert scene.proctor.post(f"/exams/bookings/{booking}/admit").status_code == 302
    assert other.post(f"/exams/bookings/{other_booking}/start").status_code == 302

    phone = {"viewport": {"width": 390, "height": 844}}
    candidate = sign_in(browser, live_server, scene.candidate.user.email, **phone)
    candidate.goto(f"/applications/{scene.application_id}")
    candidate.get_by_role("button", name="Start the test").click()
    candidate.wait_for_load_state("load")  # the page's script listens before the first key is pressed
    expect(candidate.get_by_role("timer")).to_be_visible()
    assert candidate.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    answered = [answer_current(candidate, keyboard=True)]
    candidate.locator("section.exam-question:not([hidden])").get_by_role("button", name="Next").click()
    answered.append(answer_current(candidate))
    candidate.locator("section.exam-question:not([hidden])").get_by_role("button", name="Next").click()
    answered.append(answer_current(candidate))
    wait_saved(candidate)
    attempt_url = candidate.url.split("?")[0]
    candidate.context.pages[0].close()  # the tab is closed midway

    back = candidate.context.new_page()
    back.set_default_timeout(15_000)
    back.on("dialog", lambda dialog: dialog.accept())
    back.goto(f"/applications/{scene.application_id}")
    back.get_by_role("link", name="Continue the test").click()
    back.wait_for_load_state("load")
    assert back.url.split("?")[0] == attempt_url
    assert sorted(int(a.get_attribute("data-position")) for a in back.locator(".exam-map a.answered").all()) == sorted(
        answered
    )
    minutes, seconds = (int(part) for part in back.locator("#exam-timer").inner_text().split(":"))
    assert 0 < minutes * 60 + seconds < 30 * 60
    total = back.locator(".exam-map a").count()
    for position in range(1, total + 1):
        if position not in answered:
            back.locator(f".exam-map a[data-position='{position}']").click()
            answer_current(back)
    wait_saved(back)
    back.get_by_role("button", name="Finish the test").click()
    expect(back.locator("#exam-finished").get_by_text("Your test has been submitted.")).to_be_visible()

    proctor = sign_in(browser, live_server, scene.proctor.user.email)
    proctor.goto(f"/exams/sittings/{scene.sitting_id}/proctor")
    row = proctor.locator(f"tr[data-booking='{other_booking}']")
    row.get_by_text("Add time", exact=True).first.click()
    row.locator("input[name=minutes]").fill("10")
    row.locator("input[name=reason]").fill("The computer restarted")
    row.get_by_role("button", name="Add time").click()
    expect(proctor.get_by_text("10 minutes added.")).to_be_visible()
    expect(proctor.locator(f"tr[data-booking='{other_booking}'] .remaining").get_by_text("(+10)")).to_be_visible()
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.booking_id == other_booking))
        assert attempt.extra_seconds == 600
    proctor.get_by_role("button", name="Close the sitting and mark").click()
    expect(proctor.get_by_text("The sitting is closed")).to_be_visible()

    back.goto(f"/applications/{scene.application_id}")
    panel = back.locator("#exam")
    assert re.search(r"\d+%", panel.locator(".exam-percent").inner_text())
    expect(panel.get_by_role("table").first.get_by_text("LF1")).to_be_visible()

    admin = sign_in(browser, live_server, scene.admin.user.email)
    admin.goto(f"/exams/sittings/{scene.sitting_id}/analysis")
    expect(admin.get_by_role("heading", name="Reliability of the forms")).to_be_visible()
    assert admin.locator("table.analysis-items tbody tr").count() >= 6
    expect(admin.get_by_text("2 marked attempts.")).to_be_visible()
