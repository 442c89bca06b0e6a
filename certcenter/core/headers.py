"""Security headers on every response: what a page may load, who may frame it, how downloads are opened.

Pages load only the centre's own scripts, styles and images, no plug-ins, no <base> and are framed by nobody.
A download (Content-Disposition: attachment) is also sandboxed, so that a browser that renders it anyway (an HTML
file, an SVG) runs nothing with the centre's origin. Responses that set their own policy keep it: the evidence
preview is framed by the assessor's page (``frame-ancestors 'self'``; a PDF there gets no ``sandbox``, which would
stop Chromium's PDF viewer)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response

PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"
# Evidence shown inside the assessor's page: framed by the centre's pages only; images are sandboxed as well.
PREVIEW_POLICY = "default-src 'none'; img-src 'self'; frame-ancestors 'self'"
IMAGE_PREVIEW_POLICY = f"{PREVIEW_POLICY}; sandbox"


def is_download(response: Response) -> bool:
    return response.headers.get("Content-Disposition", "").lower().startswith("attachment")


def frame_within_site(response: Response, *, sandbox: bool) -> None:
    """For a response shown inside one of the centre's own pages (an evidence preview)."""
    response.headers["Content-Security-Policy"] = IMAGE_PREVIEW_POLICY if sandbox else PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"


def apply_security_headers(response: Response, config: Mapping) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", DOWNLOAD_POLICY if is_download(response) else PAGE_POLICY)
    if config.get("HSTS_SECONDS"):
        # only production sets it: a browser told once keeps to HTTPS for the centre's host for that long
        headers.setdefault("Strict-Transport-Security", f"max-age={int(config['HSTS_SECONDS'])}")
    return response
