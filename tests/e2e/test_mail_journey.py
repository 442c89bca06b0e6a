"""In Chromium, with the embedded mailbox of `make run` (nothing configured): a newcomer registers and opens the
verification link read from /dev/mail, forgets his password and recovers it by the mailed link; a holder sees the
revocation of his certificate arrive by e-mail and in the application."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.certificates.models import Certificate
from certcenter.extensions import db
from tests.conftest import TEST_PASSWORD, build_app
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def mail_server(app, tmp_path):
    """The centre as `make run` has it for mail: no SMTP server, the mailbox under the instance folder; its links
    point at the address it is served at."""
    application = build_app(WTF_CSRF_ENABLED=True, MAIL_MAILBOX_PATH=str(tmp_path / "mail"))
    server = LiveServer(application)
    application.config["PUBLIC_BASE_URL"] = server.url
    server.start()
    yield server
    server.stop()


def visitor(browser, server):
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/")
    page.get_by_role("button", name="English").click()
    return page


def sign_in(page, email, password=TEST_PASSWORD):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.locator("details.account-menu > summary").click()
    page.get_by_role("button", name="Sign out").click()


def mailed_link(admin, to: str, subject: str) -> str:
    """The administrator opens the newest mail to ``to`` with that subject in /dev/mail and gives its link."""
    admin.goto("/dev/mail")
    admin.locator("tr", has_text=to).get_by_role("link", name=subject).first.click()
    expect(admin.get_by_role("heading", name=subject)).to_be_visible()
    return admin.locator("pre.mail-body a").first.get_attribute("href")


def test_register_verify_recover_and_see_the_revocation_notice(browser, mail_server, app, confirmed, make_user):
    admin = visitor(browser, mail_server)
    admin_user = make_user("administrator", locale="en")
    sign_in(admin, admin_user.email)
    admin.on("dialog", lambda dialog: dialog.accept())  # the confirmations of issuing and revoking

    newcomer = visitor(browser, mail_server)
    newcomer.get_by_role("link", name="Register", exact=True).click()
    newcomer.get_by_label("Full name").fill("Дана Ержанова")
    newcomer.get_by_label("E-mail").fill("dana@example.kz")
    newcomer.get_by_label("Password", exact=True).fill("first-password-1")
    newcomer.get_by_label("Repeat the password").fill("first-password-1")
    newcomer.get_by_label("I agree").check()
    newcomer.get_by_role("button", name="Register").click()
    # registering signs her in; the address waits for the mailed link
    expect(newcomer.get_by_text("We have sent a link to your e-mail address")).to_be_visible()
    expect(newcomer.get_by_text("Your e-mail address is not confirmed yet")).to_be_visible()

    link = mailed_link(admin, "dana@example.kz", "Confirm your e-mail address")
    assert link.startswith(mail_server.url + "/verify-email/")
    newcomer.goto(link)
    expect(newcomer.get_by_text("Your e-mail address dana@example.kz is confirmed.")).to_be_visible()
    expect(newcomer.get_by_text("Your e-mail address is not confirmed yet")).to_have_count(0)

    # forgotten
    sign_out(newcomer)
    newcomer.goto("/login")
    newcomer.get_by_role("link", name="Forgot your password?").click()
    newcomer.get_by_label("E-mail").fill("dana@example.kz")
    newcomer.get_by_role("button", name="Send the link").click()
    expect(newcomer.get_by_text("If an account uses dana@example.kz, we have sent a link")).to_be_visible()
    link = mailed_link(admin, "dana@example.kz", "Choose a new password")
    newcomer.goto(link)
    newcomer.get_by_label("New password", exact=True).fill("second-password-2")
    newcomer.get_by_label("Repeat the new password").fill("second-password-2")
    newcomer.get_by_role("button", name="Set the new password").click()
    expect(newcomer.get_by_text("Your new password is set; you are signed in.")).to_be_visible()
    sign_out(newcomer)
    sign_in(newcomer, "dana@example.kz", "second-password-2")
    expect(newcomer.locator("details.account-menu .whoami")).to_have_text("Дана Ержанова")

    # a holder's certificate revoked: the notice by e-mail and in the application
    (application_id,) = confirmed(1)
    with app.app_context():
        holder = db.session.get(Application, application_id).candidate.user
        holder.locale = "en"
        holder_email = holder.email
        db.session.commit()
    admin.goto("/admin/certificates/issue")
    admin.locator(f"input[name=application][value='{application_id}']").check()
    admin.get_by_role("button", name="Issue the selected certificates").click()
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == application_id))
        certificate_id, number = certificate.id, certificate.number
    admin.goto(f"/admin/certificates/{certificate_id}")
    admin.locator("form[action$='/revoke'] textarea, form[action$='/revoke'] input[name=reason]").first.fill(
        "Forged diploma"
    )
    admin.locator("form[action$='/revoke'] button[type=submit]").click()
    admin.wait_for_load_state()

    link = mailed_link(admin, holder_email, f"Your certificate No. {number} has been revoked.")
    expect(admin.get_by_text("Reason: Forged diploma")).to_be_visible()
    holder_page = visitor(browser, mail_server)
    sign_in(holder_page, holder_email)
    holder_page.goto(link)
    expect(holder_page.locator(f"[data-certificate='{number}'] .cert-status")).to_have_text(
        "Revoked", use_inner_text=True
    )
    holder_page.get_by_role("link", name="Notifications").click()
    expect(holder_page.get_by_text(f"Your certificate No. {number} has been revoked.")).to_be_visible()
