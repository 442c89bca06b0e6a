"""In Chromium, with the centre's headers (issue #12): the assessor's page still shows the evidence preview in a
frame, and one of the centre's pages put in a frame elsewhere (clickjacking) is refused. The headers themselves are
tested in tests/hostile/test_headers.py."""

import pytest

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_in_a_browser_the_preview_is_framed_and_a_page_is_not(browser, live_server, in_assessment):
    scene = in_assessment()
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    page.goto("/login")
    page.locator("input[name=email]").fill(scene.assessors[0].user.email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.goto(f"/assess/{scene.assignment_ids[0]}")
    page.locator("details.preview summary").first.click()
    frame = page.locator("details.preview iframe").first.element_handle().content_frame()
    frame.wait_for_load_state()
    assert frame.url.startswith(f"{live_server.url}/evidence/"), frame.url
    assert not [text for text in refused if "frame" in text]

    # one of the centre's pages put in a frame (clickjacking) is refused by the browser
    page.evaluate(
        "url => { const f = document.createElement('iframe'); f.id = 'attack'; f.src = url; "
        "document.body.appendChild(f); }",
        f"{live_server.url}/account/password",
    )
    attack = page.locator("#attack").element_handle().content_frame()
    attack.wait_for_load_state()
    assert not attack.url.startswith(live_server.url), attack.url
    context.close()
