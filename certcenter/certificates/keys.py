"""The centre's credential keys (Ed25519) and where verifiers find them: a ``did:web`` document at
/.well-known/did.json and a JWKS at /.well-known/jwks.json.

The keys are files in one folder (CREDENTIAL_KEYS_PATH; for development instance/credentials/keys, a key generated
on first use): ``<key id>.pem`` holds a private key, ``<key id>.pub.pem`` a public key alone, for a key retired
after a rotation whose private half was destroyed. The newest key id with a private key signs (key ids are the UTC
time the key was made, so they sort by age), or the one CREDENTIAL_ACTIVE_KEY names. Every key in the folder stays
published, so a credential signed before a rotation still verifies."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from certcenter.certificates.linked_data import MULTIKEY_V1, base58btc
from certcenter.core.settings import centre_settings

DID_V1 = "https://www.w3.org/ns/did/v1"
JWK_V1 = "https://w3id.org/security/jwk/v1"
ED25519_MULTICODEC = b"\xed\x01"


class KeyConfigurationError(RuntimeError):
    pass


@dataclass(frozen=True)
class IssuerKey:
    key_id: str
    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None

    @property
    def raw_public(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def multibase(self) -> str:
        """The public key as a Multikey's ``publicKeyMultibase`` (ed25519-pub multicodec, base58btc)."""
        return "z" + base58btc(ED25519_MULTICODEC + self.raw_public)

    def public_jwk(self) -> dict[str, str]:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": base64.urlsafe_b64encode(self.raw_public).rstrip(b"=").decode(),
            "alg": "EdDSA",
            "use": "sig",
        }


def keys_folder() -> Path:
    configured = current_app.config.get("CREDENTIAL_KEYS_PATH")
    if configured:
        return Path(configured)
    if current_app.config.get("SIGNING_REQUIRE_CONFIGURED_KEY"):
        raise KeyConfigurationError("CREDENTIAL_KEYS_PATH must be set in production")
    return Path(current_app.instance_path) / "credentials" / "keys"


def new_key_id() -> str:
    return "key-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def generate_key(folder: Path) -> str:
    """A new Ed25519 key in the folder; being the newest, it signs from now on. Returns its id."""
    folder.mkdir(parents=True, exist_ok=True)
    key_id = new_key_id()
    key = Ed25519PrivateKey.generate()
    path = folder / f"{key_id}.pem"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    tmp.chmod(0o600)
    tmp.replace(path)
    return key_id


def retire_private_half(folder: Path, key_id: str) -> None:
    """Keep only the public half of a key that no longer signs (it stays published)."""
    path = folder / f"{key_id}.pem"
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    public = folder / f"{key_id}.pub.pem"
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    path.unlink()


_loaded: dict[tuple, tuple[IssuerKey, ...]] = {}


def issuer_keys() -> tuple[IssuerKey, ...]:
    """Every key of the folder, oldest first (a development key is made if the folder has none)."""
    folder = keys_folder()
    files = sorted(folder.glob("*.pem")) if folder.exists() else []
    if not files:
        if current_app.config.get("SIGNING_REQUIRE_CONFIGURED_KEY"):
            raise KeyConfigurationError(f"no credential key in {folder}")
        generate_key(folder)
        files = sorted(folder.glob("*.pem"))
    cache_key = tuple((str(path), path.stat().st_mtime_ns) for path in files)
    if cache_key not in _loaded:
        passphrase = current_app.config.get("CREDENTIAL_KEYS_PASSPHRASE")
        keys = {}
        for path in files:
            if path.name.endswith(".pub.pem"):
                key_id = path.name.removesuffix(".pub.pem")
                public = serialization.load_pem_public_key(path.read_bytes())
                private = None
            else:
                key_id = path.name.removesuffix(".pem")
                private = serialization.load_pem_private_key(
                    path.read_bytes(), password=passphrase.encode() if passphrase else None
                )
                public = private.public_key()
            if not isinstance(public, Ed25519PublicKey):
                raise KeyConfigurationError(f"{path.name} is not an Ed25519 key")
            if key_id not in keys or private is not None:
                keys[key_id] = IssuerKey(key_id, public, private)
        _loaded.clear()
        _loaded[cache_key] = tuple(keys[key_id] for key_id in sorted(keys))
    return _loaded[cache_key]


def active_key() -> IssuerKey:
    keys = issuer_keys()
    wanted = current_app.config.get("CREDENTIAL_ACTIVE_KEY")
    signing = [key for key in keys if key.private is not None and (wanted is None or key.key_id == wanted)]
    if not signing:
        raise KeyConfigurationError(f"no private credential key {wanted or ''} in {keys_folder()}".strip())
    return signing[-1]


def public_base() -> str:
    return centre_settings().public_base_url.rstrip("/")


def issuer_did() -> str:
    """did:web of the public address: the host (its port percent-encoded) and any path, as did:web spells them."""
    parts = urlsplit(public_base())
    segments = [quote(parts.netloc, safe="")] + [
        quote(segment, safe="") for segment in parts.path.split("/") if segment
    ]
    return "did:web:" + ":".join(segments)


def multikey_id(key: IssuerKey) -> str:
    """The verification method of the Data Integrity proofs (a Multikey, as vc-di-eddsa wants)."""
    return f"{issuer_did()}#{key.key_id}"


def jwk_id(key: IssuerKey) -> str:
    """The verification method of the JWTs (a JsonWebKey, as VC-JOSE-COSE wants), the ``kid`` of their header."""
    return f"{issuer_did()}#{key.key_id}-jwk"


def did_document() -> dict:
    """The issuer's DID document: every key, as a Multikey and as a JsonWebKey, both for assertions."""
    did = issuer_did()
    methods = []
    for key in issuer_keys():
        methods.append(
            {"id": multikey_id(key), "type": "Multikey", "controller": did, "publicKeyMultibase": key.multibase}
        )
        methods.append({"id": jwk_id(key), "type": "JsonWebKey", "controller": did, "publicKeyJwk": key.public_jwk()})
    return {
        "@context": [DID_V1, MULTIKEY_V1, JWK_V1],
        "id": did,
        "alsoKnownAs": [public_base()],
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def jwks() -> dict:
    return {"keys": [key.public_jwk() | {"kid": jwk_id(key)} for key in issuer_keys()]}
