"""How the certificate PDF is drawn: the QR code is vector rectangles that encode the verification address, and the
lean HTML defaults the certificate is laid out with change nothing on the page."""

import io
import re
import subprocess
import zlib

import pikepdf
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.certificates.rendering import (
    certificate_html,
    qr_code,
    render_background,
    render_certificates,
    use_direct_qr_drawing,
    verify_url,
)
from certcenter.core.pdf import render_document
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from tests.certificates.conftest import pdf_pages, pdftotext

RUN = re.compile(rb"(\d+) (\d+) (\d+) 1 re")


def issued_certificate(app, confirmed, login_as, english=True):
    ids = confirmed(1)
    login_as("admin").post(
        "/admin/certificates/issue",
        data={"application": [str(i) for i in ids], **({"english": "y"} if english else {})},
    )
    with app.app_context():
        return db.session.scalar(select(Certificate)).id


def issue_a_mixed_batch(confirmed, login_as) -> None:
    """Three certificates: the first with an English page, the other two without."""
    ids = confirmed(3)
    client = login_as("admin")
    client.post("/admin/certificates/issue", data={"application": [str(ids[0])], "english": "y"})
    client.post("/admin/certificates/issue", data={"application": [str(i) for i in ids[1:]]})


def inflated_streams(pdf: bytes) -> list[bytes]:
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    return streams


def drawn_codes(pdf: bytes) -> list[set[tuple[int, int]]]:
    """The dark modules of each QR code drawn in the file (one a page), read back from the rectangles of its path."""
    codes = []
    for stream in inflated_streams(pdf):
        runs = RUN.findall(stream)
        if runs:
            codes.append({(int(x) + step, int(y)) for x, y, length in runs for step in range(int(length))})
    return codes


def expected_modules(certificate: Certificate) -> set[tuple[int, int]]:
    matrix = qr_code(verify_url(certificate)).matrix
    return {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}


def test_the_qr_code_is_drawn_as_vector_rectangles_of_the_verification_address(app, confirmed, login_as):
    certificate_id = issued_certificate(app, confirmed, login_as)
    with app.test_request_context():
        certificate = db.session.get(Certificate, certificate_id)
        with get_storage().open(certificate.storage_key) as handle:
            stored = handle.read()
        expected = expected_modules(certificate)
    assert b"/Subtype /Image" not in stored  # no picture of a code: paths only
    assert len(stored) < 100_000  # font subsets, deflated: two pages in well under 100 KB
    assert drawn_codes(stored) == [expected, expected]  # the face and the English page
    assert len(expected) > 400  # a real code, not a few stray rectangles


def rasterised(pdf: bytes, tmp_path, name: str) -> list[bytes]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(tmp_path / name)], check=True)
    return [page.read_bytes() for page in sorted(tmp_path.glob(f"{name}-*.png"))]


def test_the_lean_html_defaults_change_nothing_on_the_page(app, confirmed, login_as, tmp_path):
    """The certificate's stylesheet sets all it relies on, so WeasyPrint's full user-agent stylesheet draws the
    very same pixels; a rule that quietly depended on a browser default would show here."""
    certificate_id = issued_certificate(app, confirmed, login_as)
    with app.test_request_context():
        certificate = db.session.get(Certificate, certificate_id)
        html = certificate_html([certificate])
        full, lean = (
            document.write_pdf() for document in (render_document(html), render_document(html, lean_defaults=True))
        )
    assert pdf_pages(lean, tmp_path) == 2
    assert rasterised(full, tmp_path, "full") == rasterised(lean, tmp_path, "lean")


def test_the_direct_drawing_of_the_qr_code_is_the_inline_svg_s_drawing(app, confirmed, login_as, tmp_path):
    """Should WeasyPrint's boxes ever change so that the drawing cannot be swapped in, WeasyPrint draws the inline
    SVG of the same rectangles: the page is the same either way."""
    certificate_id = issued_certificate(app, confirmed, login_as, english=False)
    with app.test_request_context():
        codes = {}
        document = render_document(certificate_html([db.session.get(Certificate, certificate_id)], codes))
        by_weasyprint = document.write_pdf()
        use_direct_qr_drawing(document, codes)
        direct = document.write_pdf()
    assert drawn_codes(by_weasyprint) == [] and len(drawn_codes(direct)) == 1
    assert rasterised(by_weasyprint, tmp_path, "svg") == rasterised(direct, tmp_path, "direct")


