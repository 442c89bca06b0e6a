"""The signed Open Badges 3.0 credential, as a verifier elsewhere sees it: fetched through the public routes, checked
by implementations other than the one that signed it (PyJWT for the JWT; openbadgeslib's OB 3.0 verifiers for the
Data Integrity proof, the did:web key, the JWT and the status lists), with its status following the lifecycle."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import jwt as pyjwt
import pytest
from openbadgeslib.errors import LibOpenBadgesException
from openbadgeslib.ob3.ldp import OB3LdpVerifier
from openbadgeslib.ob3.verifier import OB3Verifier
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.core.models import AuditEntry
from certcenter.extensions import db

BASE = "https://certs.example.kz"
DID = "did:web:certs.example.kz"


@pytest.fixture
def public_app(make_app, tmp_path):
    """The app as deployed at a public https address, with a key folder of its own (so rotations stay here)."""
    return make_app(PUBLIC_BASE_URL=BASE, CREDENTIAL_KEYS_PATH=str(tmp_path / "keys"))


def issue(app, confirmed, login_as, count: int = 1) -> list[Certificate]:
    ids = confirmed(count)
    admin = login_as("admin")
    response = admin.post("/admin/certificates/issue", data={"application": [str(i) for i in ids]})
    assert response.status_code == 302
    with app.app_context():
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        db.session.expunge_all()
    return certificates


def fetcher(app):
    """What a verifier's HTTPS fetch returns, answered by the app (the status lists as JWTs, which openbadgeslib
    verifies; did:web documents at their well-known path)."""
    client = app.test_client()

    def download(url: str) -> bytes:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == BASE, url
        accept = "application/vc+jwt" if "/credentials/status/" in parts.path else "application/json"
        response = client.get(parts.path, headers={"Accept": accept})
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
        return response.get_data()

    return download


def public_jwk(app, kid: str):
    keys = app.test_client().get("/.well-known/jwks.json").get_json()["keys"]
    (jwk,) = [key for key in keys if key["kid"] == kid]
    return pyjwt.PyJWK(jwk)


def get_credential(app, code: str) -> tuple[dict, str]:
    client = app.test_client()
    document = client.get(f"/credentials/{code}", headers={"Accept": "application/vc+ld+json"})
    token = client.get(f"/credentials/{code}", headers={"Accept": "application/vc+jwt"})
    assert document.status_code == 200 and document.mimetype == "application/vc+ld+json"
    assert token.status_code == 200 and token.mimetype == "application/vc+jwt"
    return document.get_json(), token.get_data(as_text=True)


def verify_jwt(app, token: str) -> dict:
    """PyJWT, with the key the JWKS publishes under the token's kid (EdDSA only: no algorithm confusion)."""
    header = pyjwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    return pyjwt.decode(token, public_jwk(app, header["kid"]).key, algorithms=["EdDSA"], options={"verify_exp": True})


def test_the_credential_verifies_with_independent_implementations(public_app, confirmed, login_as):
    (certificate,) = issue(public_app, confirmed, login_as)
    document, token = get_credential(public_app, certificate.verification_code)

    claims = verify_jwt(public_app, token)
    assert claims["iss"] == DID == document["issuer"]["id"]
    assert claims["jti"] == document["id"] == f"{BASE}/credentials/{certificate.verification_code}"
    assert {name: value for name, value in claims.items() if name not in ("iss", "jti", "nbf", "exp")} == document

    download = fetcher(public_app)
    # the Data Integrity proof, the key resolved from did:web, and both status lists fetched and their JWTs checked
    verified = OB3LdpVerifier.for_issuer_did(DID).verify(document, check_status=True, download=download)
    assert verified.issuer.id == DID
    OB3Verifier.for_issuer_did(DID, download=download).verify(token, check_status=True, download=download)

    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    subject = document["credentialSubject"]
    names = {identity["identityHash"] for identity in subject["identifier"] if identity["identityType"] == "name"}
    assert names == {certificate.holder_name, certificate.holder_name_latin}
    achievement = subject["achievement"]
    assert achievement["humanCode"] == certificate.qualification_code
    alignments = {alignment["targetFramework"]: alignment["targetCode"] for alignment in achievement["alignment"]}
    assert alignments["National Qualifications Framework of the Republic of Kazakhstan"] == str(certificate.nqf_level)
    assert certificate.centre["accreditation"]["en"] in json.dumps(document["issuer"], ensure_ascii=False)
    assert document["validFrom"].startswith(certificate.issued_on.isoformat())
    assert document["validUntil"].startswith(certificate.expires_on.isoformat())
    assert "criteria met" in document["evidence"][0]["narrative"]


