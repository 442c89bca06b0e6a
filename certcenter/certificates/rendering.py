"""Certificate PDFs: a batch laid out as one WeasyPrint document, then split into one PDF per certificate."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import segno
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from certcenter.certificates.models import Certificate
from certcenter.core.pdf import cyclic_gc_paused, render_document, static_url, write_split
from certcenter.core.settings import centre_settings, logo_data_uri


def face_texts(language: str) -> dict[str, str]:
    with force_locale(language):
        return {
            "title": _("Certificate of qualification"),
            "certifies": _("This certifies that"),
            "confirmed": _("has confirmed the qualification"),
            "level": _("NQF level"),
            "eqf": _("EQF level"),
            "decided": _("Date of decision"),
            "issued": _("Date of issue"),
            "valid_from": _("Valid from"),
            "expires": _("Valid until"),
            "iin": _("IIN"),
            "signed": _("Signed electronically by the centre; check it by the QR code."),
        }


def verify_url(certificate: Certificate) -> str:
    return f"{centre_settings().public_base_url.rstrip('/')}/verify/{certificate.verification_code}"


def size_class(text: str, long: int, longer: int, longest: int) -> str:
    """Long names and titles get smaller type, so they wrap within the frame instead of overflowing it."""
    length = len(text or "")
    return "longest" if length > longest else "longer" if length > longer else "long" if length > long else ""


@dataclass
class Face:
    languages: tuple[str, ...]
    t: dict[str, dict[str, str]]


QR_COLOUR = "#1d2a33"
DARK_RUN = re.compile(rb"\x01+")


def qr_code(url: str) -> segno.QRCode:
    # The mask is fixed: any of the eight is valid for readers, and scoring all of them costs about as much as
    # laying out the page.
    return segno.make(url, error="m", micro=False, mask=2)


class QRModules:
    """A QR code's dark modules as runs along its rows, for the SVG in the HTML and for the drawing in the PDF."""

    def __init__(self, code: segno.QRCode) -> None:
        self.size = len(code.matrix)
        self.runs = [
            (run.start(), y, run.end() - run.start())
            for y, row in enumerate(code.matrix)
            for run in DARK_RUN.finditer(row)
        ]

    def svg(self, key: str) -> str:
        """An inline SVG of the code: one filled path, one rectangle a run, in module units."""
        path = "".join(f"M{x} {y}h{length}v1h-{length}z" for x, y, length in self.runs)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" data-qr="{key}" viewBox="0 0 {self.size} {self.size}">'
            f'<path fill="{QR_COLOUR}" d="{path}"/></svg>'
        )


class QRDrawing:
    """The same rectangles written straight into the page's content stream: WeasyPrint's SVG renderer parses the
    path number by number in Python, which cost about as much as laying out the rest of the page."""

    def __init__(self, modules: QRModules, svg) -> None:
        self.svg = svg  # the inline SVG's image: its sizes, for WeasyPrint's layout
        self.size = modules.size
        self.path = b" ".join(b"%d %d %d 1 re" % run for run in modules.runs) + b" f"

    def __getattr__(self, name: str):
        return getattr(self.svg, name)

    def draw(self, stream, concrete_width: float, concrete_height: float, _style=None) -> None:
        module = min(concrete_width, concrete_height) / self.size
        stream.transform(a=module, d=module)  # inside WeasyPrint's saved graphics state for the image
        stream.set_color_rgb(*(int(QR_COLOUR[i : i + 2], 16) / 255 for i in (1, 3, 5)))
        stream.stream.append(self.path)


def use_direct_qr_drawing(document, codes: dict[str, QRModules]) -> None:
    """Swap the SVG renderer of each laid-out QR code (``data-qr`` = its key in ``codes``) for a ``QRDrawing``.
    Boxes are WeasyPrint internals: should they change, the inline SVG is drawn as it is, the same code, slower."""
    for page in document.pages:
        page_box = getattr(page, "_page_box", None)
        for box in page_box.descendants(placeholders=True) if page_box is not None else ():
            element = getattr(box, "element", None)
            key = element.get("data-qr") if element is not None else None
            if key in codes and hasattr(box, "replacement"):
                box.replacement = QRDrawing(codes[key], box.replacement)


def _face_texts_by_language() -> dict[str, dict[str, str]]:
    return {language: face_texts(language) for language in ("kk", "ru", "en")}


def _faces(certificate: Certificate, texts: dict[str, dict[str, str]]) -> list[Face]:
    return [Face(("kk", "ru"), texts)] + ([Face(("en",), texts)] if certificate.english else [])


def dates(certificate: Certificate) -> list[tuple[str, date]]:
    """The dates the face states, by their labels' keys: "valid from" only where the certificate comes into force
    after its issue (a renewal, in force from the old certificate's expiry date)."""
    facts = [("decided", certificate.decided_on), ("issued", certificate.issued_on)]
    if certificate.valid_from is not None and certificate.valid_from != certificate.issued_on:
        facts.append(("valid_from", certificate.valid_from))
    return [*facts, ("expires", certificate.expires_on)]


def _kind(certificate: Certificate, face: Face) -> str:
    """What the background layer of a face shows: its languages, the centre as the certificate states it, and the
    dates' labels."""
    labels = [key for key, _day in dates(certificate)]
    return json.dumps([face.languages, certificate.centre, labels], ensure_ascii=False, sort_keys=True)