def test_a_batch_is_split_into_one_file_per_certificate_with_its_own_pages(app, confirmed, login_as, tmp_path):
    issue_a_mixed_batch(confirmed, login_as)
    with app.test_request_context():
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        pdfs = render_certificates(certificates)
        expected = {certificate.id: (2 if certificate.english else 1, certificate) for certificate in certificates}
        for certificate_id, pdf in pdfs.items():
            pages, certificate = expected[certificate_id]
            assert pdf_pages(pdf, tmp_path) == pages
            assert drawn_codes(pdf) == [expected_modules(certificate)] * pages  # its own code on each of its pages
            text = pdftotext(pdf, tmp_path)
            assert certificate.number in text and certificate.verification_code in text
            for other in certificates:
                if other.id != certificate_id:  # nothing of the batch's other certificates comes along
                    assert other.number not in text and other.verification_code not in text
            assert b"KZQC" not in pdf  # no text outside the (deflated) page content, nothing in the metadata
            assert pikepdf.open(io.BytesIO(pdf)).Root.Lang == "kk"
    assert sorted(pdfs) == sorted(expected)


def test_the_template_read_as_xml_draws_the_same_pages_as_read_as_html5(app, confirmed, login_as, tmp_path):
    """The certificate template is well-formed XML and is read by expat; WeasyPrint's HTML5 parser reading the same
    source draws the very same pixels."""
    from certcenter.core.pdf import _from_xhtml, _lean_html_class

    certificate_id = issued_certificate(app, confirmed, login_as)
    with app.test_request_context():
        html = certificate_html([db.session.get(Certificate, certificate_id)])
        assert _from_xhtml(_lean_html_class(), html, None) is not None  # the fast path is the one taken
        as_html5, as_xml = (
            document.write_pdf()
            for document in (
                render_document(html, lean_defaults=True),
                render_document(html, lean_defaults=True, xhtml=True),
            )
        )
    assert pdf_pages(as_xml, tmp_path) == 2
    assert rasterised(as_html5, tmp_path, "html5") == rasterised(as_xml, tmp_path, "xml")


def test_a_name_that_is_not_well_formed_xml_is_read_by_the_html5_parser(app, confirmed, login_as, tmp_path):
    """A control character is allowed in HTML text but not in XML: that batch is read by the HTML5 parser."""
    from certcenter.core.pdf import _from_xhtml, _lean_html_class

    certificate_id = issued_certificate(app, confirmed, login_as, english=False)
    with app.test_request_context():
        certificate = db.session.get(Certificate, certificate_id)
        certificate.holder_name = "Айгерім\x0bСейітова"
        assert _from_xhtml(_lean_html_class(), certificate_html([certificate]), None) is None
        number, pdf = certificate.number, render_certificates([certificate])[certificate_id]
        db.session.rollback()
    text = pdftotext(pdf, tmp_path)
    assert "Айгерім" in text and "Сейітова" in text and number in text


def test_the_layered_batch_draws_the_same_pages_as_whole_certificates(app, confirmed, login_as, tmp_path):
    """A batch is drawn as one background layer (page, frame, masthead, signatory, labels) for each kind of face,
    beneath a layout of what differs; every page is the very same picture as the whole certificate laid out in
    one piece, for Kazakh/Russian faces and English pages and for certificates that state different centres."""
    issue_a_mixed_batch(confirmed, login_as)
    with app.test_request_context():
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        certificates[2].centre = {
            **certificates[2].centre,
            "signatory_name": "Б. Т. Жұмабаева",
            "accreditation": "Another",
        }
        layered, whole = render_certificates(certificates), render_certificates(certificates, layered=False)
        background = render_background(certificates)
        first, third = certificates[0].id, certificates[2].id
        db.session.rollback()
    assert len(background.pages) == 3  # kk/ru of the first centre, its English page, kk/ru of the second centre
    for certificate_id, pdf in layered.items():
        pictures = rasterised(pdf, tmp_path, f"layered{certificate_id}")
        assert pictures == rasterised(whole[certificate_id], tmp_path, f"whole{certificate_id}")
        assert len(pictures) == (2 if certificate_id == first else 1)
    text = pdftotext(layered[third], tmp_path)
    assert "Б. Т. Жұмабаева" in text and "Another" in text and "Ә. С. Нұрланова" not in text
