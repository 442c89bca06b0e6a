"""The centre's signature on every certificate PDF (PAdES baseline, pyHanko): B-LT, that is time-stamped (B-T, see
``timestamping``) with the validation data of both chains in the document security store, written in the same
revision as the signature.

For development a key and a self-signed certificate are generated into instance/signing/ on first use; production
reads them from SIGNING_KEY_PATH and SIGNING_CERT_PATH (and SIGNING_KEY_PASSPHRASE, and SIGNING_CHAIN_PATH for the
intermediate and root certificates)."""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import io
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import current_app

_signers: dict[tuple, object] = {}


def _paths() -> tuple[Path, Path]:
    config = current_app.config
    if config.get("SIGNING_KEY_PATH") and config.get("SIGNING_CERT_PATH"):
        return Path(config["SIGNING_KEY_PATH"]), Path(config["SIGNING_CERT_PATH"])
    if current_app.config.get("SIGNING_REQUIRE_CONFIGURED_KEY"):
        # production: never the development key, even one left in instance/signing/ by an earlier demo run
        raise RuntimeError(
            "Refusing to sign: production signs only with the key and certificate set in SIGNING_KEY_PATH and "
            "SIGNING_CERT_PATH, never with the development key in instance/signing/"
        )
    folder = Path(current_app.instance_path) / "signing"
    key_path, cert_path = folder / "centre-key.pem", folder / "centre-cert.pem"
    if not key_path.exists() or not cert_path.exists():
        # a development key is named from the configuration: it may be made before the database has any table
        generate_development_key(key_path, cert_path, current_app.config["CENTRE_NAME"]["en"])
    return key_path, cert_path


def generate_development_key(key_path: Path, cert_path: Path, common_name: str) -> None:
    """An EC P-256 key and a self-signed certificate, for development and tests only."""
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name} (development signing key)"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    tmp_key = key_path.with_suffix(".tmp")
    tmp_key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    tmp_key.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    tmp_key.replace(key_path)


def _enclosing_lengths(container) -> list[int]:
    """The DER lengths of the structures around the signature value: ContentInfo, the explicit [0] and SignedData,
    the set of SignerInfos and the SignerInfo (read from their headers)."""
    signed_data = container["content"]
    headers = (container, signed_data, signed_data["signer_infos"], signed_data["signer_infos"][0])
    lengths = []
    for header in (value._header for value in headers):
        position = 0
        while position < len(header):
            first = header[position + 1]
            size = first & 0x7F if first & 0x80 else 0
            lengths.append(int.from_bytes(header[position + 2 : position + 2 + size]) if size else first)
            position += 2 + size
    return lengths


def _slow_to_dump(lengths: list[int], change: int) -> bool:
    """asn1crypto takes a definite length whose last byte is 0x80 for an indefinite one, and then re-encodes the
    whole container from its parsed parts (35-70 ms instead of under 1) each time it is dumped."""
    return any(length + change >= 128 and (length + change) & 0xFF == 0x80 for length in lengths)


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8)
    return bytes([0x80 | len(body)]) + body


def _tlv(der: bytes, at: int) -> tuple[int, int]:
    """The header length and the content length of the DER value at ``at`` (one-byte tags)."""
    first = der[at + 1]
    if first < 0x80:
        return 2, first
    size = first & 0x7F
    return 2 + size, int.from_bytes(der[at + 2 : at + 2 + size])


def _enclosing_headers(der: bytes) -> list[tuple[int, int]]:
    """Where the headers are (offset, length) of the structures that end where the container ends: ContentInfo,
    its explicit [0], SignedData, the set of SignerInfos (SignedData's last field) and its one SignerInfo."""
    headers = [(0, _tlv(der, 0)[0])]
    position = headers[0][1]
    header, length = _tlv(der, position)  # contentType
    position += header + length
    for _level in range(2):  # [0] and SignedData
        headers.append((position, _tlv(der, position)[0]))
        position += headers[-1][1]
    while True:  # to SignedData's last field
        header, length = _tlv(der, position)
        if position + header + length == len(der):
            break
        position += header + length
    headers.append((position, header))
    position += header
    header, length = _tlv(der, position)
    if position + header + length != len(der):
        raise ValueError("the container does not end with its only SignerInfo")
    headers.append((position, header))
    return headers


