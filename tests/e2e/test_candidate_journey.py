"""A new candidate, alone in the browser: registers, fills the profile, applies, uploads two files, maps them to
criteria, submits, and ends on the dashboard with the application submitted."""

import re

import pytest
from playwright.sync_api import expect

from tests import samples

pytestmark = pytest.mark.browser


def verification_path(app, email: str) -> str:
    """The path of the link mailed to confirm the address (read from the outbox: the mail itself is #15's test)."""
    import re
    from urllib.parse import urlsplit

    from sqlalchemy import select

    from certcenter.core.models import OutboxMail
    from certcenter.extensions import db

    with app.app_context():
        body = db.session.scalar(select(OutboxMail.text_body).where(OutboxMail.to_address == email))
    return urlsplit(re.search(r"https?://\S+/verify-email/\S+", body).group(0)).path


def test_candidate_applies_from_registration_to_submission(app, page, catalogue, tmp_path):
    diploma = tmp_path / "diploma.pdf"
    diploma.write_bytes(samples.PDF)
    photo = tmp_path / "weld-seam.png"
    photo.write_bytes(samples.png())

    page.on("dialog", lambda dialog: dialog.accept())  # "Submit the application? ..."
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_label("Full name").fill("Нұржан Болатұлы Үсенов")
    page.get_by_label("E-mail").fill("nurzhan@example.kz")
    page.get_by_label("Password", exact=True).fill("a-long-password")
    page.get_by_label("Repeat the password").fill("a-long-password")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Register").click()

    # registering signs him in and lands him on his own page: his applications, none yet
    expect(page.get_by_role("heading", name="My applications")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    page.goto(verification_path(app, "nurzhan@example.kz"))  # the address confirmed: he may submit

    page.get_by_role("link", name="My applications").click()
    page.get_by_role("link", name="Fill in the profile").click()
    page.get_by_label("Full name in Latin letters").fill("Nurzhan Bolatuly Ussenov")
    page.get_by_label("IIN").fill("900515300128")  # a typo in the check digit
    page.get_by_label("Date of birth").fill("1990-05-15")
    page.get_by_label("Phone").fill("+7 701 555 01 28")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_text("The last digit of the IIN does not match the others")).to_be_visible()
    assert page.get_by_label("Full name in Latin letters").input_value() == "Nurzhan Bolatuly Ussenov"
    page.get_by_label("IIN").fill("900515300127")
    page.get_by_role("button", name="Save the profile").click()

    page.get_by_label("Level of education").select_option("general_secondary")
    page.get_by_label("Institution").fill("Мектеп-гимназия № 12")
    page.get_by_label("Year completed").fill("2007")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("cell", name="General secondary education")).to_be_visible()

    page.get_by_role("link", name="Qualifications", exact=True).click()
    page.get_by_role("link", name="Electric and gas welder").click()
    expect(page.get_by_text("You meet pathway 3.2 to this level.")).to_be_visible()  # waits for the new page
    page.get_by_role("button", name="Apply for this qualification").click()

    for path, kind, description in [
        (diploma, "diploma", "School leaving certificate"),
        (photo, "work_sample", "A butt weld I made"),
    ]:
        page.get_by_label("File (PDF, JPEG, PNG, DOCX or ODT)").set_input_files(str(path))
        page.get_by_label("Kind of evidence").select_option(kind)
        page.get_by_label("What it shows").fill(description)
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_role("link", name=path.name)).to_be_visible()

    items = page.locator("article.evidence-item")
    expect(items).to_have_count(2)
    for index, criteria in enumerate([["Knowledge"], ["Abilities and skills", "LF1"]]):
        item = page.locator("article.evidence-item").nth(index)
        for label in criteria:
            item.locator("label.check", has_text=label).first.locator("input").check()
        # the page saved and loaded again (its script too) before the next click: on a loaded machine the submit
        # button was once clicked on a page still on its way, and the server refused the form
        with page.expect_navigation():
            item.get_by_role("button", name="Save criteria").click()

    with page.expect_navigation():
        page.get_by_role("button", name="Submit the application").click()
    assert page.url.endswith("/dashboard")
    card = page.locator("article.application-card")
    expect(card).to_have_count(1)
    expect(card.locator(".state")).to_have_text("Submitted", use_inner_text=True)
    expect(card.get_by_text("Electric and gas welder")).to_be_visible()
