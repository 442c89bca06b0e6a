"""Certificate PDFs: a batch laid out as one WeasyPrint document, then split into one PDF per certificate."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from certcenter.certificates.models import Certificate
from certcenter.core.pdf import render_document, static_url, write_pages


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
            "expires": _("Valid until"),
            "iin": _("IIN"),
            "signed": _("Signed electronically by the centre; check it by the QR code."),
        }


def verify_url(certificate: Certificate) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{certificate.verification_code}"


def size_class(text: str, long: int, longer: int, longest: int) -> str:
    """Long names and titles get smaller type, so they wrap within the frame instead of overflowing it."""
    length = len(text or "")
    return "longest" if length > longest else "longer" if length > longer else "long" if length > long else ""


@dataclass
class Face:
    languages: tuple[str, ...]
    t: dict[str, dict[str, str]]


def certificate_html(certificates: list[Certificate]) -> str:
    texts = {language: face_texts(language) for language in ("kk", "ru", "en")}
    items = []
    for certificate in certificates:
        faces = [Face(("kk", "ru"), texts)]
        if certificate.english:
            faces.append(Face(("en",), texts))
        url = verify_url(certificate)
        # A vector QR code. The mask is fixed: any of the eight is valid for readers, and scoring all of them
        # costs about as much as laying out the page.
        qr = segno.make(url, error="m", micro=False, mask=2).svg_inline(
            scale=1, border=0, dark="#1d2a33", omitsize=True
        )
        items.append({"certificate": certificate, "faces": faces, "qr": qr, "verify_url": url})
    return render_template("pdf/certificate.html", items=items, static_url=static_url, size_class=size_class)


def render_certificates(certificates: list[Certificate]) -> dict[int, bytes]:
    """Unsigned PDFs, one per certificate, from one layout pass over the whole batch."""
    document = render_document(certificate_html(certificates))
    starts = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("cert-"):
                starts[int(anchor[5:])] = index
    order = sorted(starts.items(), key=lambda item: item[1])
    pdfs = {}
    for position, (certificate_id, start) in enumerate(order):
        end = order[position + 1][1] if position + 1 < len(order) else len(document.pages)
        pdfs[certificate_id] = write_pages(document, document.pages[start:end])
    return pdfs
