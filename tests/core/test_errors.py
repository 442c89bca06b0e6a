"""A user never sees a stack trace; errors answer in the user's language."""

from flask import abort


def test_unexpected_error_is_a_friendly_500(make_app):
    app = make_app()

    @app.get("/_boom")
    def boom():
        raise RuntimeError("secret internals")

    client = app.test_client()
    client.post("/language", data={"language": "en"})
    response = client.get("/_boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_http_errors_have_pages(make_app):
    app = make_app()

    @app.get("/_conflict")
    def conflict():
        abort(409)

    client = app.test_client()
    response = client.get("/_conflict")
    assert response.status_code == 409
    assert "<html" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
