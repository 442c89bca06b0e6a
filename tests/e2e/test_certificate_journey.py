"""An administrator issues a batch and watches it render (a real worker), the holder downloads the PDF, and a
stranger verifies it by its QR code's address and by uploading the file."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.extensions import db
from tests.conftest import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def sign_in(browser, server, email):
    context = browser.new_context(base_url=server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())  # "Issue certificates for the selected applications? ..."
    page.goto("/")
    page.get_by_role("button", name="English").click()
    if email:
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    return page


def test_issue_a_batch_download_and_verify(browser, live_server_with_worker, app, confirmed, make_user, tmp_path):
    ids = confirmed(3)
    admin_user = make_user("administrator")
    with app.app_context():
        holder_email = db.session.get(Application, ids[0]).candidate.user.email

    admin = sign_in(browser, live_server_with_worker, admin_user.email)
    admin.get_by_role("link", name="Certificates", exact=True).click()
    admin.get_by_role("link", name="Issue certificates").click()
    admin.locator("#select-all").check()
    admin.get_by_label("Add an English page").check()
    admin.get_by_role("button", name="Issue the selected certificates").click()
    assert "/admin/certificates/progress" in admin.url
    progress = admin.locator("#render-bar")
    admin.locator("#render-progress[data-done='1']").wait_for(timeout=90_000)
    assert progress.get_attribute("value") == "3"
    expect(admin.get_by_text("All certificates are ready.")).to_be_visible()
    expect(admin.locator("#render-items li[data-status=ready]")).to_have_count(3)

    holder = sign_in(browser, live_server_with_worker, holder_email)
    holder.get_by_role("link", name="My applications").click()
    with holder.expect_download() as download_info:
        holder.get_by_role("link", name="Download the PDF").click()
    pdf_path = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    verify_url = holder.get_by_role("link", name="Verification page").get_attribute("href")

    stranger = sign_in(browser, live_server_with_worker, None)
    stranger.goto(verify_url)
    expect(stranger.locator("#verify-status")).to_have_text("Valid", use_inner_text=True)
    expect(stranger.get_by_text("This certificate is genuine and in force.")).to_be_visible()
    stranger.get_by_label("The certificate PDF you were given").set_input_files(str(pdf_path))
    stranger.get_by_role("button", name="Check the file").click()
    assert "Genuine" in stranger.locator("#file-verdict").inner_text()
    with app.app_context():
        assert db.session.scalar(select(Application.state).where(Application.id == ids[0])) == "certified"
