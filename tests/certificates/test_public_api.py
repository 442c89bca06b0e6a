"""The public API as verifiers' software expects it: problem details (RFC 9457) with a stable type and a title in
the requester's language, 405 with Allow, and Schemathesis run with all its checks against the served OpenAPI
document (a real certificate's code among its examples) through a real HTTP server."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from certcenter.certificates.models import Certificate
from certcenter.extensions import db


def test_errors_are_problem_details_with_a_stable_type_and_a_translated_title(client):
    titles = {}
    for language in ("kk", "ru", "en"):
        response = client.get("/api/v1/certificates/no-such-code", headers={"Accept-Language": language})
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["status"] == 404 and body["instance"] == "/api/v1/certificates/no-such-code"
        assert body["type"] == "http://127.0.0.1:5000/problems/not-found"
        assert response.headers["Content-Language"] == language
        titles[language] = body["title"]
    assert titles["en"] == "Not found" and len(set(titles.values())) == 3  # each in its language
    # the type resolves to a page that explains it
    assert client.get("/problems/not-found").status_code == 200
    assert client.get("/problems/no-such-problem").status_code == 404


def test_rate_limited_and_not_found_are_told_apart(make_app):
    app = make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="2 per minute")
    client = app.test_client()
    types = [client.get(f"/api/v1/certificates/guess-{n}").get_json()["type"].rsplit("/", 1)[1] for n in range(3)]
    assert types == ["not-found", "not-found", "rate-limited"]
    limited = client.get("/credentials/guess")
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert "Retry-After" in limited.headers


@pytest.mark.parametrize(
    "path",
    ["/api/v1/certificates/abc", "/api/v1/openapi.json", "/credentials/status/revocation", "/.well-known/did.json"],
)
def test_a_method_not_allowed_says_which_are(client, path):
    response = client.delete(path)
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD", "OPTIONS"}
    assert response.get_json()["type"].endswith("/problems/method-not-allowed")


def test_a_browser_gets_pages_not_problem_details(client):
    response = client.get("/credentials/no-such-code", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_the_openapi_document_describes_every_public_endpoint(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    public_rules = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint in {"certificates.api_certificate", "certificates.openapi"}
        or (rule.endpoint.startswith("credentials.") and not rule.rule.startswith("/certificates/"))
    }
    described = {
        path.replace("{code}", "<code>").replace("{purpose}", "<any(revocation, suspension):purpose>")
        for path in document["paths"]
    }
    assert public_rules - {"/did.json"} == described


def serve(app, seen: list):
    def recording(environ, start_response):
        def start(status, headers, *args):
            seen.append((environ["PATH_INFO"], int(status.split()[0])))
            return start_response(status, headers, *args)

        return app(environ, start)

    server = make_server("127.0.0.1", 0, recording, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def test_schemathesis_finds_no_failure(make_app, confirmed, login_as, tmp_path):
    app = make_app(PUBLIC_BASE_URL="https://certs.example.kz", CREDENTIAL_KEYS_PATH=str(tmp_path / "keys"))
    (application_id,) = confirmed(1)
    admin = login_as("admin")
    assert admin.post("/admin/certificates/issue", data={"application": [str(application_id)]}).status_code == 302
    with app.app_context():
        code = db.session.scalar(select(Certificate.verification_code))
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in document["paths"].values():
        for parameter in path["get"].get("parameters", []):
            if parameter["name"] == "code":
                parameter["examples"] = {"issued": {"summary": "A certificate issued here", "value": code}}
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(document))
    # a code that conforms to the schema but names no certificate is rightly not found
    config = tmp_path / "schemathesis.toml"
    config.write_text('[checks.positive_data_acceptance]\nexpected-statuses = ["2xx", "404"]\n')
    seen: list[tuple[str, int]] = []
    server, thread = serve(app, seen)
    try:
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "--config-file",
                str(config),
                "run",
                str(schema),
                "--url",
                f"http://127.0.0.1:{server.server_port}",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--mode",
                "all",
                "--max-examples",
                "40",
                "--seed",
                "19",
                "--workers",
                "1",
                "--report-junit-path",
                str(tmp_path / "junit.xml"),
            ],
            capture_output=True,
            text=True,
            timeout=540,
            cwd=tmp_path,  # its cache folder goes there, not into the work tree
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    report = (tmp_path / "junit.xml").read_text()
    assert 'failures="0"' in report and 'errors="0"' in report
    # every operation was exercised, the issued certificate's record and credential among them
    answered = {path for path, status in seen if status == 200}
    assert {f"/api/v1/certificates/{code}", f"/credentials/{code}", f"/credentials/{code}.jwt"} <= answered
    assert {"/credentials/status/revocation", "/.well-known/did.json", "/.well-known/jwks.json"} <= answered
    assert any(status == 405 for _path, status in seen)  # the unsupported-method check ran