def append_to_signer_info(der: bytes, extra: bytes) -> bytes:
    """The container with ``extra`` (the unsigned attributes) appended to its SignerInfo after the signature value:
    the five enclosing headers are written again with their lengths grown, every other byte stays as it was."""
    parts, previous = [], 0
    for at, header in _enclosing_headers(der):
        length = _tlv(der, at)[1]
        parts += [der[previous:at], der[at : at + 1], _der_length(length + len(extra))]
        previous = at + header
    parts += [der[previous:], extra]
    return b"".join(parts)


# id-aa-signatureTimeStampToken (RFC 3161, appendix A)
SIGNATURE_TIMESTAMP_OID = bytes.fromhex("060b2a864886f70d010910020e")


def signature_timestamp_attributes(token: bytes) -> bytes:
    """unsignedAttrs [1] IMPLICIT SET OF Attribute, holding the one signature time-stamp token."""
    values = b"\x31" + _der_length(len(token)) + token
    attribute = SIGNATURE_TIMESTAMP_OID + values
    attribute = b"\x30" + _der_length(len(attribute)) + attribute
    return b"\xa1" + _der_length(len(attribute)) + attribute


@dataclass(frozen=True)
class ContainerTemplate:
    """A PAdES CMS container signed once over a marker digest, and where in its DER bytes the parts are that differ
    from one signature to the next: the message digest (inside the signed attributes) and the signature value (the
    container's last bytes)."""

    der: bytes
    digest_at: int
    digest_length: int
    attributes_at: int
    attributes_length: int
    signature_length: int

    @classmethod
    def from_reference(cls, der: bytes, marker: bytes) -> ContainerTemplate | None:
        """The template, or None if this container cannot be one (then pyHanko signs as it always does)."""
        from asn1crypto import cms

        signer_info = cms.ContentInfo.load(der)["content"]["signer_infos"][0]
        attributes = signer_info["signed_attrs"].dump()
        signature = signer_info["signature"].native
        attributes_at = der.find(attributes)
        digest_at = der.find(marker)
        if (
            der.count(marker) != 1
            or der.count(attributes) != 1
            or attributes[0] != 0xA0  # [0] IMPLICIT SET OF Attribute
            or not attributes_at <= digest_at < attributes_at + len(attributes)
            or not der.endswith(signature)  # no unsigned attributes after the signature value
            or signer_info["unsigned_attrs"].native
        ):
            return None
        return cls(der, digest_at, len(marker), attributes_at, len(attributes), len(signature))

    def signed_bytes(self, digest: bytes) -> tuple[bytearray, bytes]:
        """The container with this digest, and the DER its signature is made over: the signed attributes with
        their universal SET tag instead of the implicit [0] (RFC 5652, 5.4)."""
        container = bytearray(self.der)
        container[self.digest_at : self.digest_at + self.digest_length] = digest
        attributes = container[self.attributes_at : self.attributes_at + self.attributes_length]
        return container, b"\x31" + bytes(attributes[1:])


