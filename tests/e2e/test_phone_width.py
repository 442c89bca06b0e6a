"""At 390 px no page scrolls sideways: the document is never wider than the phone's screen, in any language. A wide
table scrolls inside its own box (or stacks its rows); the header folds into a menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import JOURNEYS, LANGUAGES, open_as, scene  # noqa: F401 (scene is a fixture)

pytestmark = pytest.mark.browser

# The elements that stick out past the right edge of the screen, named for the failure message.
OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 0.5 && box.width > 0) {
      let inScroller = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (style.overflowX === 'auto' || style.overflowX === 'scroll' || style.overflowX === 'hidden') {
          inScroller = true; break;
        }
      }
      if (!inScroller) {
        out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
                 + ' ' + Math.round(box.right) + 'px');
      }
    }
  }
  return out.slice(0, 5);
}"""


def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, scene):  # noqa: F811
    names, emails = scene
    wide_pages: list[str] = []
    checked = 0
    for language in LANGUAGES:
        for who, paths in JOURNEYS.items():
            context, page = open_as(browser, live_server, who, emails, language, "phone")
            try:
                for path in [*paths, *EXTRA_PAGES.get(who, [])]:
                    url = path.format(**names)
                    response = page.goto(url)
                    assert response.status < 400, f"{who} {url}: {response.status}"
                    checked += 1
                    scroll, client = page.evaluate(
                        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                    )
                    if scroll > client:
                        culprits = ", ".join(page.evaluate(OVERFLOWING))
                        wide_pages.append(f"{url} [{language}]: {scroll} px in {client} px ({culprits})")
            finally:
                context.close()
    assert checked >= len(LANGUAGES) * sum(len(paths) for paths in JOURNEYS.values())
    assert not wide_pages, "pages wider than a phone's screen:\n" + "\n".join(wide_pages)


def test_the_header_is_one_row_on_a_desktop_and_a_menu_on_a_phone(browser, live_server, scene):  # noqa: F811
    names, emails = scene
    rows: list[str] = []
    for language in LANGUAGES:
        for who in ("anonymous", "candidate", "assessor", "admin"):
            context, page = open_as(browser, live_server, who, emails, language, "desktop")
            try:
                page.goto(JOURNEYS[who][0].format(**names))
                # every link and tool of the header centred on the brand's row: one row of at most 72 px
                height = page.evaluate("document.querySelector('.header-row').getBoundingClientRect().height")
                tops = page.evaluate(
                    "[...document.querySelectorAll('.main-nav > *, .header-tools > *')]"
                    ".map(el => el.getBoundingClientRect())"
                    ".map(box => Math.round(box.top + box.height / 2))"
                )
                if height > 72 or max(tops) - min(tops) > 12:
                    rows.append(f"{who} [{language}]: {height:.0f} px high, rows at {sorted(set(tops))}")
            finally:
                context.close()
    assert not rows, "headers on more than one row at 1366 px:\n" + "\n".join(rows)

    context, page = open_as(browser, live_server, "admin", emails, "kk", "phone")
    try:
        page.goto("/admin/applications")
        menu = page.locator("#site-menu")
        expect(menu).to_be_hidden()
        toggle = page.locator(".menu-toggle")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(menu).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.locator(".nav-more summary").click()
        page.locator(".main-nav a", has_text="Аудит").click()
        expect(page).to_have_url(f"{live_server.url}/admin/audit")
        expect(page.locator("#site-menu")).to_be_hidden()
    finally:
        context.close()


# Pages beyond the accessibility journeys that a phone user opens too.
EXTRA_PAGES = {
    "admin": ["/admin/candidates/{candidate}", "/exams", "/admin/users/new"],
    "assessor": ["/exams"],
}
