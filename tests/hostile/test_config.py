"""Production refuses what would make it unsafe; development's QR codes point where it really serves."""

import asyncio
import threading

import pytest
from sqlalchemy import select

from certcenter import create_app
from certcenter.certificates.models import Certificate
from certcenter.certificates.signing import generate_development_key, sign_pdf
from certcenter.extensions import db
from tests.certificates.conftest import pdftotext
from tests.conftest import login

GOOD_KEY = "k" * 32
PUBLIC = "https://certcenter.example.kz"


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """A clean environment for create_app: its own instance folder, no CERTCENTER_* settings of the caller."""
    monkeypatch.setenv("CERTCENTER_INSTANCE_PATH", str(tmp_path))
    for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "HOST", "PORT", "SIGNING_KEY_PATH", "SIGNING_CERT_PATH"):
        monkeypatch.delenv(f"CERTCENTER_{name}", raising=False)
    return monkeypatch


@pytest.mark.parametrize("key", ["a", "dev-only-insecure-key", "k" * 31, "ключ" * 3])
def test_production_refuses_a_short_or_default_secret_key(environment, key):
    environment.setenv("CERTCENTER_SECRET_KEY", key)
    environment.setenv("CERTCENTER_PUBLIC_BASE_URL", PUBLIC)
    with pytest.raises(RuntimeError, match="SECRET_KEY of at least 32 bytes"):
        create_app("production")


def test_production_starts_with_a_long_key_and_its_public_address(environment):
    environment.setenv("CERTCENTER_SECRET_KEY", GOOD_KEY)
    environment.setenv("CERTCENTER_PUBLIC_BASE_URL", PUBLIC)
    assert create_app("production").config["PUBLIC_BASE_URL"] == PUBLIC


def test_production_refuses_to_start_without_its_public_address(environment):
    environment.setenv("CERTCENTER_SECRET_KEY", GOOD_KEY)
    environment.setenv("CERTCENTER_PORT", "8000")
    with pytest.raises(RuntimeError, match="CERTCENTER_PUBLIC_BASE_URL"):
        create_app("production")


def blank_pdf() -> bytes:
    import io

    import pikepdf

    document, buffer = pikepdf.new(), io.BytesIO()
    document.add_blank_page()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("in_a_running_event_loop", [False, True])
def test_production_never_signs_with_the_development_key_left_in_instance(
    environment, tmp_path, in_a_running_event_loop
):
    """Also from a thread whose event loop runs (as under Playwright's sync API in the browser tests): signing then
    happens in a thread of its own, which must still see the application."""
    generate_development_key(tmp_path / "signing" / "centre-key.pem", tmp_path / "signing" / "centre-cert.pem", "X")
    environment.setenv("CERTCENTER_SECRET_KEY", GOOD_KEY)
    environment.setenv("CERTCENTER_PUBLIC_BASE_URL", PUBLIC)

    def check() -> None:
        production = create_app("production")
        with production.app_context(), pytest.raises(RuntimeError, match="never with the development key"):
            sign_pdf(blank_pdf(), reason="test")
        development = create_app("development")
        with development.app_context():
            assert b"/ByteRange" in sign_pdf(blank_pdf(), reason="test")  # development uses it, as before

    if in_a_running_event_loop:  # in a thread of its own: this one may already run a loop (the browser tests')
        failures: list[BaseException] = []

        async def inside_a_loop() -> None:
            check()

        def run() -> None:
            try:
                asyncio.run(inside_a_loop())
            except BaseException as exc:  # re-raised in the test's thread
                failures.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        if failures:
            raise failures[0]
    else:
        check()


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        (None, None, "http://127.0.0.1:5000"),
        ("127.0.0.1", "8123", "http://127.0.0.1:8123"),
        ("0.0.0.0", "8080", "http://127.0.0.1:8080"),
        ("192.168.1.20", "5001", "http://192.168.1.20:5001"),
        ("::1", "8443", "http://[::1]:8443"),
    ],
)
def test_development_derives_the_public_address_from_where_it_serves(environment, host, port, expected):
    if host:
        environment.setenv("CERTCENTER_HOST", host)
    if port:
        environment.setenv("CERTCENTER_PORT", port)
    assert create_app("development").config["PUBLIC_BASE_URL"] == expected
    environment.setenv("CERTCENTER_PUBLIC_BASE_URL", "http://certcenter.local")
    assert create_app("development").config["PUBLIC_BASE_URL"] == "http://certcenter.local"  # set: kept


def test_the_qr_address_on_a_certificate_carries_the_port_served_on(app, make_app, confirmed, make_user, tmp_path):
    served = make_app(PORT=8123)
    (application_id,) = confirmed()
    admin = served.test_client()
    login(admin, make_user("administrator").email)
    assert admin.post("/admin/certificates/issue", data={"application": [str(application_id)]}).status_code == 302
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
    text = pdftotext(admin.get(f"/certificates/{certificate.id}.pdf").data, tmp_path)
    assert "http://127.0.0.1:8123/verify/" in text and ":5000" not in text
    credential = admin.get(f"/certificates/{certificate.id}/credential.json").get_json()
    assert f"http://127.0.0.1:8123/verify/{certificate.verification_code}" in str(credential)
