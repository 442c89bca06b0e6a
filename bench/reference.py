"""The machine's speed, measured the same way in every benchmark: a minimal ReportLab drawing of the content of a
certificate (page, frames, every text of the face in the fonts the real certificate embeds, the vector QR code, the
English page of every other certificate), in ms a certificate, best of three over 50. Every benchmark prints it
(``reference_ms=``) beside its own figures from the same run, so that figures taken on different machines, or on one
machine under different load, can be compared: divide by it.

    .venv/bin/python bench/reference.py
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# The fonts the WeasyPrint certificate embeds (pdffonts on a rendered file), by the names the reference draws with.
REFERENCE_FONTS = {
    "Sans": "Noto Sans",
    "Sans-Bold": "Noto Sans:bold",
    "Serif-Bold": "Noto Serif:bold",
    "Serif-Italic": "Noto Serif:italic",
    "Mono": "DejaVu Sans Mono",
}


def reportlab_reference(certificates) -> float:
    """Seconds per certificate for the ReportLab drawing of the same content (see the module's docstring): only the
    positions are simpler, fixed lines instead of a laid-out page."""
    import segno
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from certcenter.certificates.rendering import face_texts, size_class, verify_url

    for name, pattern in REFERENCE_FONTS.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, font_path(pattern)))
    texts = {language: face_texts(language) for language in ("kk", "ru", "en")}
    width, height = landscape(A4)
    inner = width - 2 * (9 + 2.2 + 16) * mm  # the text column inside the frame's padding
    ink, grey, teal, petrol, ochre = (HexColor(c) for c in ("#1d2a33", "#5b6b76", "#00799a", "#005a73", "#6b5200"))
    sizes = {"": 28, "long": 22, "longer": 17, "longest": 13.5}, {"": 17, "long": 14, "longer": 12, "longest": 10}

    def joined(languages, values):
        if isinstance(values, str):  # a text the settings give in one language only
            return values
        return " / ".join(values[language] for language in languages)

    def centred(pdf, y, text, font, size, colour, leading=1.2, char_space=0.0):
        pdf.setFont(font, size)
        pdf.setFillColor(colour)
        for line in simpleSplit(text, font, size, inner):
            pdf.drawCentredString(width / 2, y, line, charSpace=char_space)
            y -= size * leading
        return y

    def face(pdf, certificate, languages, url, code):
        t = [texts[language] for language in languages]
        pdf.setFillColor(HexColor("#fffdf6"))
        pdf.rect(0, 0, width, height, stroke=0, fill=1)
        pdf.setStrokeColor(teal)
        pdf.setLineWidth(2.2 * mm / 3)
        for inset in (9 * mm + 2.2 * mm / 6, 9 * mm + 2.2 * mm * 5 / 6):
            pdf.rect(inset, inset, width - 2 * inset, height - 2 * inset)
        pdf.setStrokeColor(HexColor("#f2b705"))
        pdf.setLineWidth(0.4 * mm)
        pdf.rect(13.4 * mm, 13.4 * mm, width - 26.8 * mm, height - 26.8 * mm)
        name = certificate.holder_name if languages[0] != "en" else certificate.holder_name_latin
        y = height - 35 * mm
        y = centred(pdf, y, joined(languages, certificate.centre["name"]).upper(), "Sans", 10.5, petrol, 1.6, 0.42)
        y = centred(pdf, y, joined(languages, certificate.centre["accreditation"]), "Sans", 8, grey, 2)
        y = centred(pdf, y - 4, " / ".join(x["title"] for x in t), "Serif-Bold", 22, teal)
        y = centred(pdf, y, f"№ {certificate.number}", "Mono", 11, ochre, 3.5)
        y = centred(pdf, y, " / ".join(x["certifies"] for x in t), "Serif-Italic", 11, grey, 1.8)
        y = centred(pdf, y - 8, name, "Serif-Bold", sizes[0][size_class(name, 38, 64, 95)], ink, 1.15)
        y = centred(pdf, y, f"{t[0]['iin']}: ••••••••{certificate.iin_last4}", "Sans", 8.5, grey, 1.6)
        y = centred(pdf, y, " / ".join(x["confirmed"] for x in t), "Serif-Italic", 11, grey, 1.6)
        for language in languages:
            title = certificate.qualification_title[language]
            y = centred(pdf, y - 4, title, "Serif-Bold", sizes[1][size_class(title, 45, 80, 120)], petrol)
        level = " / ".join(
            f"{x['level']} {certificate.nqf_level}"
            + (f" · {x['eqf']} {certificate.eqf_level}" * bool(certificate.eqf_level))
            for x in t
        )
        y = centred(pdf, y - 4, level, "Sans-Bold", 12, ochre, 1.4)
        y = centred(pdf, y, joined(languages, certificate.edition_title), "Sans", 8, grey, 1.3)
        if certificate.professional_standard:
            centred(pdf, y, certificate.professional_standard, "Sans", 8, grey)
        left, bottom = (9 + 2.2 + 16) * mm, (9 + 2.2 + 8) * mm
        days = (
            ("decided", certificate.decided_on),
            ("issued", certificate.issued_on),
            ("expires", certificate.expires_on),
        )
        for row, (key, day) in enumerate(days):
            y = bottom + (2 - row) * 4.88 * mm + 1.5 * mm
            pdf.setFont("Sans", 8.5)
            pdf.setFillColor(grey)
            pdf.drawString(left, y, " / ".join(x[key] for x in t))
            pdf.setFont("Sans-Bold", 8.5)
            pdf.setFillColor(ink)
            pdf.drawString(left + 64 * mm, y, day.strftime("%d.%m.%Y"))
        pdf.setStrokeColor(ink)
        pdf.setLineWidth(0.3 * mm)
        pdf.line(width / 2 - 35 * mm, bottom + 14 * mm, width / 2 + 35 * mm, bottom + 14 * mm)
        pdf.setFont("Sans-Bold", 10)
        pdf.drawCentredString(width / 2, bottom + 10 * mm, joined(languages, certificate.centre["signatory_name"]))
        pdf.setFont("Sans", 8)
        pdf.setFillColor(grey)
        pdf.drawCentredString(width / 2, bottom + 6.5 * mm, joined(languages, certificate.centre["signatory_position"]))
        pdf.setFont("Sans", 7)
        for row, line in enumerate(simpleSplit(t[0]["signed"], "Sans", 7, 70 * mm)):
            pdf.drawCentredString(width / 2, bottom + 3 * mm - row * 8.5, line)
        qr_left, qr_bottom, module = width - left - 33 * mm, bottom + 6 * mm, 30 * mm / len(code.matrix)
        path = pdf.beginPath()
        for y_module, row_bits in enumerate(code.matrix):
            x_module = 0
            while x_module < len(row_bits):
                if row_bits[x_module]:
                    start = x_module
                    while x_module < len(row_bits) and row_bits[x_module]:
                        x_module += 1
                    path.rect(
                        qr_left + start * module,
                        qr_bottom + 30 * mm - (y_module + 1) * module,
                        (x_module - start) * module,
                        module,
                    )
                else:
                    x_module += 1
        pdf.setFillColor(ink)
        pdf.drawPath(path, stroke=0, fill=1)
        pdf.setFont("Sans", 6.5)
        pdf.setFillColor(grey)
        pdf.drawCentredString(qr_left + 15 * mm, bottom + 3 * mm, url[: -len(certificate.verification_code)])
        pdf.setFont("Mono", 6)
        pdf.setFillColor(ink)
        pdf.drawCentredString(qr_left + 15 * mm, bottom, certificate.verification_code)
        pdf.showPage()

    start = time.perf_counter()
    for certificate in certificates:
        url = verify_url(certificate)
        code = segno.make(url, error="m", micro=False, mask=2)
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=(width, height))
        face(pdf, certificate, ("kk", "ru"), url, code)
        if certificate.english:
            face(pdf, certificate, ("en",), url, code)
        pdf.save()
    return (time.perf_counter() - start) / len(certificates)


def font_path(pattern: str) -> str:
    return subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=True).stdout


def reference_ms(app) -> float:
    """The ReportLab certificate of bench/certificates.py, drawn for 50 certificates as it draws them, best of three."""
    from datetime import date

    from certcenter.certificates.models import Certificate

    centre = {
        "name": app.config["CENTRE_NAME"],
        "accreditation": app.config["CENTRE_ACCREDITATION"],
        "signatory_name": app.config["CENTRE_SIGNATORY_NAME"],
        "signatory_position": app.config["CENTRE_SIGNATORY_POSITION"],
    }
    certificates = [
        Certificate(
            number=f"KZQC-2026-{n:06d}",
            verification_code=f"BENCH{n:011d}",
            holder_name=f"Әлия Нұрланова {n}",
            holder_name_latin=f"Aliya Nurlanova {n}",
            iin_last4="1234",
            qualification_code="WELD-3",
            qualification_title={"kk": "Дәнекерлеуші", "ru": "Сварщик", "en": "Welder"},
            nqf_level=3,
            eqf_level=3,
            edition_code="kz-nqf-2013",
            edition_title={"kk": "ҰБШ 2013", "ru": "НРК 2013", "en": "NQF 2013"},
            professional_standard=None,
            centre=centre,
            decided_on=date(2026, 11, 1),
            issued_on=date(2026, 11, 2),
            expires_on=date(2029, 11, 2),
            english=n % 2 == 0,
        )
        for n in range(50)
    ]
    with app.test_request_context():
        return min(reportlab_reference(certificates) for _ in range(3)) * 1000


def main() -> None:
    from certcenter import create_app
    from certcenter.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        db.create_all()  # the certificate's address reads the centre's settings
    print(f"reference_ms={reference_ms(app):.2f}")


if __name__ == "__main__":
    main()
