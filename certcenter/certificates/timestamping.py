"""RFC 3161 time stamps on the centre's PDF signatures (PAdES B-T), and the validation data embedded beside them
(B-LT), so that a signature can still be checked once the signing certificate has expired or been revoked: the time
stamp proves the signature existed while the certificate was valid.

Production names a time-stamp authority (TIMESTAMP_URL, and TIMESTAMP_ROOT_PATH for its trust root). Development
and the tests run one inside the app: its key and certificate (issued by a development root) are generated into
instance/signing/ on first use, like the signing key, so that ``make run`` and the tests need nothing outside."""

from __future__ import annotations

import hashlib
import secrets
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import current_app

# A UUID-based OID (X.667: no registration needed) naming the development authority's policy.
DEVELOPMENT_POLICY = f"2.25.{uuid.UUID('6f1c2d4e-5b7a-4c3e-9d8f-0a1b2c3d4e5f').int}"
VALIDATION_DATA_TTL_SECONDS = 3600


def development_paths() -> tuple[Path, Path, Path]:
    folder = Path(current_app.instance_path) / "signing" / "tsa"
    return folder / "key.pem", folder / "cert.pem", folder / "root.pem"


def generate_development_authority(folder: Path, common_name: str) -> None:
    """A development root and the time-stamping certificate it issues (extended key usage timeStamping only,
    critical, as RFC 3161 requires); the root's key is not kept. The three files are written into a folder of
    their own, which is then renamed into place: of two worker processes starting at once, one set wins whole."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tsa-", dir=folder.parent))
    key_path, cert_path, root_path = staging / "key.pem", staging / "cert.pem", staging / "root.pem"
    now = datetime.now(UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name} (development TSA root)"[:64]),
        ]
    )
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
                    x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name} (development TSA)"[:64]),
                ]
            )
        )
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    root_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    try:
        staging.rename(folder)
    except OSError:  # another process made the authority first: keep its set
        shutil.rmtree(staging, ignore_errors=True)


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=not signs_certificates,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class TokenTemplate:
    """A time-stamp token signed once over marker values, and where in its DER bytes the parts are that differ from
    one token to the next: the message imprint, the serial number and the time inside the TSTInfo, the TSTInfo's
    digest inside the signed attributes, and the signature value (the token's last bytes). Building and encoding a
    token with asn1crypto takes milliseconds; filling a copy of these bytes takes microseconds."""

    der: bytes
    imprint_at: int
    serial_at: int
    time_at: int
    tst_at: int
    tst_length: int
    digest_at: int
    attributes_at: int
    attributes_length: int
    signature_length: int


SERIAL_BYTES = 16


def _serial() -> bytes:
    """A random positive serial number of exactly 16 DER bytes (first byte 0x40 to 0x7F)."""
    value = bytearray(secrets.token_bytes(SERIAL_BYTES))
    value[0] = 0x40 | (value[0] & 0x3F)
    return bytes(value)


def _generalized_time(moment: datetime) -> bytes:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S").encode()


class DevelopmentTimeStampAuthority:
    """The development time-stamp authority, as a pyHanko ``TimeStamper`` run in the calling process: tokens of
    RFC 3161 (one-second accuracy, no nonce: nothing travels between client and authority to be replayed), signed
    with ECDSA P-256 and carrying the authority's certificate and root."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, certificate: bytes, root: bytes) -> None:
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps import TimeStamper

        self.key = key
        self.certificate = asn1_x509.Certificate.load(certificate)
        self.root = asn1_x509.Certificate.load(root)
        # composition over the pyHanko class keeps its machinery (dummy responses, certificate registry,
        # validation paths) while the token itself is made here
        outer = self

        class _Stamper(TimeStamper):
            async def async_timestamp(self, message_digest, md_algorithm):
                return outer.token(message_digest, md_algorithm)

        self.stamper = _Stamper(include_nonce=False)
        self.stamper.authority = self
        self._template: TokenTemplate | None = None

    def _build(self, imprint: bytes, serial: bytes, moment: datetime, md_algorithm: str) -> bytes:
        """A token built by asn1crypto (the template, and any digest algorithm but SHA-256)."""
        from asn1crypto import algos, cms, core, tsp
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute

        tst_info = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": DEVELOPMENT_POLICY,
                "message_imprint": {"hash_algorithm": {"algorithm": md_algorithm}, "hashed_message": imprint},
                "serial_number": int.from_bytes(serial),
                "gen_time": core.GeneralizedTime(moment.replace(microsecond=0)),
                "tsa": asn1_x509.GeneralName(name="directory_name", value=self.certificate.subject),
            }
        ).dump()
        attributes = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("message_digest", hashlib.sha256(tst_info).digest()),
                simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(self.certificate)),
            ]
        )
        signature = self.key.sign(attributes.dump(), ec.ECDSA(hashes.SHA256()))
        digest_algorithm = algos.DigestAlgorithm({"algorithm": "sha256"})
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": {
                    "issuer_and_serial_number": {
                        "issuer": self.certificate.issuer,
                        "serial_number": self.certificate.serial_number,
                    }
                },
                "digest_algorithm": digest_algorithm,
                "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                "signed_attrs": attributes,
                "signature": signature,
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [digest_algorithm],
                "encap_content_info": {"content_type": "tst_info", "content": cms.ParsableOctetString(tst_info)},
                "certificates": [self.certificate, self.root],
                "signer_infos": [signer_info],
            }
        )
        return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()

    def _make_template(self) -> TokenTemplate:
        from asn1crypto import cms

        for _attempt in range(16):
            imprint, serial = secrets.token_bytes(32), _serial()
            moment = datetime.now(UTC).replace(microsecond=0)
            der = self._build(imprint, serial, moment, "sha256")
            signed_data = cms.ContentInfo.load(der)["content"]
            tst = signed_data["encap_content_info"]["content"].contents
            signer_info = signed_data["signer_infos"][0]
            attributes = signer_info["signed_attrs"].dump()
            signature = signer_info["signature"].native
            digest = hashlib.sha256(tst).digest()
            stamp = b"\x18\x0f" + _generalized_time(moment) + b"Z"
            if all(der.count(part) == 1 for part in (imprint, serial, tst, attributes, digest, stamp)) and der.endswith(
                signature
            ):
                return TokenTemplate(
                    der=der,
                    imprint_at=der.index(imprint),
                    serial_at=der.index(serial),
                    time_at=der.index(stamp) + 2,
                    tst_at=der.index(tst),
                    tst_length=len(tst),
                    digest_at=der.index(digest),
                    attributes_at=der.index(attributes),
                    attributes_length=len(attributes),
                    signature_length=len(signature),
                )
        raise RuntimeError("no token template could be made")

    def token(self, message_digest: bytes, md_algorithm: str):
        """A time-stamp token (asn1crypto ``ContentInfo``) over this digest, now."""
        from asn1crypto import cms

        now = datetime.now(UTC)
        if md_algorithm != "sha256" or len(message_digest) != 32:
            return cms.ContentInfo.load(self._build(message_digest, _serial(), now, md_algorithm))
        if self._template is None:
            self._template = self._make_template()
        template = self._template
        token = bytearray(template.der)
        token[template.imprint_at : template.imprint_at + 32] = message_digest
        token[template.serial_at : template.serial_at + SERIAL_BYTES] = _serial()
        token[template.time_at : template.time_at + 14] = _generalized_time(now)
        tst = bytes(token[template.tst_at : template.tst_at + template.tst_length])
        token[template.digest_at : template.digest_at + 32] = hashlib.sha256(tst).digest()
        attributes = token[template.attributes_at : template.attributes_at + template.attributes_length]
        to_sign = b"\x31" + bytes(attributes[1:])  # signed over as a SET, stored as [0] IMPLICIT (RFC 5652, 5.4)
        for _attempt in range(64):  # an ECDSA value of the template's length (70 to 72 bytes), so no length changes
            signature = self.key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
            if len(signature) == template.signature_length:
                token[len(token) - len(signature) :] = signature
                return cms.ContentInfo.load(bytes(token))
        return cms.ContentInfo.load(self._build(message_digest, _serial(), now, md_algorithm))