def in_languages(text: Mapping[str, str] | str | None, languages: tuple[str, ...]) -> str:
    """A text of the centre in the face's languages, "kk / ru" (once if they are the same); a certificate issued
    before the text had languages states it as it was."""
    if not isinstance(text, Mapping):
        return text or ""
    words = []
    for language in languages:
        word = text.get(language) or text.get("kk") or ""
        if word and word not in words:
            words.append(word)
    # a text given in another language only (a professional standard stated in Russian before it had three)
    return " / ".join(words) or next((word for word in text.values() if word), "")


def _logo(certificate: Certificate) -> str | None:
    return logo_data_uri((certificate.centre or {}).get("logo"))


def _template(layer: str, items: list[dict]) -> str:
    return render_template(
        "pdf/certificate.html",
        layer=layer,
        items=items,
        static_url=static_url,
        size_class=size_class,
        in_languages=in_languages,
        dates=dates,
    )


def certificate_html(
    certificates: list[Certificate],
    codes: dict[str, QRModules] | None = None,
    *,
    masthead_heights: dict[str, float] | None = None,
) -> str:
    """The batch's HTML; ``codes`` gets each certificate's QR code under the key its ``<svg data-qr>`` carries.
    With ``masthead_heights`` (by kind of face) it is the variable layer, else the whole certificates."""
    texts = _face_texts_by_language()
    codes = {} if codes is None else codes
    items = []
    for certificate in certificates:
        faces = _faces(certificate, texts)
        url = verify_url(certificate)
        key = str(certificate.id)
        modules = codes[key] = QRModules(qr_code(url))
        item = {"certificate": certificate, "faces": faces, "qr": modules.svg(key), "verify_url": url}
        if masthead_heights is None:
            item["logo"] = _logo(certificate)
        if masthead_heights is not None:
            item["masthead_heights"] = [masthead_heights[_kind(certificate, face)] for face in faces]
        items.append(item)
    return _template("variable" if masthead_heights is not None else "full", items)


@dataclass
class Background:
    """The background layer of a batch: one page for each kind of face, and each kind's masthead height."""

    pdf: bytes
    pages: dict[str, int]
    masthead_heights: dict[str, float]


def render_background(certificates: list[Certificate]) -> Background | None:
    """The batch's background layer; None if the mastheads cannot be measured (WeasyPrint's boxes are internals:
    should they change, the certificates are drawn whole, in one layer)."""
    texts = _face_texts_by_language()
    kinds: dict[str, dict] = {}
    for certificate in certificates:
        for face in _faces(certificate, texts):
            kind = _kind(certificate, face)
            if kind not in kinds:
                kinds[kind] = {"certificate": certificate, "faces": [face], "logo": _logo(certificate)}
    return _background_layer(_template("background", list(kinds.values())), tuple(kinds))


@lru_cache(maxsize=16)
def _background_layer(html: str, kinds: tuple[str, ...]) -> Background | None:
    """Laid out once per worker process for each set of kinds of face (the same HTML makes the same layer; the
    stylesheet, like the code, changes with a restart)."""
    document = render_document(html, lean_defaults=True, xhtml=True)
    heights = {}
    for kind, page in zip(kinds, document.pages, strict=False):
        page_box = getattr(page, "_page_box", None)
        for box in page_box.descendants() if page_box is not None else ():
            element = getattr(box, "element", None)
            if element is not None and element.get("class") == "masthead":
                heights[kind] = box.height
                break
    if len(document.pages) != len(kinds) or len(heights) != len(kinds):
        return None
    return Background(document.write_pdf(), {kind: number for number, kind in enumerate(kinds)}, heights)


def render_certificates(certificates: list[Certificate], *, layered: bool = True) -> dict[int, bytes]:
    """Unsigned PDFs, one per certificate, from one layout pass and one write of the whole batch.

    ``layered``: what is the same on every certificate of a kind (page, frame, masthead, signatory, the dates'
    labels) is laid out once for the batch and drawn beneath each page, and the batch's own layout holds only
    what differs: about a third less work a page than laying out whole certificates, for the same pages."""
    codes: dict[str, QRModules] = {}
    with cyclic_gc_paused():
        background = render_background(certificates) if layered else None
        heights = background.masthead_heights if background else None
        document = render_document(
            certificate_html(certificates, codes, masthead_heights=heights), lean_defaults=True, xhtml=True
        )
        use_direct_qr_drawing(document, codes)
        starts = {}
        for index, page in enumerate(document.pages):
            for anchor in page.anchors:
                if anchor.startswith("cert-"):
                    starts[int(anchor[5:])] = index
        order = sorted(starts.items(), key=lambda item: item[1])
        ends = [start for _certificate_id, start in order[1:]] + [len(document.pages)]
        ranges = [(start, end) for (_certificate_id, start), end in zip(order, ends, strict=True)]
        beneath = None
        if background:
            texts = _face_texts_by_language()
            by_id = {certificate.id: certificate for certificate in certificates}
            layers = [
                background.pages[_kind(by_id[certificate_id], face)]
                for certificate_id, _start in order
                for face in _faces(by_id[certificate_id], texts)
            ]
            if len(layers) != len(document.pages):
                raise RuntimeError("a certificate's face did not fill exactly one page")
            beneath = (background.pdf, layers)
        pdfs = write_split(document, ranges, beneath=beneath)
    return dict(zip((certificate_id for certificate_id, _start in order), pdfs, strict=True))
