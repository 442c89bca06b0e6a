"""WCAG 2.2 AA, checked by axe-core in Chromium over the pages of the three journeys (candidate, assessor,
administrator, and the public pages they start from), in kk, ru and en, at 1366 px and at 390 px: no serious or
critical violation. The same pages at 390 px never scroll sideways (the document is no wider than the viewport)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from certcenter.accounts.models import User
from certcenter.applications.models import Application
from certcenter.certificates.models import Certificate
from certcenter.extensions import db
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

LANGUAGES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
SERIOUS = {"serious", "critical"}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}

# The pages of each journey, by who opens them; {names} are filled from the scene.
JOURNEYS = {
    "anonymous": [
        "/",
        "/register",
        "/login",
        "/framework/",
        "/framework/{edition}/",
        "/framework/{edition}/levels/3",
        "/framework/{edition}/glossary",
        "/qualifications",
        "/qualifications/{qualification}",
        "/verify/{code}",
    ],
    "candidate": [
        "/dashboard",
        "/profile",
        "/profile/education",
        "/profile/experience",
        "/applications/{application}",
        "/notifications",
        "/account/password",
    ],
    "assessor": ["/assess", "/assess/{assignment}"],
    "admin": [
        "/admin/queue",
        "/admin/dashboard",
        "/admin/applications",
        "/applications/{application}",
        "/admin/candidates/{candidate}",
        "/admin/certificates",
        "/admin/certificates/{certificate}",
        "/admin/certificates/issue",
        "/admin/reports",
        "/admin/reports/export",
        "/admin/audit",
        "/admin/users",
        "/admin/qualifications",
        "/admin/qualifications/{qualification}",
    ],
}


@pytest.fixture
def scene(app, in_assessment, confirmed, login_as):
    """An application in assessment (its candidate, its lead assessor) and an issued certificate."""
    from certcenter.certificates.services import issue_certificates

    assessment = in_assessment()
    (confirmed_id,) = confirmed(1)
    with app.app_context():
        issue_certificates([confirmed_id], actor=db.session.get(User, assessment.admin.user.id))
        db.session.commit()
        application = db.session.get(Application, assessment.application_id)
        certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == confirmed_id))
        names = {
            "application": application.id,
            "candidate": application.candidate_id,
            "qualification": application.qualification_id,
            "edition": application.edition.code,
            "assignment": assessment.assignment_ids[0],
            "certificate": certificate.id,
            "code": certificate.verification_code,
        }
    emails = {
        "candidate": assessment.candidate.user.email,
        "assessor": assessment.assessors[0].user.email,
        "admin": assessment.admin.user.email,
    }
    return names, emails


def open_as(browser, live_server, who: str, emails: dict, language: str, width: str):
    """A browser of that width, in that language, signed in as ``who`` (axe is injected, so the page's CSP is
    bypassed in this context only)."""
    viewport_width, viewport_height = WIDTHS[width]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": viewport_width, "height": viewport_height}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    if who != "anonymous":
        page.goto("/login")
        page.locator("input[name=email]").fill(emails[who])
        page.locator("input[name=password]").fill(TEST_PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
    page.goto("/")
    if page.locator(".menu-toggle").is_visible():  # on a phone the switcher is in the folded menu
        page.locator(".menu-toggle").click()
    page.locator(f"button[name=language][value={language}]").first.click()  # kept on the account once signed in
    page.wait_for_load_state()
    return context, page


# one test a language, each in a group of its own: the three (about 2 minutes each) run on different workers
@pytest.mark.parametrize(
    "language", [pytest.param(code, marks=pytest.mark.xdist_group(f"wcag-{code}")) for code in LANGUAGES]
)
def test_the_journeys_meet_wcag_aa_in_every_width(browser, live_server, scene, language):
    from axe_playwright_python.sync_playwright import Axe

    names, emails = scene
    axe = Axe()
    problems: dict[str, set[str]] = defaultdict(set)
    wide_pages: list[str] = []
    checked = 0
    for width in WIDTHS:
        for who, paths in JOURNEYS.items():
            context, page = open_as(browser, live_server, who, emails, language, width)
            try:
                for path in paths:
                    url = path.format(**names)
                    response = page.goto(url)
                    assert response.status < 400, f"{who} {url}: {response.status}"
                    assert page.locator("html").get_attribute("lang") == language, url
                    results = axe.run(page, options=AXE_OPTIONS)
                    checked += 1
                    for violation in results.response["violations"]:
                        if violation["impact"] in SERIOUS:
                            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                            rule = f"{violation['id']}: {violation['help']}"
                            problems[rule].add(f"{url} [{language}, {width}] {targets}")
                    if width == "phone":
                        scroll, client = page.evaluate(
                            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                        )
                        if scroll > client:
                            wide_pages.append(f"{url} [{language}]: {scroll} px in {client} px")
            finally:
                context.close()
    assert checked == len(WIDTHS) * sum(len(paths) for paths in JOURNEYS.values())
    report = "\n".join(f"{rule}\n    " + "\n    ".join(sorted(where)[:6]) for rule, where in sorted(problems.items()))
    assert not problems, f"serious or critical WCAG violations:\n{report}"
    assert not wide_pages, "pages wider than a phone's screen:\n" + "\n".join(wide_pages)
