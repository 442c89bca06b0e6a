"""Uploads as an attacker sends them: zip bombs dressed as documents, double extensions, names that lie."""

import io
import struct
import tracemalloc
import zipfile

import pytest
from sqlalchemy import select

from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from tests import samples
from tests.evidence.test_uploads import upload

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
BOMB_MB = 256
TOO_BIG = "This document expands to far more than its size or holds too many parts"
NOT_A_DOCUMENT = "This file is not a PDF, JPEG, PNG, DOCX or ODT document"


def stored(app) -> list[EvidenceItem]:
    with app.app_context():
        return db.session.scalars(select(EvidenceItem)).all()


def odt_bomb(megabytes: int = BOMB_MB) -> bytes:
    """An ODT whose ``mimetype`` member begins as it should and then expands to ``megabytes`` of zeros (a few
    hundred kilobytes on the wire), written a megabyte at a time so the test itself stays small."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("mimetype")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as member:
            member.write(ODT_MIMETYPE)
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return buffer.getvalue()


def declare_size(archive: bytes, name: bytes, size: int) -> bytes:
    """The archive with the member's uncompressed size rewritten in its local and central headers: it claims to be
    small, and only reading it would show otherwise."""
    data = bytearray(archive)
    local = data.index(b"PK\x03\x04")  # the first member: the mimetype
    assert data[local + 30 : local + 30 + len(name)] == name
    struct.pack_into("<I", data, local + 22, size)
    central = data.index(b"PK\x01\x02")
    assert data[central + 46 : central + 46 + len(name)] == name
    struct.pack_into("<I", data, central + 24, size)
    return bytes(data)


@pytest.fixture
def bytes_decompressed(monkeypatch):
    """How many bytes were read out of archive members during the test."""
    counter = {"bytes": 0}
    original = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = original(self, n)
        counter["bytes"] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    return counter


def upload_measured(client, content: bytes, name: str):
    """The response, and the peak of memory Python allocated while the upload was handled."""
    tracemalloc.start()
    try:
        response = upload(client, content, name)
        return response, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_odt_zip_bomb_is_refused_without_being_expanded(app, draft, bytes_decompressed):
    bomb = odt_bomb()
    assert len(bomb) < 2 * 1024 * 1024  # a small upload...
    response, peak = upload_measured(draft, bomb, "reference.odt")
    assert response.status_code == 400
    assert TOO_BIG in response.get_data(as_text=True)
    assert bytes_decompressed["bytes"] < 64 * 1024  # ...of which next to nothing was expanded
    assert peak < 48 * 1024 * 1024  # (reading it whole took hundreds of megabytes)
    assert stored(app) == []


def test_a_bomb_that_declares_a_small_size_is_read_only_as_far_as_the_bound(app, draft, bytes_decompressed):
    liar = declare_size(odt_bomb(), b"mimetype", len(ODT_MIMETYPE))
    response, peak = upload_measured(draft, liar, "reference.odt")
    assert response.status_code == 400
    assert NOT_A_DOCUMENT in response.get_data(as_text=True)
    assert bytes_decompressed["bytes"] < 64 * 1024
    assert peak < 48 * 1024 * 1024
    assert stored(app) == []


def many_members(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", ODT_MIMETYPE)
        archive.writestr("content.xml", "<x/>")
        for n in range(count):
            archive.writestr(f"p/{n}", b"")
    return buffer.getvalue()


@pytest.mark.parametrize("forged_count", [False, True])
def test_an_archive_with_too_many_members_is_refused(app, draft, forged_count):
    archive = many_members(1500)
    if forged_count:  # the end record claims five members: the directory itself is counted after parsing
        end = archive.rindex(b"PK\x05\x06")
        archive = archive[: end + 8] + struct.pack("<HH", 5, 5) + archive[end + 12 :]
    response = upload(draft, archive, "reference.odt")
    assert response.status_code == 400 and TOO_BIG in response.get_data(as_text=True)
    assert stored(app) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.pdf.html", samples.PDF, "The file name ends in .html, but its content is PDF"),
        ("diploma.pdf.exe", samples.PDF, "The file name ends in .exe, but its content is PDF"),
        ("x.html.pdf", samples.PDF, "The file name has two extensions (.html.pdf)"),
        ("photo.png", samples.PDF, "The file name ends in .png, but its content is PDF"),
        ("reference.docx", samples.odt(), "The file name ends in .docx, but its content is ODT"),
    ],
)
def test_names_that_promise_another_type_are_refused(app, draft, name, content, message):
    response = upload(draft, content, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(app) == []


@pytest.mark.parametrize("name", ["Ivanov A.B. diploma.pdf", "scan.2015.pdf", "DIPLOMA.PDF", "no-extension"])
def test_ordinary_names_with_dots_are_accepted(app, draft, name):
    assert upload(draft, samples.PDF, name).status_code == 302
    (item,) = stored(app)
    assert item.original_filename == name


@pytest.mark.parametrize(
    "name",
    [
        "invoice\u202efdp.exe.pdf",  # right-to-left override: shows as "invoiceexe.pdf.pdf"
        "diploma\u2066.pdf",  # an isolate
        "dip\u200bloma.pdf",  # zero-width space
        "\u200b\u200c\u200d",  # nothing visible at all
        "\u3164",  # a Hangul filler: a letter drawn as nothing
        "diploma\u061c.pdf",  # the Arabic letter mark
    ],
)
def test_names_with_bidi_or_invisible_characters_are_refused(app, draft, name):
    response = upload(draft, samples.PDF, name)
    assert response.status_code == 400
    assert "invisible characters or characters that change the direction" in response.get_data(as_text=True)
    assert stored(app) == []


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("kk", "Файл атауында көрінбейтін таңбалар"),
        ("ru", "Имя файла содержит невидимые символы"),
        ("en", "The file name contains invisible characters"),
    ],
)
def test_the_refusal_of_a_hidden_name_speaks_the_users_language(app, draft, language, message):
    draft.post("/language", data={"language": language})
    assert message in upload(draft, samples.PDF, "a\u202egpj.pdf").get_data(as_text=True)


def test_a_pdf_named_html_never_downloads_under_that_name(app, draft):
    """The attack of the report: x.pdf.html with %PDF- bytes was accepted and downloaded as x.pdf.html."""
    upload(draft, samples.PDF, "x.pdf.html")
    upload(draft, samples.PDF, "x.pdf")
    (item,) = stored(app)
    disposition = draft.get(f"/evidence/{item.id}").headers["Content-Disposition"]
    assert disposition.endswith("x.pdf") and ".html" not in disposition
