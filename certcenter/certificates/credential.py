"""The certificate as an Open Badges 3.0 credential (a W3C Verifiable Credential, unsigned JSON): the achievement
aligned to its NQF and EQF levels, validity dates and the current status, pointing back to the verification URL."""

from __future__ import annotations

from typing import Any

from flask import current_app

from certcenter.certificates.models import Certificate
from certcenter.certificates.rendering import verify_url

EQF_URL = "https://europass.europa.eu/en/europass-digital-tools/european-qualifications-framework"


def open_badge(certificate: Certificate) -> dict[str, Any]:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    url = verify_url(certificate)
    alignment = [
        {
            "type": ["Alignment"],
            "targetType": "ceterms:CredentialLevel",
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
                "targetType": "ceterms:CredentialLevel",
                "targetName": f"EQF level {certificate.eqf_level}",
                "targetFramework": "European Qualifications Framework",
                "targetCode": str(certificate.eqf_level),
                "targetUrl": EQF_URL,
            }
        )
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"{url}/credential.json",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.qualification_title.get("en") or certificate.qualification_title["kk"],
        "issuer": {
            "id": base,
            "type": ["Profile"],
            "name": certificate.centre["name"]["en"],
            "otherIdentifier": [
                {
                    "type": ["IdentifierEntry"],
                    "identifier": certificate.centre["accreditation"],
                    "identifierType": "identifier",
                }
            ],
        },
        "validFrom": f"{certificate.issued_on.isoformat()}T00:00:00Z",
        "validUntil": f"{certificate.expires_on.isoformat()}T23:59:59Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name_latin,
            "achievement": {
                "id": f"{base}/qualifications/{certificate.qualification_code}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": certificate.qualification_title.get("en") or certificate.qualification_title["kk"],
                "description": " / ".join(certificate.qualification_title[lang] for lang in ("kk", "ru")),
                "criteria": {
                    "narrative": "Assessed against the three NQF descriptors of the level and the "
                    "qualification's units by two independent assessors (ISO/IEC 17024)."
                },
                "alignment": alignment,
                "inLanguage": "kk",
            },
        },
        "credentialStatus": {
            "id": f"{base}/api/v1/certificates/{certificate.verification_code}",
            "type": "CertificateStatus",
            "status": certificate.current_status(),
        },
        "evidence": [{"id": url, "type": ["Evidence"], "name": f"Certificate {certificate.number}"}],
    }
