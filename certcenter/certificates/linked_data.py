"""JSON-LD for the credentials' Data Integrity proofs (``eddsa-rdfc-2022``): the published contexts, read from the
package that ships them and never fetched, and the proof itself (RDF canonicalisation by pyld, Ed25519 by
cryptography).

The contexts are the byte-exact published documents that openbadgeslib ships (its pinned copies); each is checked
against the SHA-256 published for it before use, so a changed copy stops signing instead of silently changing what
a signature covers. The Bitstring Status List and Data Integrity terms are in the VC 2.0 context itself."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

# URL -> (file in openbadgeslib.ob3.contexts, SHA-256 of the published document)
CONTEXTS = {
    VC_V2: ("credentials-v2.json", "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"),
    OB_V3: ("ob-v3p0-context-3.0.3.json", "3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84"),
    DATA_INTEGRITY_V2: (
        "security-data-integrity-v2.json",
        "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
    ),
    MULTIKEY_V1: ("security-multikey-v1.json", "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597"),
}

CRYPTOSUITE = "eddsa-rdfc-2022"


class UnknownContext(Exception):
    """A document names a context this package does not ship: it is not fetched."""


@cache
def load_context(url: str) -> dict[str, Any]:
    try:
        name, digest = CONTEXTS[url]
    except KeyError:
        raise UnknownContext(f"the JSON-LD context {url!r} is not shipped; contexts are never fetched") from None
    data = resources.files("openbadgeslib.ob3.contexts").joinpath(name).read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise UnknownContext(f"the shipped copy of {url!r} is not the published document")
    return json.loads(data)


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's document loader: the shipped contexts and nothing else. They never change within a process, so pyld
    may keep what it resolved of them ("static")."""
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url), "tag": "static"}


def canonical_nquads(document: dict[str, Any]) -> str:
    """The document's RDF dataset in canonical N-Quads (RDFC-1.0, which pyld calls URDNA2015)."""
    from pyld import jsonld

    return jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader}
    )


BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    """Base58 (Bitcoin alphabet), as multibase's ``z`` prefix wants it."""
    number = int.from_bytes(data)
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def _hash_data(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    """What ``eddsa-rdfc-2022`` signs: the hash of the canonical proof configuration, then of the document."""
    return (
        hashlib.sha256(canonical_nquads(proof_config).encode()).digest()
        + hashlib.sha256(canonical_nquads(document).encode()).digest()
    )


def add_proof(
    document: dict[str, Any], key: Ed25519PrivateKey, verification_method: str, created: str
) -> dict[str, Any]:
    """The document with a ``DataIntegrityProof`` (``eddsa-rdfc-2022``, proof purpose assertionMethod) made with
    this key (vc-di-eddsa, section 3.3)."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(unsecured, proof | {"@context": unsecured["@context"]}))
    return unsecured | {"proof": proof | {"proofValue": "z" + base58btc(signature)}}