_authorities: dict[tuple, DevelopmentTimeStampAuthority] = {}


def development_authority() -> DevelopmentTimeStampAuthority:
    key_path, cert_path, root_path = development_paths()
    if not key_path.parent.exists():
        # named from the configuration, as the development signing key: made before the database may have tables
        generate_development_authority(key_path.parent, current_app.config["CENTRE_NAME"]["en"])
    cache_key = (str(key_path), key_path.stat().st_mtime)
    if cache_key not in _authorities:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(serialization.Encoding.DER)
        root = x509.load_pem_x509_certificate(root_path.read_bytes()).public_bytes(serialization.Encoding.DER)
        _authorities[cache_key] = DevelopmentTimeStampAuthority(key, certificate, root)
    return _authorities[cache_key]


_http_stampers: dict[str, object] = {}


def timestamper():
    """The pyHanko time stamper for the centre's signatures: the configured authority, else (outside production)
    the development one."""
    url = current_app.config.get("TIMESTAMP_URL")
    if url:
        if url not in _http_stampers:
            from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper

            _http_stampers[url] = HTTPTimeStamper(url, timeout=current_app.config["TIMESTAMP_TIMEOUT_SECONDS"])
        return _http_stampers[url]
    if current_app.config.get("SIGNING_REQUIRE_CONFIGURED_KEY"):
        raise RuntimeError("TIMESTAMP_URL must be set in production")
    return development_authority().stamper