def _template_signer_class():
    from asn1crypto import cms
    from pyhanko.sign import signers

    class TemplateSigner(signers.SimpleSigner):
        """pyHanko's signer, with the CMS container built once per key and digest algorithm.

        For a PAdES signature the signed attributes are content type, message digest and the signing certificate
        (no signing time: that lives in the signature dictionary), so the containers of two signatures differ only
        in the message digest and the signature value, both of fixed length. Building and encoding the container
        with asn1crypto is most of pyHanko's cost; here each signature copies the template's DER bytes, writes the
        file's digest into them, signs the signed attributes with the same key and algorithm as pyHanko would, and
        writes the signature value in its place. An ECDSA value varies in length (70 to 72 bytes): one of another
        length than the template's is made again, with another random nonce, as valid as the first, so that no
        length in the container changes. The signature time stamp (an unsigned attribute after the signature
        value) is spliced in after signing (``append_to_signer_info``). Non-PDF content goes through pyHanko
        unchanged."""

        _templates: dict

        def reserved_bytes(self, digest_algorithm: str, unsigned_length: int = 0) -> int | None:
            """Room for the signature in the file, as pyHanko would estimate it (the container's hex length and
            half again), known from the template without signing a dummy first; None until the template is built.
            ``unsigned_length``: the time-stamp attribute's length as the authority's dummy token has it."""
            template = self.__dict__.get("_templates", {}).get(digest_algorithm)
            if template is None:
                return None
            hex_length = 2 * len(template.der)
            return hex_length + 2 * (hex_length // 4) + 2 * unsigned_length

        async def _template(
            self, digest_length: int, digest_algorithm: str, unsigned_length: int = 0, **kwargs
        ) -> ContainerTemplate | None:
            templates = self.__dict__.setdefault("_templates", {})
            if digest_algorithm not in templates:
                template = None
                for _attempt in range(8):  # a reference whose lengths are all clear of asn1crypto's 0x80 trap
                    marker = secrets.token_bytes(digest_length)
                    reference = await super().async_sign(marker, digest_algorithm, False, True, None, **kwargs)
                    der = reference.dump()
                    lengths = _enclosing_lengths(cms.ContentInfo.load(der))
                    if not _slow_to_dump(lengths, 0) and not _slow_to_dump(lengths, unsigned_length):
                        template = ContainerTemplate.from_reference(der, marker)
                        break
                templates[digest_algorithm] = template
            return templates[digest_algorithm]

        async def async_sign(
            self, data_digest: bytes, digest_algorithm: str, dry_run=False, use_pades=False, timestamper=None, **kwargs
        ):
            template = None
            if use_pades and kwargs.get("encap_content_info") is None:
                unsigned_length = 0
                if timestamper is not None:
                    dummy = await timestamper.async_dummy_response(digest_algorithm)
                    unsigned_length = len(signature_timestamp_attributes(dummy.dump()))
                template = await self._template(len(data_digest), digest_algorithm, unsigned_length, **kwargs)
            if template is None or len(data_digest) != template.digest_length:
                return await super().async_sign(
                    data_digest, digest_algorithm, dry_run, use_pades, timestamper, **kwargs
                )
            container, to_sign = template.signed_bytes(data_digest)
            if dry_run:  # for the size estimate: with a dummy time stamp where there will be one
                if timestamper is not None:
                    dummy = await timestamper.async_dummy_response(digest_algorithm)
                    container = append_to_signer_info(bytes(container), signature_timestamp_attributes(dummy.dump()))
                return cms.ContentInfo.load(bytes(container))
            for _attempt in range(64):
                signature = await self.async_sign_raw(to_sign, digest_algorithm)
                if len(signature) == template.signature_length:
                    container[len(container) - len(signature) :] = signature
                    if timestamper is None:
                        return cms.ContentInfo.load(bytes(container))
                    # the signature time stamp covers the signature value (RFC 3161, appendix A)
                    token = await timestamper.async_timestamp(
                        hashlib.new(digest_algorithm, signature).digest(), digest_algorithm
                    )
                    stamped = append_to_signer_info(bytes(container), signature_timestamp_attributes(token.dump()))
                    return cms.ContentInfo.load(stamped)
            return await super().async_sign(data_digest, digest_algorithm, dry_run, use_pades, timestamper, **kwargs)

    return TemplateSigner


def signer():
    key_path, cert_path = _paths()
    chain = current_app.config.get("SIGNING_CHAIN_PATH")
    cache_key = (str(key_path), key_path.stat().st_mtime, chain)
    if cache_key not in _signers:
        passphrase = current_app.config.get("SIGNING_KEY_PASSPHRASE")
        from pyhanko.sign import signers

        loaded = signers.SimpleSigner.load(
            str(key_path),
            str(cert_path),
            ca_chain_files=(chain,) if chain else None,
            key_passphrase=passphrase.encode() if passphrase else None,
        )
        _signers[cache_key] = _template_signer_class()(
            signing_cert=loaded.signing_cert, signing_key=loaded.signing_key, cert_registry=loaded.cert_registry
        )
    return _signers[cache_key]


def signing_certificate_pem() -> bytes:
    return _paths()[1].read_bytes()


def signer_trust_roots() -> list:
    """The roots the centre's signatures are checked against: the self-signed certificates of the configured chain;
    without one, the signing certificate itself (self-signed in development: trusted directly as the centre's own).
    A certificate issued by a CA is never itself the anchor, so that its revocation is checked."""
    from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder

    chain = current_app.config.get("SIGNING_CHAIN_PATH")
    roots = [cert for cert in load_certs_from_pemder([chain]) if cert.self_signed != "no"] if chain else []
    return roots or [load_cert_from_pemder(str(_paths()[1]))]


@dataclass
class SignedPdf:
    pdf: bytes
    timestamped_at: datetime | None


def sign_pdfs(documents: list[tuple[bytes, str]], *, location: str = "Kazakhstan") -> list[SignedPdf]:
    """Sign (PAdES B-LT) each (pdf, reason) of a batch in one event loop, so that the time stamps of the batch are
    requested concurrently from an authority over the network (the development one answers in-process)."""
    from certcenter.certificates.timestamping import timestamper, validation_data

    centre, stamper = signer(), timestamper()
    cache_key = (id(centre), id(stamper))
    roots = signer_trust_roots()

    async def sign_all() -> list[SignedPdf]:
        data = await validation_data(centre, stamper, roots, cache_key)
        if data.problems and not data.logged:
            current_app.logger.warning("validation data incomplete: %s", "; ".join(data.problems))
            data.logged = True
        jobs = (_sign_one(pdf, reason, location, centre, stamper, data) for pdf, reason in documents)
        if _fixed_length(stamper):  # the authority in this process: nothing to wait for, one file at a time
            return [await job for job in jobs]
        return list(await asyncio.gather(*jobs))

    return _run(sign_all())


async def _sign_one(pdf: bytes, reason: str, location: str, centre, stamper, data) -> SignedPdf:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.validation import DocumentSecurityStore

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    # B-LT in one revision: the document security store is written with the signature (and covered by it)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, certs=data.certificates, ocsps=data.ocsps, crls=data.crls)
    metadata = signers.PdfSignatureMetadata(
        field_name="CentreSignature",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    output = io.BytesIO()
    dummy = len(signature_timestamp_attributes((await stamper.async_dummy_response(metadata.md_algorithm)).dump()))
    # the development authority's tokens are all of one length; another authority's vary (certificates, policy)
    reserved = centre.reserved_bytes(metadata.md_algorithm, dummy if _fixed_length(stamper) else 2 * dummy)
    pdf_signer = signers.PdfSigner(metadata, signer=centre, timestamper=stamper)
    await pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved, output=output)
    signed = output.getvalue()
    return SignedPdf(signed, timestamp_of(signed))


def _fixed_length(stamper) -> bool:
    from certcenter.certificates.timestamping import DevelopmentTimeStampAuthority

    return isinstance(getattr(stamper, "authority", None), DevelopmentTimeStampAuthority)


def timestamp_of(pdf: bytes) -> datetime | None:
    """The time in the signature time stamp of the file's (last) signature, read from its token."""
    from asn1crypto import cms

    start = pdf.rfind(b"/Contents <")
    if start < 0:
        return None
    start += len(b"/Contents <")
    container = bytes.fromhex(pdf[start : pdf.index(b">", start)].decode())
    try:
        signer_info = cms.ContentInfo.load(container.rstrip(b"\0"))["content"]["signer_infos"][0]
        for attribute in signer_info["unsigned_attrs"] or ():
            if attribute["type"].native == "signature_time_stamp_token":
                token = attribute["values"][0]
                return token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    except (ValueError, KeyError, TypeError):
        return None
    return None


def sign_pdf(pdf: bytes, *, reason: str, location: str = "Kazakhstan") -> bytes:
    return sign_pdfs([(pdf, reason)], location=location)[0].pdf


async def _validated(signature, context, ts_context):
    """pyHanko's validation, then the release of what the validation contexts opened (as its synchronous wrapper
    does)."""
    from pyhanko.sign.validation import async_validate_pdf_signature

    try:
        return await async_validate_pdf_signature(signature, context, ts_validation_context=ts_context)
    finally:
        await context.aclose()
        await ts_context.aclose()


def _run(coroutine):
    """``asyncio.run``, which pyHanko's synchronous ``sign_pdf`` and ``validate_pdf_signature`` use, refuses a
    thread whose event loop is running (a caller inside async code; a test driving the browser with Playwright's
    sync API): the signature was then never made, or never checked. There the coroutine runs in a thread of its
    own, in a copy of the caller's context (the application context, which the coroutine may log through)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(contextvars.copy_context().run, asyncio.run, coroutine).result()


@dataclass
class SignatureCheck:
    signed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str | None = None
    problem: str | None = None
    timestamped_at: datetime | None = None
    timestamp_trusted: bool = False
    long_term: bool = False  # validated from what the file itself carries, nothing fetched

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.valid and self.trusted and self.covers_whole_file


def verify_pdf(pdf: bytes) -> SignatureCheck:
    """pyHanko's overall verdict on the file: the signature is intact and valid, made with the centre's key, and
    covers the entire file (an appended incremental update, even an innocent one, fails this); and when it was
    time-stamped, by an authority we trust. The check fetches nothing: the certificates and revocation data come
    from the file's document security store (B-LT), revocation checked strictly where a certificate declares it."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from certcenter.certificates.timestamping import trust_roots

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # a damaged file is a verdict, not an error
        return SignatureCheck(signed=False, problem=f"unreadable PDF: {type(exc).__name__}")
    if not signatures:
        return SignatureCheck(signed=False, problem="no signature")
    try:
        store = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        store = None
    except Exception:
        store = None
    # revocation checked strictly where a certificate declares where to find it, from what the file carries; a
    # file signed before B-LT (no store) is checked as it was then
    settings = {
        "allow_fetching": False,
        "revocation_mode": "hard-fail" if store else "soft-fail",
        "crls": [],
        "ocsps": [],
    }

    def context(roots: list) -> ValidationContext:
        kwargs = settings | {"trust_roots": roots}
        return store.as_validation_context(kwargs) if store is not None else ValidationContext(**kwargs)

    try:
        status = _run(_validated(signatures[0], context(signer_trust_roots()), context(trust_roots())))
    except Exception as exc:
        return SignatureCheck(signed=True, problem=f"signature cannot be validated: {type(exc).__name__}")
    timestamp = status.timestamp_validity
    return SignatureCheck(
        signed=True,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE and len(signatures) == 1,
        signer=status.signing_cert.subject.human_friendly,
        timestamped_at=timestamp.timestamp if timestamp is not None else None,
        timestamp_trusted=bool(timestamp and timestamp.intact and timestamp.valid and timestamp.trusted),
        long_term=store is not None and status.trusted and bool(timestamp and timestamp.trusted),
    )