def test_no_iin_and_the_name_frozen_at_issue(public_app, confirmed, login_as):
    """The name is the certificate's (copied at issue); a later change of the profile does not reach it."""
    (certificate,) = issue(public_app, confirmed, login_as)
    with public_app.app_context():
        row = db.session.get(Certificate, certificate.id)
        profile = row.application.candidate
        iin = profile.iin
        profile.full_name = "Өзгертілген Есім"
        db.session.commit()
    document, token = get_credential(public_app, certificate.verification_code)
    text = json.dumps(document, ensure_ascii=False) + token
    assert iin not in text and iin[-4:] not in json.dumps(document["credentialSubject"])
    assert certificate.holder_name in json.dumps(document, ensure_ascii=False)
    assert "Өзгертілген" not in json.dumps(document, ensure_ascii=False)


def test_a_changed_claim_fails_verification(public_app, confirmed, login_as):
    (certificate,) = issue(public_app, confirmed, login_as)
    document, token = get_credential(public_app, certificate.verification_code)
    download = fetcher(public_app)

    forged = json.loads(json.dumps(document))
    forged["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    with pytest.raises(LibOpenBadgesException):
        OB3LdpVerifier.for_issuer_did(DID).verify(forged, download=download)
    later = json.loads(json.dumps(document))
    later["validUntil"] = "2099-12-31T23:59:59+05:00"
    with pytest.raises(LibOpenBadgesException):
        OB3LdpVerifier.for_issuer_did(DID).verify(later, download=download)

    header, payload, signature = token.split(".")
    claims = json.loads(pyjwt.utils.base64url_decode(payload))
    claims["credentialSubject"]["achievement"]["name"] = "Chief Engineer"
    changed = pyjwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    with pytest.raises(pyjwt.InvalidSignatureError):
        verify_jwt(public_app, f"{header}.{changed}.{signature}")
    with pytest.raises(LibOpenBadgesException):
        OB3Verifier.for_issuer_did(DID, download=download).verify(f"{header}.{changed}.{signature}")


def status_bits(app, purpose: str) -> tuple[bytes, str]:
    """The purpose's list, its JWT checked by PyJWT, and its bits."""
    from certcenter.certificates.status_list import decode_bits

    client = app.test_client()
    response = client.get(f"/credentials/status/{purpose}", headers={"Accept": "application/vc+jwt"})
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert response.cache_control.public and 0 < response.cache_control.max_age <= 600
    claims = verify_jwt(app, response.get_data(as_text=True))
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert claims["credentialSubject"]["statusPurpose"] == purpose
    document = client.get(f"/credentials/status/{purpose}").get_json()
    assert document["credentialSubject"] == claims["credentialSubject"]
    return decode_bits(claims["credentialSubject"]["encodedList"]), response.headers["ETag"]


def test_status_list_bits_follow_suspend_reinstate_revoke(public_app, confirmed, login_as):
    from certcenter.certificates.status_list import bit

    first, second = issue(public_app, confirmed, login_as, 2)
    document, _token = get_credential(public_app, first.verification_code)
    entries = {entry["statusPurpose"]: entry for entry in document["credentialStatus"]}
    assert set(entries) == {"revocation", "suspension"}
    index = int(entries["revocation"]["statusListIndex"])
    assert index == int(entries["suspension"]["statusListIndex"]) == first.status_index != second.status_index

    def bits():
        return {purpose: bit(status_bits(public_app, purpose)[0], index) for purpose in ("revocation", "suspension")}

    def other_bits():
        return {purpose: bit(status_bits(public_app, purpose)[0], second.status_index) for purpose in entries}

    assert bits() == {"revocation": False, "suspension": False}
    bits_before, etag = status_bits(public_app, "suspension")
    assert len(bits_before) * 8 >= 131_072  # the specification's minimum size

    admin = login_as("admin")
    lifecycle = f"/admin/certificates/{first.id}"
    assert admin.post(f"{lifecycle}/suspend", data={"reason": "Under review."}).status_code == 302
    assert bits() == {"revocation": False, "suspension": True}
    assert status_bits(public_app, "suspension")[1] != etag
    download = fetcher(public_app)
    with pytest.raises(LibOpenBadgesException, match="suspension"):
        OB3LdpVerifier.for_issuer_did(DID).verify(document, check_status=True, download=download)

    assert admin.post(f"{lifecycle}/reinstate", data={"reason": "Cleared."}).status_code == 302
    assert bits() == {"revocation": False, "suspension": False}
    OB3LdpVerifier.for_issuer_did(DID).verify(document, check_status=True, download=download)

    assert admin.post(f"{lifecycle}/revoke", data={"reason": "Forged evidence."}).status_code == 302
    assert bits() == {"revocation": True, "suspension": False}
    with pytest.raises(LibOpenBadgesException, match="revocation"):
        OB3LdpVerifier.for_issuer_did(DID).verify(document, check_status=True, download=download)
    assert other_bits() == {"revocation": False, "suspension": False}


def test_status_lists_can_be_cached_and_revalidated(public_app, confirmed, login_as):
    issue(public_app, confirmed, login_as)
    client = public_app.test_client()
    first = client.get("/credentials/status/revocation")
    assert first.status_code == 200 and first.mimetype == "application/vc+ld+json"
    assert first.headers["ETag"] and "Accept" in first.headers["Vary"]
    again = client.get("/credentials/status/revocation", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/credentials/status/revocation").get_data() == first.get_data()  # the same bytes each time
    assert client.get("/credentials/status/other").status_code == 404


def test_a_credential_signed_with_a_rotated_out_key_still_verifies(public_app, confirmed, login_as):
    from certcenter.certificates.keys import issuer_keys, keys_folder

    old, new = issue(public_app, confirmed, login_as, 2)
    old_document, old_token = get_credential(public_app, old.verification_code)
    result = public_app.test_cli_runner().invoke(args=["credentials", "rotate-key"])
    assert result.exit_code == 0 and "new signing key" in result.output, result.output
    with public_app.app_context():
        keys = issuer_keys()
        assert len(keys) == 2 and keys[0].private is None  # the old private key is gone; its public half stays
        assert sorted(path.name for path in keys_folder().iterdir())[0].endswith(".pub.pem")
    new_document, new_token = get_credential(public_app, new.verification_code)
    assert new_document["proof"]["verificationMethod"] != old_document["proof"]["verificationMethod"]
    assert pyjwt.get_unverified_header(new_token)["kid"] != pyjwt.get_unverified_header(old_token)["kid"]
    # the old credential is served as it was signed, and still verifies, by both proofs
    assert get_credential(public_app, old.verification_code) == (old_document, old_token)
    download = fetcher(public_app)
    for document, token in ((old_document, old_token), (new_document, new_token)):
        verify_jwt(public_app, token)
        OB3LdpVerifier.for_issuer_did(DID).verify(document, check_status=True, download=download)
        OB3Verifier.for_issuer_did(DID, download=download).verify(token)
    did_document = public_app.test_client().get("/.well-known/did.json").get_json()
    assert old_document["proof"]["verificationMethod"] in did_document["assertionMethod"]


EXPECTED_TYPES = {
    "/credentials/status/": ("application/vc+ld+json",),
    "/credentials/": ("application/vc+ld+json",),
    "/.well-known/did.json": ("application/did+ld+json",),
    "/verify/": ("text/html",),
    "/qualifications/": ("text/html",),
    "/framework/": ("text/html",),
    "/": ("text/html",),  # the issuer's home page
}
# The only addresses outside the centre: the JSON-LD contexts (never fetched: shipped) and the EQF's own page.
EXTERNAL = {
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://europass.europa.eu/en/europass-digital-tools/european-qualifications-framework",
}


def urls_in(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(urls_in(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(urls_in(item) for item in value)) if value else set()
    if isinstance(value, str) and value.startswith(("http://", "https://", "did:")):
        return {value}
    return set()


def test_every_url_inside_a_credential_answers(public_app, confirmed, login_as):
    (certificate,) = issue(public_app, confirmed, login_as)
    document, token = get_credential(public_app, certificate.verification_code)
    status_lists = [
        public_app.test_client().get(f"/credentials/status/{p}").get_json() for p in ("revocation", "suspension")
    ]
    urls = urls_in(document) | urls_in(pyjwt.decode(token, options={"verify_signature": False}))
    for status_list in status_lists:
        urls |= urls_in(status_list)
    assert {url for url in urls if not url.startswith((BASE, DID))} <= EXTERNAL
    client = public_app.test_client()
    checked = set()
    for url in sorted(urls - EXTERNAL):
        if url.startswith("did:web:"):
            did, _, _fragment = url.partition("#")
            assert did == DID
            path = "/.well-known/did.json"
        else:
            path = urlsplit(url).path
        response = client.get(path)
        assert response.status_code == 200, (url, response.status_code)
        prefix = next(prefix for prefix in EXPECTED_TYPES if path.startswith(prefix))
        assert response.mimetype in EXPECTED_TYPES[prefix], (url, response.mimetype)
        if url.startswith("did:web:") and "#" in url:
            assert url in {method["id"] for method in response.get_json()["verificationMethod"]}
        checked.add(path)
    assert {"/.well-known/did.json", f"/credentials/{certificate.verification_code}"} <= checked
    assert any(path.startswith("/qualifications/") for path in checked)
    assert any(path.startswith("/credentials/status/") for path in checked)


def test_the_holder_shares_and_withdraws_the_public_link(public_app, confirmed, login_as):
    from tests.conftest import login

    (certificate,) = issue(public_app, confirmed, login_as)
    code = certificate.verification_code
    with public_app.app_context():
        holder_email = db.session.get(Certificate, certificate.id).application.candidate.user.email
    holder = public_app.test_client()
    login(holder, holder_email)
    anyone = public_app.test_client()

    dashboard = holder.get("/dashboard").get_data(as_text=True)
    assert f"{BASE}/credentials/{code}" in dashboard and 'data-qr="credential-' in dashboard
    page = anyone.get(f"/credentials/{code}", headers={"Accept": "text/html"})
    assert (
        page.status_code == 200
        and page.mimetype == "text/html"
        and certificate.holder_name in page.get_data(as_text=True)
    )
    record = anyone.get(f"/api/v1/certificates/{code}").get_json()
    assert record["credential"] == {
        "id": f"{BASE}/credentials/{code}",
        "json": f"{BASE}/credentials/{code}.json",
        "jwt": f"{BASE}/credentials/{code}.jwt",
    }
    assert f'href="{BASE}/credentials/{code}"' in anyone.get(f"/verify/{code}").get_data(as_text=True)
    downloaded = anyone.get(f"/credentials/{code}.json")
    assert downloaded.status_code == 200 and "attachment" in downloaded.headers["Content-Disposition"]
    assert anyone.get(f"/credentials/{code}.jwt").get_data(as_text=True).count(".") == 2

    # someone else cannot switch it off
    assert login_as("candidate").post(f"/certificates/{certificate.id}/credential/sharing").status_code == 404
    assert login_as("admin").post(f"/certificates/{certificate.id}/credential/sharing").status_code == 403

    assert holder.post(f"/certificates/{certificate.id}/credential/sharing").status_code == 302
    for path in (f"/credentials/{code}", f"/credentials/{code}.json", f"/credentials/{code}.jwt"):
        gone = anyone.get(path)
        assert gone.status_code == 410 and gone.mimetype == "application/problem+json", path
        assert gone.get_json()["type"].endswith("/problems/gone")
    assert anyone.get(f"/api/v1/certificates/{code}").get_json()["credential"] is None
    assert f"{BASE}/credentials/{code}" not in anyone.get(f"/verify/{code}").get_data(as_text=True)
    assert anyone.get(f"/credentials/{code}", headers={"Accept": "text/html"}).status_code == 410
    # the holder still has his own copies
    assert holder.get(f"/certificates/{certificate.id}/credential.json").status_code == 200
    assert holder.get(f"/certificates/{certificate.id}/credential.jwt").status_code == 200
    with public_app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(certificate.id))).all()
    assert "certificate.credential_withdraw" in actions

    assert holder.post(f"/certificates/{certificate.id}/credential/sharing", data={"share": "1"}).status_code == 302
    assert anyone.get(f"/credentials/{code}").status_code == 200


def test_unknown_codes_and_keys_documents(public_app):
    client = public_app.test_client()
    missing = client.get("/credentials/no-such-code")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    did_document = client.get("/.well-known/did.json")
    assert did_document.status_code == 200 and did_document.mimetype == "application/did+ld+json"
    body = did_document.get_json()
    assert body["id"] == DID
    types = {method["type"] for method in body["verificationMethod"]}
    assert types == {"Multikey", "JsonWebKey"}
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.mimetype == "application/jwk-set+json"
    assert all("d" not in key for key in jwks.get_json()["keys"])  # never a private part
    assert all("d" not in method.get("publicKeyJwk", {}) for method in body["verificationMethod"])


@pytest.mark.parametrize(
    ("base", "did"),
    [
        ("https://certs.example.kz", "did:web:certs.example.kz"),
        ("http://127.0.0.1:5000/", "did:web:127.0.0.1%3A5000"),
        ("https://example.kz/centre/certs", "did:web:example.kz:centre:certs"),
    ],
)
def test_the_did_follows_the_public_address(make_app, tmp_path, base, did):
    """As did:web spells it: the port percent-encoded, a path as further segments (then resolved at /did.json)."""
    from certcenter.certificates.keys import issuer_did

    app = make_app(PUBLIC_BASE_URL=base, CREDENTIAL_KEYS_PATH=str(tmp_path / "keys"))
    with app.app_context():
        assert issuer_did() == did
    assert app.test_client().get("/did.json").get_json()["id"] == did


def test_production_signs_only_with_configured_keys_and_authority(monkeypatch, tmp_path):
    from certcenter import create_app
    from certcenter.certificates.keys import KeyConfigurationError, active_key
    from certcenter.certificates.timestamping import timestamper

    monkeypatch.setenv("CERTCENTER_SECRET_KEY", "a-long-random-production-key-of-32-bytes-or-more")
    monkeypatch.setenv("CERTCENTER_PUBLIC_BASE_URL", "https://certcenter.example.kz")
    monkeypatch.setenv("CERTCENTER_INSTANCE_PATH", str(tmp_path))
    app = create_app("production")
    with app.app_context():
        with pytest.raises(KeyConfigurationError):
            active_key()
        with pytest.raises(RuntimeError, match="TIMESTAMP_URL"):
            timestamper()
    app = create_app("production", CREDENTIAL_KEYS_PATH=str(tmp_path / "empty"))
    with app.app_context(), pytest.raises(KeyConfigurationError):
        active_key()  # an empty folder: no key is made up in production
    assert not (tmp_path / "credentials").exists()
