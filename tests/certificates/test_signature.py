"""The signature: valid and covering the whole file; a flipped byte and an appended update are both detected."""

import io

import pytest
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.certificates.signing import verify_pdf
from certcenter.core.storage import get_storage
from certcenter.extensions import db


def issued_pdf(app, confirmed, login_as):
    ids = confirmed(1)
    login_as("admin").post("/admin/certificates/issue", data={"application": [str(ids[0])]})
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        with get_storage().open(certificate.storage_key) as handle:
            return certificate, handle.read()


def test_the_issued_file_is_signed_by_the_centre(app, confirmed, login_as):
    certificate, pdf = issued_pdf(app, confirmed, login_as)
    import hashlib

    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    with app.app_context():
        check = verify_pdf(pdf)
    assert check.ok and check.intact and check.valid and check.trusted and check.covers_whole_file
    assert "Qualification Confirmation Centre" in check.signer


def test_a_flipped_byte_is_detected(app, confirmed, login_as):
    _certificate, pdf = issued_pdf(app, confirmed, login_as)
    # flip a byte inside the signed content (the page stream), not in the signature container
    position = pdf.index(b"stream") + 200
    tampered = pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]
    with app.app_context():
        check = verify_pdf(tampered)
    assert not check.ok
    assert not check.intact or check.problem


def test_an_appended_incremental_update_is_detected(app, confirmed, login_as):
    _certificate, pdf = issued_pdf(app, confirmed, login_as)
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info = writer.root  # any change: here a new title in the document catalog
    info[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    updated = output.getvalue()
    assert updated.startswith(pdf) and len(updated) > len(pdf)
    with app.app_context():
        check = verify_pdf(updated)
    assert check.intact  # the signed bytes themselves are untouched ...
    assert not check.covers_whole_file and not check.ok  # ... but the signature no longer covers the file


def test_each_signature_is_made_for_its_own_file(app, confirmed, login_as):
    """Signatures share a container template; the digest and the signature value must still be each file's own:
    a container moved from one signed file into another does not verify."""
    ids = confirmed(2)
    login_as("admin").post("/admin/certificates/issue", data={"application": [str(i) for i in ids]})
    with app.app_context():
        first, second = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        pdfs = []
        for certificate in (first, second):
            with get_storage().open(certificate.storage_key) as handle:
                pdfs.append(handle.read())
        assert all(verify_pdf(pdf).ok for pdf in pdfs)

        def contents(pdf):
            start = pdf.rindex(b"/Contents <") + len(b"/Contents <")
            return start, pdf[start : pdf.index(b">", start)]

        (start_a, sig_a), (_start_b, sig_b) = contents(pdfs[0]), contents(pdfs[1])
        assert sig_a != sig_b and len(sig_a) == len(sig_b)
        transplanted = pdfs[0][:start_a] + sig_b + pdfs[0][start_a + len(sig_a) :]
        assert not verify_pdf(transplanted).ok


def test_a_container_length_ending_in_0x80_is_recognised_as_slow_to_dump():
    """asn1crypto reads a DER length ending in byte 0x80 as indefinite and re-encodes everything: the signer makes
    such a signature again (the check, not the speed, is what a test can hold)."""
    from certcenter.certificates.signing import _slow_to_dump

    assert _slow_to_dump([0x0482, 0x022F], -2)  # SignedData 0x0480 after a signature 2 bytes shorter
    assert _slow_to_dump([0x0480], 0)
    assert not _slow_to_dump([0x0482, 0x022F], 0)
    assert not _slow_to_dump([0x7E], 1)  # a length under 128 is one byte: never read as indefinite
    assert _slow_to_dump([0x7F], 1)  # 128 is written 0x81 0x80


def self_signed(key, folder, name: str):
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Test centre ({name})")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}-key.pem", folder / f"{name}-cert.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.mark.parametrize("kind", ["rsa-2048", "ec-p256", "ec-p384"])
def test_signatures_from_the_container_template_validate_for_each_kind_of_key(make_app, tmp_path, kind):
    """The signer writes each file's digest and signature value into a template container; every signature, with
    an RSA key (fixed-length values) or an EC key (ECDSA values of varying length), is one pyHanko accepts, covers
    its file, and is the file's own."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from certcenter.certificates.signing import sign_pdf, signer
    from certcenter.core.pdf import render_document

    key = {
        "rsa-2048": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec-p256": lambda: ec.generate_private_key(ec.SECP256R1()),
        "ec-p384": lambda: ec.generate_private_key(ec.SECP384R1()),
    }[kind]()
    key_path, cert_path = self_signed(key, tmp_path, kind)
    app = make_app(SIGNING_KEY_PATH=str(key_path), SIGNING_CERT_PATH=str(cert_path))
    with app.test_request_context():
        unsigned = [render_document(f"<p>Document {number}</p>").write_pdf() for number in range(12)]
        signed = [sign_pdf(pdf, reason=f"test {number}") for number, pdf in enumerate(unsigned)]
        assert signer()._templates["sha256"] is not None  # the template was used, not pyHanko's own assembly
        checks = [verify_pdf(pdf) for pdf in signed]
    assert all(check.ok for check in checks), [check for check in checks if not check.ok]
    assert {check.signer for check in checks} == {f"Common Name: Test centre ({kind})"}
    contents = {pdf[pdf.rindex(b"/Contents <") :].split(b">", 1)[0] for pdf in signed}
    assert len(contents) == len(signed)  # twelve different signatures