def trust_roots() -> list:
    """The time-stamp authorities' roots a signature's time stamp is checked against (asn1crypto certificates)."""
    from pyhanko.keys import load_certs_from_pemder

    if current_app.config.get("TIMESTAMP_URL"):
        path = current_app.config.get("TIMESTAMP_ROOT_PATH")
        return list(load_certs_from_pemder([path])) if path else []
    _key_path, _cert_path, root_path = development_paths()
    if not root_path.parent.exists():
        development_authority()
    return list(load_certs_from_pemder([str(root_path)]))


@dataclass
class ValidationData:
    """What a B-LT signature carries in the document security store: the certificates of the signer's and the
    time-stamp authority's chains, and the CRLs and OCSP responses fetched for them."""

    certificates: list = field(default_factory=list)
    crls: list = field(default_factory=list)
    ocsps: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fetched_at: float = 0.0
    logged: bool = False  # its problems were logged once


_validation_data: dict[tuple, ValidationData] = {}


async def validation_data(signer, stamper, signer_roots: list, cache_key: tuple) -> ValidationData:
    """The chains of the signing certificate and of the time-stamp authority, with their revocation data (fetched
    where the certificates point to it), gathered once an hour per process: it is the same for every certificate.
    A chain that cannot be validated still contributes its certificates (and the problem is logged)."""
    from pyhanko_certvalidator import CertificateValidator, ValidationContext

    cached = _validation_data.get(cache_key)
    if cached is not None and time.monotonic() - cached.fetched_at < VALIDATION_DATA_TTL_SECONDS:
        return cached
    context = ValidationContext(
        trust_roots=signer_roots + trust_roots(),
        other_certs=list(signer.cert_registry),
        allow_fetching=True,
        revocation_mode="soft-fail",
    )
    data = ValidationData()
    certificates: dict = {}
    try:
        path = await CertificateValidator(
            signer.signing_cert, intermediate_certs=signer.cert_registry, validation_context=context
        ).async_validate_usage(set())
        certificates.update((cert.issuer_serial, cert) for cert in path)
    except Exception as exc:  # the certificates are still embedded; the verifier decides
        data.problems.append(f"signing certificate: {type(exc).__name__}: {exc}")
        certificates[signer.signing_cert.issuer_serial] = signer.signing_cert
        certificates.update((cert.issuer_serial, cert) for cert in signer.cert_registry)
    try:
        async for path in stamper.validation_paths(context):
            certificates.update((cert.issuer_serial, cert) for cert in path)
    except Exception as exc:
        data.problems.append(f"time-stamp authority: {type(exc).__name__}: {exc}")
        certificates.update((cert.issuer_serial, cert) for cert in stamper.cert_registry)
    data.certificates = list(certificates.values())
    data.crls = list(context.crls)
    data.ocsps = list(context.ocsps)
    data.fetched_at = time.monotonic()
    _validation_data[cache_key] = data
    return data
