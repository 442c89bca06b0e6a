"""An administrator runs the centre from the browser: renames the centre in the settings and sees the new name on
the next certificate; drafts a new framework edition from a copy, edits it, adds a pathway to it, compares it,
publishes it (the new pathway on the public page), and a new application is made under it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.certificates.models import Certificate
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from certcenter.qualifications.models import Qualification
from tests.conftest import TEST_PASSWORD, require_service

pytestmark = pytest.mark.browser


def open_more(page) -> None:
    """The administrators' less frequent links are under "More" in the header."""
    page.locator("details.nav-more > summary").click()


def sign_in(browser, server, email):
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before irreversible acts
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_the_name_changed_in_the_settings_is_on_the_next_certificate(
    browser, live_server, app, confirmed, make_user, tmp_path
):
    require_service(shutil.which("pdftotext") is not None, "pdftotext is missing (apt-get install poppler-utils)")
    confirmed(1)
    admin = sign_in(browser, live_server, make_user("administrator").email)
    open_more(admin)
    admin.get_by_role("link", name="Settings", exact=True).click()
    admin.locator("#name-kk").fill("Ақтөбе біліктілік орталығы")
    admin.locator("#name-ru").fill("Актюбинский центр квалификаций")
    admin.locator("#name-en").fill("Aktobe Qualification Centre")
    admin.get_by_role("button", name="Save the settings").click()
    expect(admin.get_by_text("Settings saved.")).to_be_visible()
    expect(admin.locator(".brand-name")).to_have_text("Aktobe Qualification Centre", use_inner_text=True)

    admin.get_by_role("link", name="Certificates", exact=True).click()
    admin.get_by_role("link", name="Issue certificates").click()
    admin.locator("#select-all").check()
    admin.get_by_role("button", name="Issue the selected certificates").click()
    admin.locator("#render-progress[data-done='1']").wait_for(timeout=60_000)
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        with get_storage().open(certificate.storage_key) as handle:
            (tmp_path / "c.pdf").write_bytes(handle.read())
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True).stdout
    assert "АҚТӨБЕ БІЛІКТІЛІК ОРТАЛЫҒЫ / АКТЮБИНСКИЙ ЦЕНТР КВАЛИФИКАЦИЙ" in re.sub(r"\s+", " ", text)


