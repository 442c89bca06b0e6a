"""HTML to PDF with WeasyPrint: one font configuration per process, and a URL fetcher that serves the app's own
static files and data: URIs only (no file://, no network), so text from users can never pull in anything else."""

from __future__ import annotations

import gc
import io
import mimetypes
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
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


# What a document laid out with ``lean_defaults`` gets instead of WeasyPrint's user-agent stylesheet: the display
# of the elements a PDF template uses, and nothing else. The full stylesheet gives every element six pseudo-elements
# (::marker, footnote and note calls) and default margins; cascading them is most of the CSS work for a page of
# short texts. A template rendered this way sets its own margins and fonts, so it looks the same either way.
LEAN_DEFAULTS_CSS = """
html, body, div, section, header, main, footer, article, aside, nav, p, h1, h2, h3, h4, h5, h6 { display: block }
head, link, meta, script, style, template, title, [hidden] { display: none }
table { display: table; box-sizing: border-box; border-spacing: 2px; border-collapse: separate; text-indent: initial }
tbody { display: table-row-group; vertical-align: middle }
tr { display: table-row; vertical-align: inherit }
td, th { display: table-cell; padding: 1px; vertical-align: inherit }
b, strong, th { font-weight: bold }
i, em { font-style: italic }
h1 { bookmark-level: 1; bookmark-label: content(text) }
br::before { content: "\\A"; white-space: pre-line }
img, svg { overflow: hidden }
"""


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Lay out a batch without Python's cyclic garbage collector, then collect the young generations once.

    A batch of pages is hundreds of thousands of small objects (boxes, styles, glyph runs), and the collector would
    walk them again each time a few hundred more are made: about a tenth of the batch's time. The cycles they form
    are freed by the one collection after the batch, so memory stays bounded by the batch."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(1)


@lru_cache(maxsize=1)
def font_configuration():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=1)
def _lean_html_class():
    from weasyprint import CSS, HTML

    defaults = [CSS(string=LEAN_DEFAULTS_CSS)]

    class LeanHTML(HTML):
        # WeasyPrint's hook for its user-agent stylesheet. Were it ever renamed, the full stylesheet would apply
        # again: the same page, only slower.
        def _ua_stylesheets(self, forms=False):
            return defaults

    return LeanHTML


def render_document(html: str, *, lean_defaults: bool = False, xhtml: bool = False):
    """Lay out the HTML; the caller writes the whole document or page ranges of it. With ``lean_defaults`` the
    user-agent stylesheet is reduced to ``LEAN_DEFAULTS_CSS`` (for templates that style every element they use).

    With ``xhtml`` the source is a template written as well-formed XML (``<br/>``, every attribute quoted, an
    ``xmlns`` on inline SVG), read by expat: twenty times faster than WeasyPrint's HTML5 parser, which is written
    in Python (2 ms of a certificate's 25). Text from users in it is escaped by Jinja, so it can add no element,
    entity or declaration. A source that is not well-formed after all (a control character in a name, say) is read
    by the HTML5 parser as usual."""
    from weasyprint import HTML

    html_class = _lean_html_class() if lean_defaults else HTML
    fetcher = make_url_fetcher(current_app.static_folder)
    document = _from_xhtml(html_class, html, fetcher) if xhtml else None
    if document is None:
        document = html_class(string=html, base_url=STATIC_PREFIX, url_fetcher=fetcher)
    return document.render(font_config=font_configuration())


def _from_xhtml(html_class, source: str, url_fetcher):
    """The document as ``html_class(string=source)`` makes it, from a tree parsed by expat (element names without
    a namespace, SVG in its own, as the HTML5 parser gives them); None if the source is not well-formed XML, or if
    WeasyPrint no longer keeps its parsed document in the attributes set here."""
    from xml.etree import ElementTree

    import cssselect2

    try:
        root = ElementTree.fromstring(source)
    except ElementTree.ParseError:
        return None
    if root.tag != "html" or not hasattr(html_class, "_ua_stylesheets"):
        return None
    document = html_class.__new__(html_class)
    document.base_url, document.url_fetcher, document.media_type = STATIC_PREFIX, url_fetcher, "print"
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    document.etree_element = document.wrapper_element.etree_element
    return document


def deflate_at_default_level(_document, pdf) -> None:
    """WeasyPrint's finisher: pydyf deflates every stream at zlib level 9, which for a certificate's font subsets
    costs 1.4 ms a page more than zlib's default level 6, for files within 1 % of the size. Each stream is deflated
    here at level 6 instead, and pydyf writes it as it is."""
    import pydyf

    to_bytes = getattr(pydyf, "_to_bytes", None)  # how pydyf serialises a stream's parts; if gone, level 9 stays
    for item in pdf.objects if to_bytes else ():
        if isinstance(item, pydyf.Stream) and item.compress:
            raw = b"\n".join(to_bytes(part) for part in item.stream)
            item.stream = [zlib.compress(raw, 6)]
            item.extra["Filter"] = "/FlateDecode"
            item.compress = False


def write_split(
    document, ranges: list[tuple[int, int]], *, beneath: tuple[bytes, list[int]] | None = None
) -> list[bytes]:
    """One PDF per range of pages (start, end), from a single write of the whole document.

    Writing the document once paints every page and subsets each font once; qpdf (pikepdf) then copies each
    range's pages into a file of its own with only the objects those pages reach: their content streams and the
    fonts. Each font subset is the whole document's, so it holds the glyphs of every page (shapes and their
    Unicode values, not the text, which stays in its own page's content stream). For a batch of certificates this
    costs about 7 ms a page instead of 15 for a separate WeasyPrint write of each certificate.

    With ``beneath`` = (a PDF, one page number of it for each page of the document), that page of the PDF is drawn
    under the document's page, as a form XObject: a layer drawn once for many pages."""
    import pikepdf

    whole = document.write_pdf(finisher=deflate_at_default_level)
    parts = []
    layer = pikepdf.open(io.BytesIO(beneath[0])) if beneath else nullcontext()
    with pikepdf.open(io.BytesIO(whole)) as source, layer as under:
        forms = [page.as_form_xobject() for page in under.pages] if beneath else []
        language = source.Root.get("/Lang")
        producer = source.docinfo.get("/Producer")
        for start, end in ranges:
            part = pikepdf.new()
            part.pages.extend(source.pages[start:end])
            copied = {}
            for index, page in enumerate(part.pages) if beneath else ():
                number = beneath[1][start + index]
                if number not in copied:
                    copied[number] = part.copy_foreign(forms[number])
                name = page.add_resource(copied[number], pikepdf.Name.XObject, prefix="Layer")
                page.contents_add(pikepdf.Stream(part, b"q %s Do Q " % str(name).encode()), prepend=True)
            if language is not None:
                part.Root.Lang = language
            if producer is not None:
                part.docinfo["/Producer"] = producer
            output = io.BytesIO()
            part.save(output, min_version=source.pdf_version)
            parts.append(output.getvalue())
    return parts
