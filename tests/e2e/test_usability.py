"""A person's own start page after signing in, the confirmation asked before an irreversible act (with the script
and without it), and a refused form that comes back with what was typed."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from certcenter.applications.models import Application
from certcenter.extensions import db
from certcenter.qualifications.criteria import criterion_keys
from tests import samples
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(browser, live_server, email, *, javascript=True):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login")
    page.get_by_role("button", name="English").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return context, page


@pytest.fixture
def ready_to_submit(app, make_candidate, catalogue):
    """A draft for WELD-3 with two files mapped to every criterion: all it lacks is the candidate's submission."""

    def _make(token):
        candidate = make_candidate(years=2)
        response = candidate.post(f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": token})
        application_id = int(response.headers["Location"].rsplit("/", 1)[1])
        for name, content in (("diploma.pdf", samples.PDF), ("weld.png", samples.png())):
            candidate.post(
                f"/applications/{application_id}/evidence",
                content_type="multipart/form-data",
                data={"kind": "work_sample", "description": name, "file": (io.BytesIO(content), name)},
            )
        with app.app_context():
            application = db.session.get(Application, application_id)
            keys = sorted(criterion_keys(application.qualification))
            items = [item.id for item in application.evidence]
        for item in items:
            candidate.post(f"/applications/{application_id}/evidence/{item}/criteria", data={"criteria": keys})
        return candidate.user.email, application_id

    return _make


def state_of(app, application_id):
    with app.app_context():
        return db.session.get(Application, application_id).state


def test_each_role_lands_on_its_own_page(browser, live_server, make_user, submitted):
    submitted()  # something waits for the administrator
    for role, address, heading in (
        ("candidate", "/dashboard", "My applications"),
        ("assessor", "/assess", None),
        ("administrator", "/admin/queue", "Work queue"),
    ):
        context, page = sign_in(browser, live_server, make_user(role).email)
        try:
            expect(page).to_have_url(re.compile(re.escape(address) + "$"))
            if heading:
                expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            if role == "administrator":
                line = page.locator(".queue-line[data-state=submitted]")
                expect(line.locator(".queue-count")).to_have_text("1")
                line.get_by_role("link").click()
                expect(page).to_have_url(re.compile(r"/admin/applications\?state=submitted$"))
                expect(page.locator("tbody tr")).to_have_count(1)
        finally:
            context.close()


def test_submitting_asks_first_and_a_no_submits_nothing(browser, live_server, app, ready_to_submit):
    email, application_id = ready_to_submit("confirm-js")
    context, page = sign_in(browser, live_server, email)
    try:
        page.goto(f"/applications/{application_id}")
        asked: list[str] = []

        def answer_no(dialog):
            asked.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", answer_no)
        page.get_by_role("button", name="Submit the application").click()
        expect(page.get_by_role("button", name="Submit the application")).to_be_enabled()
        assert asked and asked[0].startswith("Submit the application? After submission")
        assert state_of(app, application_id) == "draft"

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Submit the application").click()
        expect(page.get_by_text("Your application has been submitted.")).to_be_visible()
        assert state_of(app, application_id) == "submitted"
    finally:
        context.close()


def test_without_javascript_the_confirmation_is_a_tick_box(browser, live_server, app, ready_to_submit):
    email, application_id = ready_to_submit("confirm-nojs")
    context, page = sign_in(browser, live_server, email, javascript=False)
    try:
        page.goto(f"/applications/{application_id}")
        tick = page.get_by_label(
            "Submit the application? After submission it and its evidence can no longer be changed."
        )
        expect(tick).to_be_visible()
        page.get_by_role("button", name="Submit the application").click()
        # not ticked: refused on the same page, nothing done
        expect(page.get_by_role("alert")).to_contain_text("Nothing was done: confirm first.")
        expect(page.get_by_role("heading", name="Submit the application")).to_be_visible()
        assert state_of(app, application_id) == "draft"
        page.get_by_label(
            "Submit the application? After submission it and its evidence can no longer be changed."
        ).check()
        page.get_by_role("button", name="Submit the application").click()
        expect(page.get_by_text("Your application has been submitted.")).to_be_visible()
        assert state_of(app, application_id) == "submitted"
    finally:
        context.close()


def test_a_refused_withdrawal_comes_back_with_the_reason_kept(browser, live_server, app, submitted):
    scene = submitted()
    with app.app_context():
        email = db.session.get(Application, scene.application_id).candidate.user.email
    context, page = sign_in(browser, live_server, email)
    try:
        page.goto(f"/applications/{scene.application_id}")
        # meanwhile the centre changes the application: the open form is now out of date
        with app.app_context():
            application = db.session.get(Application, scene.application_id)
            application.exception_request = "changed"
            db.session.commit()
        page.locator("summary", has_text="Withdraw the application").click()
        page.get_by_label("Reason (optional)").fill("Мен басқа орталыққа өтемін")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Withdraw", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("This form is out of date")
        expect(page.get_by_label("Reason (optional)")).to_have_value("Мен басқа орталыққа өтемін")
        assert state_of(app, scene.application_id) == "submitted"
    finally:
        context.close()


def test_search_with_paging_keeps_the_filters(browser, live_server, app, make_candidate, catalogue, make_user):
    for index, name in enumerate(("Нұржан Үсенов", "Нұржан Болатов", "Айгерім Сапарова")):
        candidate = make_candidate(full_name=name, years=2)
        candidate.post(f"/qualifications/{catalogue['WELD-3']}/apply", data={"form_token": f"search-{index}"})
    live_server.app.config["ADMIN_LIST_PER_PAGE"] = 1
    context, page = sign_in(browser, live_server, make_user("administrator").email)
    try:
        page.goto("/admin/applications")
        page.get_by_label("Name, IIN or number").fill("Нұржан")
        page.get_by_label("Level").select_option("3")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_text("2 applications found.")).to_be_visible()
        first = page.locator("tbody tr td:nth-child(2)").inner_text()
        page.get_by_role("link", name="Next").click()
        expect(page.get_by_text("Page 2 of 2")).to_be_visible()
        expect(page.get_by_label("Name, IIN or number")).to_have_value("Нұржан")
        expect(page.get_by_label("Level")).to_have_value("3")
        second = page.locator("tbody tr td:nth-child(2)")
        expect(second).to_contain_text("Нұржан")
        assert second.inner_text() != first
    finally:
        live_server.app.config["ADMIN_LIST_PER_PAGE"] = 50
        context.close()
