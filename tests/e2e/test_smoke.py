"""The browser harness: the home page opens in Kazakh, and the switcher turns it into English."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_page_in_kazakh_then_english(page, framework):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "kk"
    expect(page.get_by_role("heading", level=1)).to_have_text("Біліктілігіңізді растаңыз", use_inner_text=True)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your qualification", use_inner_text=True)
    page.get_by_role("link", name="Qualifications framework", exact=True).click()
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(8)
    # the choice is kept for the next page
    page.goto("/framework/kz-nqf-2013/glossary")
    assert page.locator("html").get_attribute("lang") == "en"
