"""The audit log in words: every action the code records and every field it writes has words in the catalogue, and
the log's pages and CSV show those words in the reader's language, never the codes."""

from __future__ import annotations

import ast
import csv
import html
import io
import re
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

import certcenter
from certcenter.core import audit_catalogue
from certcenter.extensions import db

ROOT = Path(certcenter.__file__).parent
NOT_DETAILS = {"actor", "at", "action", "reason_required"}


def _strings(node: ast.AST, constants: dict[str, str]) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body, constants) + _strings(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    return []


def recorded_in_the_code() -> tuple[set[str], set[str]]:
    """The actions passed to audit.record / record_many (or as ``action=`` to a helper that records), and the
    fields of the details passed to audit.record and to workflow.transition."""
    actions, fields = set(), set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            node.targets[0].id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in ("record", "record_many") and node.args:
                actions.update(_strings(node.args[0], constants))
            actions.update(s for kw in node.keywords if kw.arg == "action" for s in _strings(kw.value, constants))
            if name in ("record", "transition"):
                fields.update(kw.arg for kw in node.keywords if kw.arg and kw.arg not in NOT_DETAILS)
    return {action for action in actions if "." in action}, fields


def test_every_action_and_field_the_code_records_has_words(app):
    actions, fields = recorded_in_the_code()
    assert len(actions) > 40  # the collector still finds the calls
    with app.test_request_context():
        known_actions = {action for action, _label in audit_catalogue.action_choices()}
        missing_fields = {field for field in fields if audit_catalogue.field_label(field) == field}
    assert actions - known_actions == set(), "give these actions words in the domain's audit_words.py"
    assert missing_fields == set(), "give these fields words in the domain's audit_words.py"


@pytest.fixture
def revoked(app, confirmed, login_as):
    """A certificate issued and revoked by an administrator who reads Kazakh."""
    (application_id,) = confirmed(1)
    admin = login_as("admin")
    admin.post("/admin/certificates/issue", data={"application": [str(application_id)]})
    with app.app_context():
        from certcenter.certificates.models import Certificate

        certificate_id = db.session.query(Certificate.id).filter_by(application_id=application_id).scalar()
    admin.post(f"/admin/certificates/{certificate_id}/revoke", data={"reason": "Жалған құжат"})
    admin.post("/language", data={"language": "kk"})
    return admin, certificate_id


def visible_text(page: str) -> str:
    """What the reader sees: the page without its tags (and their attributes)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page.split("<body", 1)[1]))


def in_kazakh(app, text_of) -> str:
    with app.test_request_context(), force_locale("kk"):
        return str(text_of())


def test_the_log_reads_in_words_of_the_readers_language(app, revoked):
    admin, certificate_id = revoked
    revoke = in_kazakh(app, lambda: audit_catalogue.action_label("certificate.revoke"))
    before = in_kazakh(
        app, lambda: f"{audit_catalogue.field_label('before')}: {audit_catalogue.value_words('before', 'valid')}"
    )
    after = in_kazakh(
        app, lambda: f"{audit_catalogue.field_label('after')}: {audit_catalogue.value_words('after', 'revoked')}"
    )
    assert revoke != "certificate.revoke" and "revoked" not in revoke.lower()  # it has Kazakh words
    page = visible_text(admin.get("/admin/audit").get_data(as_text=True))
    for code in ("certificate.revoke", "english: True", "['administrator']", "None", "Certificate #"):
        assert code not in page
    assert revoke in page and before in page and after in page
    history = visible_text(admin.get(f"/admin/certificates/{certificate_id}").get_data(as_text=True))
    assert revoke in history and "certificate.revoke" not in history


def test_the_log_is_searched_by_action_person_object_and_period_and_paging_keeps_the_search(app, revoked):
    admin, certificate_id = revoked
    only = admin.get("/admin/audit?action=certificate.revoke").get_data(as_text=True)
    assert only.count('data-action="certificate.revoke"') == 1 and 'data-action="certificate.issue"' not in only
    mine = admin.get("/admin/audit?person=nobody-of-that-name").get_data(as_text=True)
    assert 'data-action="' not in mine
    target = admin.get(f"/admin/audit?target_type=Certificate&target_id={certificate_id}").get_data(as_text=True)
    assert 'data-action="certificate.issue"' in target and 'data-action="application.transition"' not in target
    later = admin.get("/admin/audit?date_from=2999-01-01").get_data(as_text=True)
    assert 'data-action="' not in later
    with app.app_context():
        from certcenter.core import audit

        for number in range(120):
            audit.record("storage.orphans_deleted", None, count=number, keys=[])
        db.session.commit()
    first = admin.get("/admin/audit?action=storage.orphans_deleted").get_data(as_text=True)
    assert "page=2" in first and "action=storage.orphans_deleted" in first.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_the_log_downloads_as_csv_in_words(app, revoked):
    admin, _certificate_id = revoked
    response = admin.get("/admin/audit.csv?action=certificate.revoke")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == [in_kazakh(app, lambda word=word: gettext(word)) for word in ("When", "Who", "Action")]
    assert rows[0][0] != "When"
    revoke = in_kazakh(app, lambda: audit_catalogue.action_label("certificate.revoke"))
    assert len(rows) == 2 and rows[1][2] == revoke and "Жалған құжат" in rows[1][4]
