"""The centre settings changed in the browser: the next certificate states them (read back with pdftotext), the
page header shows them, each change is in the audit log, a deployment's environment fixes a field, and another
process sees a change without a restart."""

from __future__ import annotations

import io
import re
import subprocess
import time

from PIL import Image
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.core.models import AuditEntry
from certcenter.core.settings import centre_settings, save_setting
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from tests import samples
from tests.certificates.conftest import pdftotext


def form_data(**changes):
    """Every field of the settings form as the page fills it, with ``changes``."""
    data = {
        "name-kk": "Біліктілікті растау орталығы",
        "name-ru": "Центр подтверждения квалификации",
        "name-en": "Qualification Confirmation Centre",
        "short_name-kk": "БРО",
        "short_name-ru": "ЦПК",
        "short_name-en": "QCC",
        "accreditation-kk": "Аккредиттеу аттестаты № 1",
        "accreditation-ru": "Аттестат аккредитации № 1",
        "accreditation-en": "Accreditation certificate No. 1",
        "signatory_name-kk": "Ә. С. Нұрланова",
        "signatory_name-ru": "А. С. Нурланова",
        "signatory_name-en": "A. S. Nurlanova",
        "signatory_position-kk": "Орталық директоры",
        "signatory_position-ru": "Директор центра",
        "signatory_position-en": "Director of the centre",
        "certificate_number_prefix": "KZQC",
        "public_base_url": "https://certs.example.kz",
        "assignment_days": "5",
        "exception_days": "5",
        "assessment_days": "21",
        "moderation_days": "7",
        "decision_days": "7",
        "issue_days": "10",
        "appeal_panel_days": "30",
        "appeal_days": "30",
        "appeal_certificate_status": "y",
        "appeal_lower_level": "y",
        "complaint_acknowledge_days": "5",
        "complaint_resolve_days": "30",
        "evidence_retention_years": "5",
        "assessment_records_retention_years": "5",
        "personal_data_retention_years": "5",
        "complaints_retention_years": "5",
        "reports_retention_years": "3",
        "audit_log_retention_years": "10",
        "data_export_days": "7",
    }
    return data | changes


def issue_one(app, confirmed, admin, english=False):
    ids = confirmed(1)
    admin.post(
        "/admin/certificates/issue",
        data={"application": [str(i) for i in ids], **({"english": "y"} if english else {})},
    )
    with app.app_context():
        certificate = db.session.scalars(select(Certificate).order_by(Certificate.id.desc())).first()
        with get_storage().open(certificate.storage_key) as handle:
            return certificate.number, handle.read()


def flat(text):
    return re.sub(r"\s+", " ", text)


def png(width=120, height=60) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 121, 154)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_name_changed_in_the_browser_is_printed_on_the_next_certificate(app, confirmed, login_as, tmp_path):
    admin = login_as("admin")
    _number, before = issue_one(app, confirmed, admin)
    assert "БІЛІКТІЛІКТІ РАСТАУ ОРТАЛЫҒЫ" in flat(pdftotext(before, tmp_path))

    page = admin.get("/admin/settings")
    assert page.status_code == 200
    assert 'value="Біліктілікті растау орталығы"' in page.text
    response = admin.post(
        "/admin/settings",
        data=form_data(
            **{
                "name-kk": "Астана біліктілік орталығы",
                "name-ru": "Астанинский центр квалификаций",
                "signatory_name-ru": "А. Нурланова",
                "certificate_number_prefix": "ASTQ",
            }
        ),
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Астана біліктілік орталығы" in response.text  # the header, at once

    number, after = issue_one(app, confirmed, admin)
    text = flat(pdftotext(after, tmp_path))
    assert "Астана біліктілік орталығы / Астанинский центр квалификаций".upper() in text.upper()
    assert "Ә. С. Нұрланова / А. Нурланова" in text  # the signatory in each language of the face
    assert "Аккредиттеу аттестаты № 1 / Аттестат аккредитации № 1" in text
    assert number.startswith("ASTQ-")
    assert "certs.example.kz/verify/" in text

    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "centre.settings")).all()
        changed = {entry.details["setting"] for entry in entries}
        assert {"name", "signatory_name", "certificate_number_prefix", "public_base_url", "accreditation"} <= changed
        name_entry = next(entry for entry in entries if entry.details["setting"] == "name")
        assert name_entry.details["after"]["kk"] == "Астана біліктілік орталығы"
        assert name_entry.actor is not None
    log = admin.get("/admin/audit?action=centre.settings")
    assert "Орталық баптауы өзгертілді" in log.text  # the action, in the administrator's language (kk)
    assert "centre.settings" not in re.sub(r'(value|href|data-action)="[^"]*"', "", log.text)
    assert "Орталықтың атауы" in log.text  # the setting named in words


