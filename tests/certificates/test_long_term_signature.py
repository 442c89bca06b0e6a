"""PAdES B-T and B-LT: the signature carries an RFC 3161 time stamp that validates against the development
authority's certificate, and the file carries the validation data of both chains, so that it validates offline."""

from __future__ import annotations

import asyncio
import hashlib
import io
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from tests.certificates.test_signature import issued_pdf


def signer_info(pdf: bytes):
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return signature, signature.signed_data["signer_infos"][0]


def timestamp_token(info) -> cms.ContentInfo:
    (attribute,) = [a for a in info["unsigned_attrs"] if a["type"].native == "signature_time_stamp_token"]
    return attribute["values"][0]


def test_the_time_stamp_validates_against_the_development_authority(app, confirmed, login_as, tmp_path):
    from certcenter.certificates.timestamping import development_paths

    certificate, pdf = issued_pdf(app, confirmed, login_as)
    with app.app_context():
        _key, authority_cert, authority_root = (str(path) for path in development_paths())
    _signature, info = signer_info(pdf)
    token = timestamp_token(info)
    # the time stamp is over this signature's value (RFC 3161, appendix A) ...
    value = info["signature"].native
    context = ValidationContext(trust_roots=[load_cert_from_pemder(authority_root)], allow_fetching=False)
    result = TimestampSignatureStatus(
        **asyncio.run(
            validate_tst_signed_data(
                token["content"], context, lambda algorithm: hashlib.new(algorithm, value).digest()
            )
        )
    )
    assert result.intact and result.valid and result.trusted
    authority = load_cert_from_pemder(authority_cert)
    sid = token["content"]["signer_infos"][0]["sid"].chosen
    assert (sid["issuer"], sid["serial_number"].native) == (authority.issuer, authority.serial_number)  # its signer
    stamped = result.timestamp
    assert abs(stamped - datetime.now(UTC)) < timedelta(minutes=10)
    assert certificate.timestamped_at == stamped  # the time kept on the row, shown on the verify page

    # another signature's digest does not match this token
    other = asyncio.run(
        validate_tst_signed_data(token["content"], context, lambda algorithm: hashlib.new(algorithm, b"x").digest())
    )
    assert not TimestampSignatureStatus(**other).intact


def test_the_verify_page_shows_when_the_signature_was_timestamped(app, confirmed, login_as):
    from flask_babel import format_datetime

    certificate, pdf = issued_pdf(app, confirmed, login_as)
    client = app.test_client()
    page = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert 'id="signature-timestamp"' in page
    with app.test_request_context():
        shown = format_datetime(certificate.timestamped_at)
    assert shown in page
    checked = client.post(
        f"/verify/{certificate.verification_code}",
        data={"file": (io.BytesIO(pdf), "c.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'id="file-timestamp"' in checked and shown in checked
    record = client.get(f"/api/v1/certificates/{certificate.verification_code}").get_json()
    assert record["signature_timestamped_at"] == certificate.timestamped_at.isoformat()


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_chain(folder, crl_url: str):
    """A root CA that publishes a CRL at ``crl_url``, and the centre's signing certificate it issues."""
    now = datetime.now(UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(_name("Test root CA"))
        .issuer_name(_name("Test root CA"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=2))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    distribution = x509.CRLDistributionPoints(
        [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("Test centre signing"))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(distribution, critical=False)
        .sign(root_key, hashes.SHA256())
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.subject)
        .last_update(now - timedelta(hours=1))
        .next_update(now + timedelta(days=7))
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = {"key": folder / "centre-key.pem", "cert": folder / "centre-cert.pem", "chain": folder / "chain.pem"}
    paths["key"].write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    paths["cert"].write_bytes(leaf.public_bytes(pem))
    paths["chain"].write_bytes(root.public_bytes(pem))
    return paths, crl.public_bytes(serialization.Encoding.DER)


def serve_crl():
    """A CRL distribution point on a free loopback port; the test sets the CRL once the CA exists."""
    served = {"crl": b"", "fetched": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served["fetched"] += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-crl")
            self.end_headers()
            self.wfile.write(served["crl"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, served


def test_a_pdf_signed_b_lt_validates_offline(make_app, tmp_path):
    """With a CA that declares a CRL: signing fetches it and embeds it with the certificates; afterwards, with the
    distribution point gone and fetching off, the file validates from what it carries (revocation checked strictly),
    and without the embedded CRL it would not."""
    from certcenter.certificates import timestamping
    from certcenter.certificates.signing import sign_pdf, verify_pdf
    from certcenter.core.pdf import render_document

    server, served = serve_crl()
    paths, served["crl"] = make_chain(tmp_path, f"http://127.0.0.1:{server.server_port}/root.crl")
    app = make_app(
        SIGNING_KEY_PATH=str(paths["key"]), SIGNING_CERT_PATH=str(paths["cert"]), SIGNING_CHAIN_PATH=str(paths["chain"])
    )
    timestamping._validation_data.clear()
    try:
        with app.test_request_context():
            pdf = sign_pdf(render_document("<p>Long-term</p>").write_pdf(), reason="test")
            tsa_roots = timestamping.trust_roots()
    finally:
        server.shutdown()
    assert served["fetched"] >= 1

    reader = PdfFileReader(io.BytesIO(pdf))
    signature = reader.embedded_signatures[0]
    store = DocumentSecurityStore.read_dss(reader)
    assert len(store.crls) == 1 and len(store.certs) >= 4  # signer, its root, the authority and its root
    root = load_cert_from_pemder(str(paths["chain"]))
    strict = {"allow_fetching": False, "revocation_mode": "hard-fail"}
    status = validate_pdf_signature(
        signature,
        store.as_validation_context(strict | {"trust_roots": [root]}),
        ts_validation_context=store.as_validation_context(strict | {"trust_roots": tsa_roots}),
    )
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    # the same check without what the file carries fails: the revocation data came from the file
    bare = validate_pdf_signature(signature, ValidationContext(trust_roots=[root], crls=[], ocsps=[], **strict))
    assert not bare.bottom_line

    with app.test_request_context():
        check = verify_pdf(pdf)
    assert check.ok and check.long_term and check.timestamp_trusted and check.timestamped_at is not None
    timestamping._validation_data.clear()
