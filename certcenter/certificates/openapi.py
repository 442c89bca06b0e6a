"""The OpenAPI description of the public certificate API, served at /api/v1/openapi.json."""

LOCALIZED = {"type": "object", "properties": {lang: {"type": "string"} for lang in ("kk", "ru", "en")}}

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
        "professional_standard": {"type": ["string", "null"]},
        "centre": LOCALIZED,
        "decided_on": {"type": "string", "format": "date"},
        "issued_on": {"type": "string", "format": "date"},
        "expires_on": {"type": "string", "format": "date"},
        "status": {"type": "string", "enum": ["valid", "suspended", "revoked", "superseded", "expired"]},
        "status_changed_at": {"type": ["string", "null"], "format": "date-time"},
        "status_reason": {"type": ["string", "null"], "description": "Given for suspended and revoked certificates"},
        "superseded_by": {"type": ["string", "null"], "description": "Number of the replacement certificate"},
        "replaces": {"type": ["string", "null"]},
        "pdf_sha256": {"type": ["string", "null"], "description": "SHA-256 of the genuine signed PDF"},
    },
}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "certcenter certificate verification API",
        "version": "1.0.0",
        "description": "Public, rate-limited look-up of a certificate by the verification code printed under its "
        "QR code. It never returns the holder's IIN or contact data.",
    },
    "paths": {
        "/api/v1/certificates/{code}": {
            "get": {
                "operationId": "getCertificate",
                "summary": "A certificate's details and current status",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "The certificate",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Certificate"}}},
                    },
                    "404": {
                        "description": "No certificate has this code",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                    "429": {"description": "Too many look-ups from this address; retry later"},
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Certificate": CERTIFICATE,
            "Error": {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
        }
    },
}