def test_a_new_edition_published_from_the_browser_is_used_by_a_new_application(
    browser, live_server, app, catalogue, make_user, make_candidate
):
    admin = sign_in(browser, live_server, make_user("administrator").email)
    open_more(admin)
    admin.get_by_role("link", name="Framework editions").click()
    admin.get_by_label("Copy of").select_option("kz-nqf-2013")
    admin.get_by_label("Code of the new edition").fill("kz-nqf-2026")
    admin.get_by_role("button", name="Make a draft").click()
    expect(admin.get_by_text("A draft edition has been made")).to_be_visible()

    admin.locator("#edition-title-kk").fill("Ұлттық біліктілік шеңбері (2026 жылғы редакция)")
    admin.locator("#edition-title-ru").fill("Национальная рамка квалификаций (редакция 2026 года)")
    admin.locator("#edition-title-en").fill("National Qualifications Framework (2026 edition)")
    admin.locator("#levels-2-descriptors-knowledge-en").fill("Knowledge as revised in 2026.")
    admin.locator("#in_force_from").fill("2026-01-01")
    admin.get_by_role("button", name="Save the draft").click()
    expect(admin.get_by_text("The draft has been saved.")).to_be_visible()

    # a pathway added to level 3: a rule against the grammar is refused at the form, the wording kept
    admin.locator("#level-3 details.add-item > summary").click()
    expect(admin.locator("#add-pathway-3-code")).to_have_value("3.3")
    admin.locator("#add-pathway-3-text-kk").fill("Кемінде бес жыл практикалық тәжірибе.")
    admin.locator("#add-pathway-3-text-ru").fill("Не менее пяти лет практического опыта.")
    admin.locator("#add-pathway-3-text-en").fill("At least five years of practical experience.")
    admin.locator("#add-pathway-3-rule").fill("experience_years: five")
    admin.get_by_role("button", name="Add the pathway").click()
    expect(admin.locator("#error-pathway-3")).to_contain_text("The rule does not follow the rule grammar")
    expect(admin.locator("#add-pathway-3-text-en")).to_have_value("At least five years of practical experience.")
    admin.locator("#add-pathway-3-rule").fill('{"experience_years": 5}')
    admin.get_by_role("button", name="Add the pathway").click()
    expect(admin.get_by_text("The pathway has been added.")).to_be_visible()
    expect(admin.get_by_role("button", name="Remove pathway 3.3")).to_be_visible()

    admin.get_by_role("link", name=re.compile("Compare with it")).click()
    expect(admin.locator("td.after", has_text="Knowledge as revised in 2026.")).to_be_visible()
    expect(admin.locator("td.after", has_text="National Qualifications Framework (2026 edition)")).to_be_visible()
    expect(admin.locator("li.added", has_text="Pathway 3.3")).to_be_visible()
    admin.go_back()
    admin.get_by_role("button", name="Publish this edition").click()
    expect(admin.get_by_text("The edition has been published")).to_be_visible()
    admin.goto("/framework/kz-nqf-2026/levels/3")
    expect(admin.get_by_role("heading", name="Pathway 3.3")).to_be_visible()
    expect(admin.get_by_text("At least five years of practical experience.")).to_be_visible()

    # the public pages: the new edition is in force, the 2013 one in its history
    open_more(admin)
    admin.get_by_role("link", name="Qualifications framework").click()
    expect(admin.get_by_role("heading", name="National Qualifications Framework (2026 edition)")).to_be_visible()
    admin.get_by_role("link", name="All editions").click()
    expect(admin.get_by_role("link", name="National Qualifications Framework (2013 edition)")).to_be_visible()

    # the welding qualification moves to level 3 of the new edition
    with app.app_context():
        qualification_id = db.session.scalar(select(Qualification.id).where(Qualification.code == "WELD-3"))
    admin.goto(f"/admin/qualifications/{qualification_id}")
    admin.get_by_label("NQF level").select_option(label="kz-nqf-2026 · Level 3")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_text("The qualification has been saved.")).to_be_visible()

    candidate_client = make_candidate(education=["technical_vocational"], years=3)
    candidate = sign_in(browser, live_server, candidate_client.user.email)
    candidate.goto(f"/qualifications/{qualification_id}")
    candidate.get_by_role("button", name="Apply for this qualification").click()
    expect(candidate.get_by_text("National Qualifications Framework (2026 edition)").first).to_be_visible()
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert application.edition.code == "kz-nqf-2026"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_draft_editor_with_its_additions_meets_wcag_aa(browser, live_server, app, framework, make_user, width):
    """The editor's forms to add and remove levels, pathways and terms (fields tied to forms elsewhere on the page)
    and the comparison listing them: no serious violation, no page wider than a phone."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.e2e.test_accessibility import AXE_OPTIONS, SERIOUS, open_as

    email = make_user("administrator").email
    context, page = open_as(browser, live_server, "admin", {"admin": email}, "kk", width)
    try:
        page.goto("/admin/framework/")
        page.locator("input[name=code]").fill("kz-nqf-2027")
        page.locator("form[action$='/copy'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/admin/framework/kz-nqf-2027/edit"))
        page.locator("#level-3 details.add-item > summary").click()
        page.locator("#add-pathway-3-text-kk").fill("Бес жыл тәжірибе.")
        page.locator("#add-pathway-3-text-ru").fill("Пять лет опыта.")
        page.locator("#add-pathway-3-text-en").fill("Five years of experience.")
        page.locator("#add-pathway-3-rule").fill("experience_years: 5")
        page.locator("button[form=add-pathway-3][type=submit]").click()
        page.wait_for_url(re.compile(r"#level-3$"))
        page.locator("button[form=remove-term-2]").click()
        page.wait_for_url(re.compile(r"#glossary$"))
        for url in ("/admin/framework/kz-nqf-2027/edit", "/admin/framework/kz-nqf-2027/compare"):
            page.goto(url)
            for details in page.locator("details.add-item > summary").all():
                details.click()
            violations = [
                f"{violation['id']}: {[node['target'] for node in violation['nodes'][:3]]}"
                for violation in Axe().run(page, options=AXE_OPTIONS).response["violations"]
                if violation["impact"] in SERIOUS
            ]
            assert not violations, (url, violations)
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll <= client, (url, scroll, client)
        expect(page.locator("li.added", has_text="3.3")).to_be_visible()
        expect(page.locator("li.removed[data-item='term-2']")).to_be_visible()
    finally:
        context.close()
