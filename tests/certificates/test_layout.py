"""Certificates that read right: on every face, in kk, ru and en, each label of the dates stands clear of its date,
measured on WeasyPrint's laid-out boxes of the certificate as it is printed (the whole page, in one layer)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.certificates.rendering import certificate_html
from certcenter.core.pdf import render_document
from certcenter.extensions import db

MM = 96 / 25.4  # CSS pixels in a millimetre
GAP_MM = 2.5


def _text_boxes(box):
    """The text boxes under ``box``."""
    for child in box.descendants(placeholders=True):
        if type(child).__name__ == "TextBox" and child.text.strip():
            yield child


def _lines(document, class_name: str) -> list[list[tuple[float, float, float, str]]]:
    """For each page, the lines of the element with ``class_name``: (top, left, right, text) of their text."""
    pages = []
    for page in document.pages:
        found = []
        for box in page._page_box.descendants(placeholders=True):
            element = getattr(box, "element", None)
            if type(box).__name__ == "LineBox" and element is not None and element.get("class") == class_name:
                texts = list(_text_boxes(box))
                if texts:
                    found.append(
                        (
                            round(box.position_y, 1),
                            min(t.position_x for t in texts),
                            max(t.position_x + t.width for t in texts),
                            "".join(t.text for t in texts),
                        )
                    )
        pages.append(found)
    return pages


@pytest.mark.parametrize("english", [False, True])
@pytest.mark.parametrize("wider", [False, True], ids=["as-printed", "wider-type"])
def test_each_date_stands_clear_of_its_label(app, confirmed, login_as, english, wider):
    """``wider``: the labels in larger type, as a wider font would set them (the machine lacks Noto Sans)."""
    (application_id,) = confirmed(1)
    login_as("admin").post(
        "/admin/certificates/issue",
        data={"application": [str(application_id)], **({"english": "y"} if english else {})},
    )
    with app.test_request_context():
        certificate = db.session.scalar(select(Certificate))
        html = certificate_html([certificate])
        if wider:
            html = html.replace("</head>", "<style>.labels { font-size: 12pt }</style></head>", 1)
        document = render_document(html, lean_defaults=True, xhtml=True)
    labels, dates = _lines(document, "labels"), _lines(document, "dates")
    assert len(document.pages) == (2 if english else 1)
    for page_labels, page_dates in zip(labels, dates, strict=True):
        assert len(page_labels) == len(page_dates) == 3  # decision, issue, expiry
        for (label_top, _left, label_right, label), (date_top, date_left, _right, date) in zip(
            page_labels, page_dates, strict=True
        ):
            if not wider:
                assert abs(label_top - date_top) < 1, (label, date)  # on one line
            gap = (date_left - label_right) / MM
            assert gap >= GAP_MM, f"{label!r} ends {gap:.1f} mm from {date!r}"
