"""The OpenAPI description of every public endpoint (the certificate record, the credential, the status lists, the
issuer's keys), served at /api/v1/openapi.json. Errors are RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

LOCALIZED = {"type": "object", "properties": {lang: {"type": "string"} for lang in ("kk", "ru", "en")}}
CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "The verification code printed under the certificate's QR code",
    "schema": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[A-Za-z0-9_-]+$"},
}
JWT = {"type": "string", "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"}
HTML = {"type": "string"}
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem(description: str) -> dict:
    return {"description": description, "content": PROBLEM_CONTENT}


NOT_FOUND = problem("No certificate has this code")
RATE_LIMITED = problem("Too many look-ups from this address; retry after the Retry-After delay")
NOT_ACCEPTABLE = problem("None of the media types the Accept header asks for")
GONE = problem("The holder has withdrawn the credential's public link")
CACHING = {
    "ETag": {"description": "Revalidate with If-None-Match", "schema": {"type": "string"}},
    "Cache-Control": {"description": "How long the document may be kept", "schema": {"type": "string"}},
}

CERTIFICATE = {
    "type": "object",
    "required": ["number", "holder", "qualification", "nqf_level", "issued_on", "expires_on", "status"],
    "properties": {
        "number": {"type": "string", "example": "KZQC-2026-000042"},
        "holder": {"type": "object", "properties": {"name": {"type": "string"}, "name_latin": {"type": "string"}}},
        "qualification": {"type": "object", "properties": {"code": {"type": "string"}, "title": LOCALIZED}},
        "nqf_level": {"type": "integer", "minimum": 1, "maximum": 8},
        "eqf_level": {"type": ["integer", "null"], "minimum": 1, "maximum": 8},
        "framework_edition": {"type": "string", "example": "kz-nqf-2013"},
        # {"kk", "ru", "en"}; a certificate issued before the standard had three languages states one text
        "professional_standard": {"anyOf": [LOCALIZED, {"type": ["string", "null"]}]},
        "centre": LOCALIZED,
        "decided_on": {"type": "string", "format": "date"},
        "issued_on": {"type": "string", "format": "date"},
        "expires_on": {"type": "string", "format": "date"},
        "status": {"type": "string", "enum": ["valid", "suspended", "revoked", "superseded", "expired"]},
        "status_changed_at": {"type": ["string", "null"], "format": "date-time"},
        "status_reason": {"type": ["string", "null"], "description": "Given for suspended and revoked certificates"},
        "superseded_by": {"type": ["string", "null"], "description": "Number of the replacement certificate"},
        "replaces": {"type": ["string", "null"]},
        "renewed_by": {
            "type": ["string", "null"],
            "description": "Number of the certificate that renews this one (in force from this one's expiry date)",
        },
        "valid_from": {"type": "string", "format": "date", "description": "The first day the certificate is in force"},
        "pdf_sha256": {"type": ["string", "null"], "description": "SHA-256 of the genuine signed PDF"},
        "signature_timestamped_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When the PDF's signature was time-stamped (RFC 3161)",
        },
        "credential": {
            "description": "The signed credential's addresses; null when the holder has withdrawn its public link",
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["id", "json", "jwt"],
                    "properties": {
                        "id": {"type": "string", "format": "uri"},
                        "json": {"type": "string", "format": "uri"},
                        "jwt": {"type": "string", "format": "uri"},
                    },
                },
            ],
        },
    },
}

PROOF = {
    "type": "object",
    "required": ["type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue"],
    "properties": {
        "type": {"const": "DataIntegrityProof"},
        "cryptosuite": {"const": "eddsa-rdfc-2022"},
        "created": {"type": "string", "format": "date-time"},
        "verificationMethod": {"type": "string"},
        "proofPurpose": {"const": "assertionMethod"},
        "proofValue": {"type": "string", "pattern": "^z[1-9A-HJ-NP-Za-km-z]+$"},
    },
}
CONTEXTS = {"type": "array", "items": {"type": "string", "format": "uri"}, "minItems": 1}
TYPES = {"type": "array", "items": {"type": "string"}}

CREDENTIAL = {
    "description": "An Open Badges 3.0 OpenBadgeCredential (W3C Verifiable Credential 2.0) with an embedded "
    "Data Integrity proof (eddsa-rdfc-2022)",
    "type": "object",
    "required": ["@context", "id", "type", "issuer", "validFrom", "credentialSubject", "credentialStatus", "proof"],
    "properties": {
        "@context": CONTEXTS,
        "id": {"type": "string", "format": "uri"},
        "type": {"type": "array", "items": {"type": "string"}, "contains": {"const": "OpenBadgeCredential"}},
        "name": {"type": "string"},
        "issuer": {
            "type": "object",
            "required": ["id", "type", "name"],
            "properties": {"id": {"type": "string"}, "type": TYPES, "name": {"type": "string"}},
        },
        "validFrom": {"type": "string", "format": "date-time"},
        "validUntil": {"type": "string", "format": "date-time"},
        "credentialSubject": {
            "type": "object",
            "required": ["type", "achievement"],
            "properties": {"type": TYPES, "identifier": {"type": "array"}, "achievement": {"type": "object"}},
        },
        "credentialStatus": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "statusPurpose", "statusListIndex", "statusListCredential"],
                "properties": {
                    "type": {"const": "BitstringStatusListEntry"},
                    "statusPurpose": {"enum": ["revocation", "suspension"]},
                    "statusListIndex": {"type": "string", "pattern": "^[0-9]+$"},
                    "statusListCredential": {"type": "string", "format": "uri"},
                },
            },
        },
        "evidence": {"type": "array"},
        "proof": PROOF,
    },
}

STATUS_LIST = {
    "description": "A W3C BitstringStatusListCredential with an embedded Data Integrity proof",
    "type": "object",
    "required": ["@context", "id", "type", "issuer", "validFrom", "credentialSubject", "proof"],
    "properties": {
        "@context": CONTEXTS,
        "id": {"type": "string", "format": "uri"},
        "type": {"type": "array", "items": {"type": "string"}, "contains": {"const": "BitstringStatusListCredential"}},
        "issuer": {"type": "string"},
        "validFrom": {"type": "string", "format": "date-time"},
        "credentialSubject": {
            "type": "object",
            "required": ["type", "statusPurpose", "encodedList"],
            "properties": {
                "type": {"const": "BitstringStatusList"},
                "statusPurpose": {"enum": ["revocation", "suspension"]},
                "encodedList": {"type": "string", "pattern": "^u[A-Za-z0-9_-]+$"},
                "ttl": {"type": "integer"},
            },
        },
        "proof": PROOF,
    },
}

JWK = {
    "type": "object",
    "required": ["kty", "crv", "x"],
    "properties": {
        "kty": {"const": "OKP"},
        "crv": {"const": "Ed25519"},
        "x": {"type": "string"},
        "kid": {"type": "string"},
        "alg": {"const": "EdDSA"},
        "use": {"const": "sig"},
    },
    "not": {"required": ["d"]},
}

DID_DOCUMENT = {
    "type": "object",
    "required": ["@context", "id", "verificationMethod", "assertionMethod"],
    "properties": {
        "@context": CONTEXTS,
        "id": {"type": "string", "pattern": "^did:web:"},
        "verificationMethod": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type", "controller"],
                "properties": {
                    "id": {"type": "string"},
                    "type": {"enum": ["Multikey", "JsonWebKey"]},
                    "controller": {"type": "string"},
                    "publicKeyMultibase": {"type": "string"},
                    "publicKeyJwk": {"$ref": "#/components/schemas/PublicJwk"},
                },
            },
        },
        "assertionMethod": {"type": "array", "items": {"type": "string"}},
    },
}

PROBLEM = {
    "description": "RFC 9457 problem details; the type names the kind of problem (stable), the title is in the "
    "requester's language (Accept-Language)",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
}

CREDENTIAL_CONTENT = {
    "application/vc+ld+json": {"schema": {"$ref": "#/components/schemas/OpenBadgeCredential"}},
    "application/ld+json": {"schema": {"$ref": "#/components/schemas/OpenBadgeCredential"}},
    "application/json": {"schema": {"$ref": "#/components/schemas/OpenBadgeCredential"}},
}


def _get(operation_id: str, summary: str, responses: dict, parameters: list | None = None, **extra: Any) -> dict:
    operation = {"operationId": operation_id, "summary": summary, "responses": responses} | extra
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def _download(operation_id: str, summary: str, media_type: str, schema: dict) -> dict:
    return _get(
        operation_id,
        summary,
        {
            "200": {"description": summary, "content": {media_type: {"schema": schema}}},
            "404": NOT_FOUND,
            "410": GONE,
            "429": RATE_LIMITED,
        },
        [CODE],
    )


OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "certcenter public API: certificates and their credentials",
        "version": "1.1.0",
        "description": "Public look-up of a certificate by the verification code printed under its QR code (it never "
        "returns the holder's IIN or contact data), the holder's signed Open Badges 3.0 credential while he shares "
        "it, the status lists that say whether a credential is revoked or suspended, and the issuer's keys. Errors "
        "are problem details (RFC 9457); a method an endpoint does not answer gets 405 with Allow.",
    },
    "paths": {
        "/api/v1/certificates/{code}": _get(
            "getCertificate",
            "A certificate's details and current status",
            {
                "200": {
                    "description": "The certificate",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Certificate"}}},
                },
                "404": NOT_FOUND,
                "429": RATE_LIMITED,
            },
            [CODE],
        ),
        "/api/v1/openapi.json": _get(
            "getOpenApi",
            "This document",
            {"200": {"description": "The OpenAPI document", "content": {"application/json": {"schema": {}}}}},
        ),
        "/credentials/{code}": _get(
            "getCredential",
            "The signed credential (its id): JSON with a Data Integrity proof, a JWT, or a page for a browser, "
            "as the Accept header asks",
            {
                "200": {
                    "description": "The credential",
                    "headers": {"ETag": CACHING["ETag"]},
                    "content": CREDENTIAL_CONTENT
                    | {"application/vc+jwt": {"schema": JWT}, "text/html": {"schema": HTML}},
                },
                "404": NOT_FOUND,
                "406": NOT_ACCEPTABLE,
                "410": GONE,
                "429": RATE_LIMITED,
            },
            [CODE],
        ),
        "/credentials/{code}.json": _download(
            "downloadCredential",
            "The signed credential as a file (JSON with a Data Integrity proof)",
            "application/vc+ld+json",
            {"$ref": "#/components/schemas/OpenBadgeCredential"},
        ),
        "/credentials/{code}.jwt": _download(
            "downloadCredentialJwt", "The signed credential as a JWT (VC-JOSE)", "application/vc+jwt", JWT
        ),
        "/credentials/status/{purpose}": _get(
            "getStatusList",
            "A signed status list (W3C Bitstring Status List): a credential's bit at its statusListIndex is set "
            "while it is revoked (or replaced) or suspended",
            {
                "200": {
                    "description": "The status list credential",
                    "headers": CACHING,
                    "content": {
                        "application/vc+ld+json": {"schema": {"$ref": "#/components/schemas/StatusListCredential"}},
                        "application/ld+json": {"schema": {"$ref": "#/components/schemas/StatusListCredential"}},
                        "application/json": {"schema": {"$ref": "#/components/schemas/StatusListCredential"}},
                        "application/vc+jwt": {"schema": JWT},
                    },
                },
                "304": {"description": "Unchanged since the ETag given in If-None-Match"},
                "404": problem("No such list"),
                "406": NOT_ACCEPTABLE,
            },
            [
                {
                    "name": "purpose",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": ["revocation", "suspension"]},
                }
            ],
        ),
        "/.well-known/did.json": _get(
            "getDidDocument",
            "The issuer's did:web document: every credential key, current and rotated out",
            {
                "200": {
                    "description": "The DID document",
                    "headers": CACHING,
                    "content": {"application/did+ld+json": {"schema": {"$ref": "#/components/schemas/DidDocument"}}},
                }
            },
        ),
        "/.well-known/jwks.json": _get(
            "getJwks",
            "The issuer's public keys as a JWK set (kid as in the JWTs' headers)",
            {
                "200": {
                    "description": "The key set",
                    "headers": CACHING,
                    "content": {
                        "application/jwk-set+json": {
                            "schema": {
                                "type": "object",
                                "required": ["keys"],
                                "properties": {
                                    "keys": {
                                        "type": "array",
                                        "items": {
                                            "allOf": [{"$ref": "#/components/schemas/PublicJwk"}, {"required": ["kid"]}]
                                        },
                                    }
                                },
                            }
                        }
                    },
                }
            },
        ),
    },
    "components": {
        "schemas": {
            "Certificate": CERTIFICATE,
            "OpenBadgeCredential": CREDENTIAL,
            "StatusListCredential": STATUS_LIST,
            "DidDocument": DID_DOCUMENT,
            "PublicJwk": JWK,
            "Problem": PROBLEM,
        }
    },
}
