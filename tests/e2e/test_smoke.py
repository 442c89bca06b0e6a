"""The browser harness: the home page opens in Kazakh, and the switcher turns it into English."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_in_kazakh_then_english(page, framework):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.get_by_role("heading", level=1).inner_text() == "Біліктілігіңізді растаңыз"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm your qualification"
    page.get_by_role("link", name="Qualifications framework", exact=True).click()
    assert page.get_by_role("table").locator("tbody tr").count() == 8
    # the choice is kept for the next page
    page.goto("/framework/kz-nqf-2013/glossary")
    assert page.locator("html").get_attribute("lang") == "en"
