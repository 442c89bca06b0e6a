"""The certificate as an Open Badges 3.0 ``OpenBadgeCredential`` (a W3C Verifiable Credential 2.0), signed by the
centre twice over: a Data Integrity proof (``eddsa-rdfc-2022``) embedded in the JSON, and the same document as a JWT
(VC-JOSE, constrained as Open Badges 3.0 section 8.2 constrains it). Its status is in the status lists.

What it states is what the certificate row froze at issue (the holder's name as it stood at submission; no IIN),
the achievement aligned to its NQF and EQF levels, the centre with its accreditation, the validity period and a
summary of the evidence behind the decision. It is signed once, the first time it is asked for, and kept: a key
rotation later leaves it signed by the key that signed it, which stays published."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.exc import IntegrityError

from certcenter.certificates.keys import IssuerKey, active_key, issuer_did, jwk_id, multikey_id, public_base
from certcenter.certificates.linked_data import OB_V3, VC_V2, add_proof
from certcenter.certificates.models import Certificate, SignedCredential
from certcenter.certificates.rendering import verify_url
from certcenter.certificates.status_list import PURPOSES, ensure_index
from certcenter.core.models import utcnow
from certcenter.extensions import db

EQF_URL = "https://europass.europa.eu/en/europass-digital-tools/european-qualifications-framework"
VC_MEDIA_TYPE = "application/vc+ld+json"  # Open Badges 3.0, section 5.2: a credential with an embedded proof
JWT_MEDIA_TYPE = "application/vc+jwt"  # VC-JOSE-COSE


def credential_url(certificate: Certificate) -> str:
    """The credential's ``id``: its public address (it answers while the holder shares it)."""
    return f"{public_base()}/credentials/{certificate.verification_code}"


def credential_qr_svg(certificate: Certificate) -> str:
    """An inline SVG QR code of the credential's public link (for the holder to show or print)."""
    from certcenter.certificates.rendering import QRModules, qr_code

    return QRModules(qr_code(credential_url(certificate))).svg(f"credential-{certificate.id}")


def status_list_url(purpose: str) -> str:
    return f"{public_base()}/credentials/status/{purpose}"


def _centre_time(day, moment: time) -> str:
    """A date of the certificate as a moment in the centre's time zone (validFrom/validUntil are date-times)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, moment, tzinfo=zone).isoformat()


def _evidence_summary(certificate: Certificate) -> str:
    """What the decision rested on, in numbers (the decision's snapshot, frozen when it was made)."""
    snapshot = certificate.decision.snapshot if certificate.decision is not None else {}
    criteria = snapshot.get("criteria") or []
    met = sum(1 for criterion in criteria if criterion.get("final") == "met")
    assessors = {a["assessor"] for criterion in criteria for a in criterion.get("assessors") or []}
    parts = [
        f"{len(snapshot.get('evidence') or [])} documents of evidence",
        f"{met} of {len(criteria)} criteria met (the level's NQF descriptors and the qualification's units)",
        f"judged by {len(assessors) or 2} independent assessors",
    ]
    results = [f"{result['kind']} examination on {result['taken_on']}" for result in snapshot.get("results") or []]
    if results:
        parts.append("passed the " + " and the ".join(results))
    return "; ".join(parts) + f"; decided on {certificate.decided_on.isoformat()} (ISO/IEC 17024)."


def open_badge(certificate: Certificate) -> dict[str, Any]:
    """The unsigned credential (the certificate must have its status-list index)."""
    base = public_base()
    title = certificate.qualification_title
    name = title.get("en") or title["kk"]
    alignment = [
        {
            "type": ["Alignment"],
            "targetType": "ext:QualificationsFrameworkLevel",
            "targetName": f"NQF level {certificate.nqf_level} ({certificate.edition_code})",
            "targetFramework": "National Qualifications Framework of the Republic of Kazakhstan",
            "targetCode": str(certificate.nqf_level),
            "targetUrl": f"{base}/framework/{certificate.edition_code}/levels/{certificate.nqf_level}",
        }
    ]
    if certificate.eqf_level:
        alignment.append(
            {
                "type": ["Alignment"],
                "targetType": "ext:QualificationsFrameworkLevel",
                "targetName": f"EQF level {certificate.eqf_level}",
                "targetFramework": "European Qualifications Framework",
                "targetCode": str(certificate.eqf_level),
                "targetUrl": EQF_URL,
            }
        )
    qualification_id = ((certificate.decision.snapshot or {}).get("qualification") or {}).get("id")
    achievement_url = f"{base}/qualifications/{qualification_id}" if qualification_id else f"{base}/qualifications"
    url = credential_url(certificate)
    index = certificate.status_index
    return {
        "@context": [VC_V2, OB_V3],
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{name}: certificate No. {certificate.number}",
        "issuer": {
            "id": issuer_did(),
            "type": ["Profile"],
            "name": certificate.centre["name"]["en"],
            "url": f"{base}/",
            "description": _english(certificate.centre["accreditation"]),
            "otherIdentifier": [
                {
                    "type": "IdentifierEntry",
                    "identifier": _english(certificate.centre["accreditation"]),
                    "identifierType": "identifier",
                }
            ],
        },
        "validFrom": _centre_time(certificate.issued_on, time(0, 0, 0)),
        "validUntil": _centre_time(certificate.expires_on, time(23, 59, 59)),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": holder_name}
                for holder_name in dict.fromkeys((certificate.holder_name, certificate.holder_name_latin))
            ],
            "activityEndDate": certificate.decided_on.isoformat(),
            "achievement": {
                "id": achievement_url,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "humanCode": certificate.qualification_code,
                "name": name,
                "description": " / ".join(title[lang] for lang in ("kk", "ru") if title.get(lang)),
                "criteria": {
                    "narrative": "Assessed against the three NQF descriptors of the level and the "
                    "qualification's units by two independent assessors; decided by a third person (ISO/IEC 17024)."
                },
                "alignment": alignment,
                "inLanguage": "kk",
            },
        },
        "credentialStatus": [
            {
                "id": f"{status_list_url(purpose)}#{index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(index),
                "statusListCredential": status_list_url(purpose),
            }
            for purpose in PURPOSES
        ],
        "evidence": [
            {
                "id": verify_url(certificate),
                "type": ["Evidence"],
                "name": f"Certificate No. {certificate.number}",
                "narrative": _evidence_summary(certificate),
                "genre": "Assessment",
            }
        ],
    }


