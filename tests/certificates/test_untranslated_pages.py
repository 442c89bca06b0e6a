"""No Kazakh or Russian page shows English from the catalogue: the main pages of every role, with a decided
application and its certificate behind them, rendered in kk and ru, carry none of the catalogue's English messages
of more than one word (those translated by a text of their own)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from certcenter.applications.models import Application
from certcenter.certificates.models import Certificate
from certcenter.extensions import db
from certcenter.qualifications.models import Qualification
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def english_fragments(language: str) -> list[str]:
    """The parts between placeholders of every message whose translation differs from it, of two words or more."""
    with open(ROOT / "certcenter" / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    fragments = set()
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or not message.string or message.string == message.id:
            continue
        for part in PLACEHOLDER.split(message.id):
            part = part.strip(" .,:;—-()")
            if len(re.findall(r"[A-Za-z]{2,}", part)) >= 2 and not re.search(r"[^\x00-\x7f‘’“”…–—×]", part):
                fragments.add(part)
    return sorted(fragments, key=len, reverse=True)


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", page)
    # text declared English (lang="en": the editorial notes on how the centre reads a pathway) is English on purpose
    page = re.sub(r'(?s)<(?!html)(\w+)\b[^>]*\slang="en"[^>]*>.*?</\1>', " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    # what a reader meets: the text, and the attributes a screen reader or the browser shows
    shown = " ".join(re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', page))
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + shown))


@pytest.fixture
def scene(app, confirmed, login_as, make_user):
    (application_id,) = confirmed(1)
    admin = login_as("admin")
    admin.post("/admin/certificates/issue", data={"application": [str(application_id)]})
    with app.app_context():
        application = db.session.get(Application, application_id)
        certificate = db.session.scalar(select(Certificate))
        qualification = db.session.scalar(select(Qualification))
        candidate_email = application.candidate.user.email
        edition = application.qualification.level.edition.code
        return {
            "admin": admin,
            "candidate_email": candidate_email,
            "application": application_id,
            "certificate": certificate.id,
            "code": certificate.verification_code,
            "qualification": qualification.id,
            "edition": edition,
        }


def pages(scene) -> dict[str, list[str]]:
    return {
        "anonymous": [
            "/",
            "/framework/",
            "/framework/editions",
            f"/framework/{scene['edition']}/levels/4",
            f"/framework/{scene['edition']}/glossary",
            "/qualifications",
            f"/qualifications/{scene['qualification']}",
            "/login",
            "/register",
            f"/verify/{scene['code']}",
        ],
        "candidate": ["/dashboard", f"/applications/{scene['application']}", "/notifications"],
        "assessor": ["/assess", "/exams"],
        "admin": [
            "/admin/applications",
            f"/applications/{scene['application']}",
            "/admin/certificates",
            f"/admin/certificates/{scene['certificate']}",
            "/admin/dashboard",
            "/admin/qualifications",
            f"/admin/qualifications/{scene['qualification']}",
            "/admin/reports",
            "/admin/users",
            "/admin/audit",
            "/admin/settings",
            "/exams",
        ],
    }


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_no_kazakh_or_russian_page_shows_english_from_the_catalogue(app, scene, login_as, language):
    fragments = english_fragments(language)
    assert len(fragments) > 500  # the catalogue was read
    clients = {"anonymous": app.test_client(), "admin": scene["admin"], "assessor": login_as("assessor")}
    clients["candidate"] = app.test_client()
    login(clients["candidate"], scene["candidate_email"])
    found = []
    for role, urls in pages(scene).items():
        client = clients[role]
        client.post("/language", data={"language": language})
        for url in urls:
            response = client.get(url, follow_redirects=True)
            assert response.status_code == 200, (role, url, response.status_code)
            text = visible_text(response.get_data(as_text=True))
            found += [f"{role} {url}: {fragment!r}" for fragment in fragments if fragment in text]
    assert not found, "\n".join(found)


def test_the_check_finds_english_where_there_is_some(app, scene):
    """The same check on the English page finds the catalogue's messages: it can fail."""
    client = scene["admin"]
    client.post("/language", data={"language": "en"})
    text = visible_text(client.get("/admin/settings").get_data(as_text=True))
    assert {"Centre settings", "Save the settings"} <= {f for f in english_fragments("kk") if f in text}
