"""HTML to PDF with WeasyPrint: one font configuration per process, and a URL fetcher that serves the app's own
static files and data: URIs only (no file://, no network), so text from users can never pull in anything else."""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

STATIC_PREFIX = "static:"


class FetchRefused(ValueError):
    pass


def static_url(path: str) -> str:
    """The URL a PDF template uses for a file of the static folder."""
    return f"{STATIC_PREFIX}{path}"


def make_url_fetcher(static_root: str | Path):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = Path(static_root).resolve()

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if not url.startswith(STATIC_PREFIX):
                raise FetchRefused(f"refused to fetch {urlsplit(url).scheme or 'relative'} URL in a PDF")
            path = (root / unquote(url[len(STATIC_PREFIX) :]).lstrip("/")).resolve()
            if root not in path.parents or not path.is_file():
                raise FetchRefused(f"no such static file: {url}")
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    return StaticOnlyFetcher(allowed_protocols=("data",))


@lru_cache(maxsize=1)
def font_configuration():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_document(html: str):
    """Lay out the HTML; the caller writes the whole document or page ranges of it."""
    from weasyprint import HTML

    fetcher = make_url_fetcher(current_app.static_folder)
    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=fetcher).render(font_config=font_configuration())


def write_pages(document, pages: list) -> bytes:
    """A PDF of some pages of a rendered document, with only the resources those pages use."""
    return document.copy(pages).write_pdf()
