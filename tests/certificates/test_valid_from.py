"""A certificate in force from a later day than its issue (a renewal superseding the old certificate on its expiry
date) says so on its face: "valid from" in Kazakh, Russian and English, read back with pdftotext; one in force from
its issue does not. Drawn in layers, a batch of both keeps each date beside its label."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from certcenter.certificates.models import Certificate
from certcenter.certificates.rendering import render_certificates
from certcenter.extensions import db
from tests.certificates.conftest import pdftotext
from tests.records.conftest import holders  # noqa: F401 - a fixture used here


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("layered", [True, False])
def test_valid_from_is_printed_where_it_differs_from_the_issue_date(app, holders, tmp_path, layered):  # noqa: F811
    renewed, ordinary = holders(2)
    with app.app_context():
        certificate = db.session.get(Certificate, renewed.certificate_id)
        certificate.valid_from = certificate.issued_on + timedelta(days=40)
        certificate.english = True
        plain = db.session.get(Certificate, ordinary.certificate_id)
        plain.valid_from = plain.issued_on  # in force from its issue: nothing more to say
        plain.english = True
        db.session.commit()
        starts = certificate.valid_from.strftime("%d.%m.%Y")
        pdfs = render_certificates([certificate, plain], layered=layered)
        first, second = pdfs[certificate.id], pdfs[plain.id]
    text = flat(pdftotext(first, tmp_path))
    for label in ("Жарамдылығының басталуы", "Действует с", "Valid from"):
        assert label in text, text
    assert starts in text
    # the labels and the dates in the same order: "valid from" beside its own date, between issue and expiry
    layout = pdftotext(first, tmp_path)
    (line,) = [row for row in layout.splitlines() if "Valid from" in row]
    assert starts in line
    other = flat(pdftotext(second, tmp_path))
    assert "Valid from" not in other and "Действует с" not in other and "Valid until" in other