def _numeric_date(moment: str) -> int:
    return int(datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp())


def sign_document(document: dict[str, Any], key: IssuerKey, *, created: str) -> tuple[dict[str, Any], str]:
    """The document with its Data Integrity proof, and as a JWT. The JWT carries the document with its embedded
    proof (Open Badges 3.0: the embedded proof is made first) and the registered claims Open Badges asks for."""
    from joserfc import jwt
    from joserfc.errors import SecurityWarning
    from joserfc.jwk import OKPKey

    proven = add_proof(document, key.private, multikey_id(key), created)
    issuer = document["issuer"]["id"] if isinstance(document["issuer"], dict) else document["issuer"]
    claims = proven | {"iss": issuer, "jti": document["id"], "nbf": _numeric_date(document["validFrom"])}
    if "validUntil" in document:
        claims["exp"] = _numeric_date(document["validUntil"])
    subject = document["credentialSubject"]
    if isinstance(subject, dict) and subject.get("id"):
        claims["sub"] = subject["id"]
    header = {"alg": "EdDSA", "kid": jwk_id(key), "typ": "JWT"}
    with warnings.catch_warnings():
        # joserfc prefers RFC 9864's "Ed25519" name; "EdDSA" (the same signature) is what verifiers know today
        warnings.simplefilter("ignore", SecurityWarning)
        token = jwt.encode(header, claims, OKPKey.import_key(key.private), algorithms=["EdDSA"])
    return proven, token


def signed_credential(certificate: Certificate) -> SignedCredential:
    """The certificate's signed credential, signed now with the active key if it has none yet (never commits).
    Of two requests signing the same credential at once, the first stored wins and the other reads it."""
    if certificate.signed_credential is not None:
        return certificate.signed_credential
    ensure_index(certificate)
    key = active_key()
    document, token = sign_document(
        open_badge(certificate), key, created=utcnow().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    record = SignedCredential(certificate_id=certificate.id, key_id=key.key_id, document=document, jwt=token)
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        db.session.expire(certificate, ["signed_credential"])
        return db.session.get(SignedCredential, certificate.id)
    certificate.signed_credential = record
    return record


def credential_json(record: SignedCredential) -> str:
    return json.dumps(record.document, ensure_ascii=False, indent=2)


def _english(text: Any) -> str:
    """A text of the centre as the credential (written in English) gives it: a certificate issued before the text
    had languages states it as it was."""
    return text.get("en") or text.get("kk") or "" if isinstance(text, dict) else str(text or "")