def test_the_certificate_already_issued_keeps_what_it_stated(app, confirmed, login_as, tmp_path):
    admin = login_as("admin")
    number, _pdf = issue_one(app, confirmed, admin)
    admin.post("/admin/settings", data=form_data(**{"name-kk": "Жаңа атау"}))
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.number == number))
        assert certificate.centre["name"]["kk"] == "Біліктілікті растау орталығы"


def test_the_logo_uploaded_is_on_the_next_certificate(app, confirmed, login_as, tmp_path):
    admin = login_as("admin")
    response = admin.post(
        "/admin/settings",
        data=form_data(logo=(io.BytesIO(png()), "logo.png")),
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    shown = admin.get("/admin/settings/logo")
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    _number, pdf = issue_one(app, confirmed, admin)
    path = tmp_path / "logo.pdf"
    path.write_bytes(pdf)
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    sizes = [line.split()[3:5] for line in images.splitlines()[2:]]
    assert ["120", "60"] in sizes  # the logo, at its own pixel size

    # removed: the next certificate has none
    admin.post("/admin/settings", data=form_data(remove_logo="y"))
    _number, pdf = issue_one(app, confirmed, admin)
    path.write_bytes(pdf)
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert ["120", "60"] not in [line.split()[3:5] for line in images.splitlines()[2:]]


def test_a_logo_that_is_no_image_or_too_large_is_refused_on_the_page(app, login_as):
    admin = login_as("admin")
    for content, name in (
        (samples.PDF, "logo.png"),
        (samples.HTML_AS_PDF, "logo.png"),
        (png(3000, 40), "wide.png"),
        (png()[:60], "cut.png"),
        (b"\x89PNG" + b"\x00" * (600 * 1024), "big.png"),
    ):
        response = admin.post(
            "/admin/settings",
            data=form_data(**{"name-kk": "Өзгермеген", "logo": (io.BytesIO(content), name)}),
            content_type="multipart/form-data",
        )
        assert response.status_code == 200, name
        assert 'class="error"' in response.text, name
        assert 'value="Өзгермеген"' in response.text  # the input is kept
    with app.app_context():
        assert centre_settings().logo is None
        assert centre_settings().name["kk"] == "Біліктілікті растау орталығы"  # nothing half-saved


def test_invalid_values_are_shown_next_to_their_fields(app, login_as):
    admin = login_as("admin")
    response = admin.post(
        "/admin/settings",
        data=form_data(certificate_number_prefix="kz qc", public_base_url="javascript:alert(1)", appeal_days="0"),
    )
    assert response.status_code == 200
    assert response.text.count('class="error"') >= 3
    with app.app_context():
        assert centre_settings().certificate_number_prefix == "KZQC"


def test_only_administrators_open_the_settings(app, login_as, client):
    assert client.get("/admin/settings").status_code == 302
    for role in ("candidate", "assessor"):
        user = login_as(role)
        assert user.get("/admin/settings").status_code == 403
        assert user.post("/admin/settings", data=form_data(**{"name-kk": "X"})).status_code == 403


def test_a_field_fixed_by_the_environment_is_shown_and_not_changed(app, make_app, make_user, monkeypatch):
    from tests.conftest import login

    monkeypatch.setenv("CERTCENTER_CERTIFICATE_NUMBER_PREFIX", "ENVQ")
    fixed_app = make_app()
    assert fixed_app.config["CERTIFICATE_NUMBER_PREFIX"] == "ENVQ"
    admin = make_user("administrator")
    client = fixed_app.test_client()
    login(client, admin.email)
    page = client.get("/admin/settings")
    assert 'data-setting="certificate_number_prefix"' in page.text
    assert "ENVQ" in page.text
    assert 'name="certificate_number_prefix"' not in page.text
    client.post("/admin/settings", data=form_data(certificate_number_prefix="OTHR", **{"name-kk": "Жаңа"}))
    with fixed_app.app_context():
        assert centre_settings().certificate_number_prefix == "ENVQ"
        assert centre_settings().name["kk"] == "Жаңа"
        with fixed_app.test_request_context():
            from certcenter.core.settings import SettingsError

            try:
                save_setting("certificate_number_prefix", "OTHR", actor=None)
            except SettingsError:
                pass
            else:
                raise AssertionError("a fixed setting was saved")


def test_another_process_sees_a_change_without_a_restart(app, make_app):
    """Two apps on one database stand for two processes: the reader caches for a short while, then reads again."""
    reader = make_app(CENTRE_SETTINGS_CACHE_SECONDS=0.5)
    with reader.app_context():
        assert centre_settings().name["kk"] == "Біліктілікті растау орталығы"
    with app.test_request_context():
        save_setting("name", {"kk": "Екінші", "ru": "Второй", "en": "Second"}, actor=None)
        db.session.commit()
    with reader.app_context():
        cached = centre_settings().name["kk"]
    time.sleep(0.6)
    with reader.app_context():
        assert centre_settings().name["kk"] == "Екінші"
    assert cached in ("Біліктілікті растау орталығы", "Екінші")
