"""The status lists (W3C Bitstring Status List): one signed ``BitstringStatusListCredential`` per purpose, in which
each certificate's credential has a bit at its index.

- ``revocation``: set for a revoked certificate, and for a superseded one (a reissue replaced it): both for good.
- ``suspension``: set while a certificate is suspended; a reinstatement clears it.

The bits are read from the certificates' statuses when a list is asked for, so a suspension, reinstatement or
revocation shows in the list as soon as it is committed; the signed list is kept per process for as long as the bits,
the last status change and the signing key stay the same, and it is the same bytes in every process (its time is that
of the last status change, and Ed25519 signatures are deterministic), so its ETag is too."""

from __future__ import annotations

import base64
import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from certcenter.certificates.models import REVOKED, SUPERSEDED, SUSPENDED, Certificate, StatusListCounter
from certcenter.extensions import db

REVOCATION, SUSPENSION = "revocation", "suspension"
PURPOSES = {REVOCATION: (REVOKED, SUPERSEDED), SUSPENSION: (SUSPENDED,)}
# The specification's minimum (16 KB uncompressed), for herd privacy; a list grows by as much again when needed.
BLOCK_BITS = 131_072
MAX_AGE_SECONDS = 300  # how long verifiers may cache a list


def allocate_indexes(count: int) -> list[int]:
    """``count`` new indexes, taken in one statement under the counter row's lock (as certificate numbers are)."""
    if count <= 0:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(StatusListCounter).values(id=1, last_index=-1).on_conflict_do_nothing())
    last = db.session.execute(
        update(StatusListCounter)
        .where(StatusListCounter.id == 1)
        .values(last_index=StatusListCounter.last_index + count)
        .returning(StatusListCounter.last_index)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return list(range(last - count + 1, last + 1))


def ensure_index(certificate: Certificate) -> int:
    """The certificate's index; one written in bulk without (demo data) gets the next one now."""
    if certificate.status_index is None:
        certificate.status_index = allocate_indexes(1)[0]
    return certificate.status_index


def encode_bits(indexes: list[int], length: int) -> str:
    """The list as the specification encodes it: bit 0 is the first byte's highest bit; GZIP-compressed (with no
    time in its header, so the same bits make the same bytes); multibase base64url without padding."""
    bits = bytearray(length // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def decode_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("not multibase base64url")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


@dataclass(frozen=True)
class ListState:
    purpose: str
    indexes: tuple[int, ...]
    length: int
    changed_at: datetime

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.purpose}|{self.length}|{self.indexes}".encode()).hexdigest()


def list_state(purpose: str) -> ListState:
    indexes = db.session.scalars(
        select(Certificate.status_index)
        .where(Certificate.status.in_(PURPOSES[purpose]), Certificate.status_index.is_not(None))
        .order_by(Certificate.status_index)
    ).all()
    last = db.session.scalar(select(StatusListCounter.last_index).where(StatusListCounter.id == 1))
    highest = max([last if last is not None else -1, *indexes])
    length = max(BLOCK_BITS, -(-(highest + 1) // BLOCK_BITS) * BLOCK_BITS)
    changed = db.session.scalar(select(func.max(Certificate.status_changed_at)))
    changed_at = (changed or datetime(2020, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
    return ListState(purpose, tuple(indexes), length, changed_at)


_signed: OrderedDict[tuple, tuple[dict, str]] = OrderedDict()
_signed_lock = threading.Lock()


def signed_status_list(purpose: str) -> tuple[dict, str, str]:
    """The purpose's list credential now: (document with its Data Integrity proof, the same as a JWT, ETag)."""
    from certcenter.certificates.credential import public_base, sign_document, status_list_url
    from certcenter.certificates.keys import active_key, issuer_did

    state = list_state(purpose)
    key = active_key()
    cache_key = (state.digest, state.changed_at, key.key_id, public_base())
    with _signed_lock:
        cached = _signed.get(cache_key)
    if cached is None:
        url = status_list_url(purpose)
        valid_from = state.changed_at.isoformat().replace("+00:00", "Z")
        document = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_did(),
            "validFrom": valid_from,
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": purpose,
                "encodedList": encode_bits(list(state.indexes), state.length),
                "ttl": MAX_AGE_SECONDS * 1000,
            },
        }
        cached = sign_document(document, key, created=valid_from)
        with _signed_lock:
            _signed[cache_key] = cached
            while len(_signed) > 8:
                _signed.popitem(last=False)
    document, token = cached
    return document, token, f"{purpose}-{state.digest[:16]}-{int(state.changed_at.timestamp())}-{key.key_id}"
