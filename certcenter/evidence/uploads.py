"""Checking an uploaded file before it is stored: its name, its size and, above all, what its content is."""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
from typing import BinaryIO

import filetype
from flask_babel import lazy_gettext as _l

from certcenter.core.errors import UserError
from certcenter.core.text import has_visible, hidden_characters

# What the centre accepts, decided from the bytes, never from the name or the browser's header.
ACCEPTED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
}
SNIFF_BYTES = 8192
# The extensions a name may end in for each type. A name ending in another known extension, or with a known
# extension of another type before its last one ("x.pdf.html", "x.html.pdf"), is refused; an ending that is no
# file type ("Ivanov A.B. diploma", "scan.v2") is part of the name.
EXTENSIONS = {
    "application/pdf": {"pdf"},
    "image/jpeg": {"jpg", "jpeg", "jpe", "jfif"},
    "image/png": {"png"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.oasis.opendocument.text": {"odt"},
}
# what a browser or a desktop would open as something else: pages, scripts, programs, other documents
OTHER_EXTENSIONS = """
html htm xhtml shtml mht mhtml svg svgz xml xsl xslt js mjs jse vbs vbe wsf wsh hta exe com scr bat cmd msi msp
ps1 psm1 jar sh bash php phtml asp aspx jsp cgi pl py rb swf lnk url reg dll cpl gif bmp tif tiff webp heic doc
docm dot dotx rtf txt csv xls xlsx xlsm ods ppt pptx odp zip rar 7z gz tar
"""
KNOWN_EXTENSIONS = set().union(*EXTENSIONS.values(), OTHER_EXTENSIONS.split())

# Office documents are ZIP archives: what is read of them, and how far they may expand, is bounded. A real document
# has tens of parts compressed a few times over; a zip bomb expands a few hundred kilobytes into gigabytes.
ARCHIVE_MAX_MEMBERS = 1000
ARCHIVE_MAX_DIRECTORY_BYTES = 1024 * 1024  # the central directory ZipFile parses into objects, before any check
ARCHIVE_MAX_MEMBER_BYTES = 64 * 1024 * 1024
ARCHIVE_MAX_TOTAL_BYTES = 256 * 1024 * 1024
ARCHIVE_MAX_RATIO = 100  # uncompressed over compressed size, for members past ARCHIVE_RATIO_FROM bytes
ARCHIVE_RATIO_FROM = 1024 * 1024
ODF_MIMETYPE_MAX_BYTES = 256


class UploadError(UserError):
    """A refused file, with the reason for the person who sent it."""


OVERSIZED_ARCHIVE = _l(
    "This document expands to far more than its size or holds too many parts, so it was not opened. "
    "Save it again from your word processor, or as a PDF, and upload that file."
)


def clean_filename(name: str | None) -> str:
    """The original name, kept as metadata only. A name carrying a path was not sent by a browser: refuse it; a name
    with characters that reorder or hide parts of it ("invoice\u202efdp.exe" shows as "invoiceexe.pdf") too."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise UploadError(_l("The file has no name. Choose the file again."))
    if "/" in name or "\\" in name or name in (".", "..") or any(unicodedata.category(ch) == "Cc" for ch in name):
        raise UploadError(_l("The file name must not contain a path or control characters. Rename the file."))
    if hidden_characters(name) or not has_visible(name):
        raise UploadError(
            _l(
                "The file name contains invisible characters or characters that change the direction of the text. "
                "Rename the file using letters, digits and ordinary punctuation."
            )
        )
    return name[-200:]


def _extensions(name: str) -> tuple[str | None, str | None]:
    """The name's last two extensions that are file types (lower case), the last first; None where there is none."""
    parts = name.rstrip(". ").lower().split(".")
    last = parts[-1] if len(parts) > 1 and parts[-1] in KNOWN_EXTENSIONS else None
    inner = parts[-2] if last and len(parts) > 2 and parts[-2] in KNOWN_EXTENSIONS else None
    return last, inner


def check_extension(name: str, content_type: str) -> None:
    """The name must not promise another type than the content is: its extension, if it has one, is the content's,
    and no other type's extension comes before it ("diploma.pdf.html")."""
    last, inner = _extensions(name)
    allowed, expected = EXTENSIONS[content_type], ACCEPTED_TYPES[content_type]
    if inner and inner not in allowed:
        raise UploadError(
            _l(
                "The file name has two extensions (.%(inner)s.%(last)s). Rename the file so that it ends only in "
                ".%(expected)s.",
                inner=inner,
                last=last,
                expected=expected,
            )
        )
    if last and last not in allowed:
        raise UploadError(
            _l(
                "The file name ends in .%(last)s, but its content is %(kind)s. Rename the file so that it ends in "
                ".%(expected)s.",
                last=last,
                kind=expected.upper(),
                expected=expected,
            )
        )


def _central_directory(stream: BinaryIO) -> tuple[int, int] | None:
    """How many members and how many bytes of central directory the archive's end record declares; None without
    one. Read before ZipFile, which turns the whole directory into objects (a million tiny members: gigabytes)."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(max(0, size - 22 - 0xFFFF))  # the end record (22 bytes) and a comment of at most 64 KB
    tail = stream.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    members, directory_bytes = struct.unpack("<HI", tail[at + 10 : at + 16])
    return members, directory_bytes


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Every member's declared size and compression ratio, and their number and total, within bounds."""
    members = archive.infolist()
    if len(members) > ARCHIVE_MAX_MEMBERS:
        raise UploadError(OVERSIZED_ARCHIVE)
    total = 0
    for member in members:
        total += member.file_size
        ratio_too_high = member.file_size > ARCHIVE_RATIO_FROM and member.file_size > ARCHIVE_MAX_RATIO * max(
            member.compress_size, 1
        )
        if member.file_size > ARCHIVE_MAX_MEMBER_BYTES or ratio_too_high or total > ARCHIVE_MAX_TOTAL_BYTES:
            raise UploadError(OVERSIZED_ARCHIVE)


def read_member(archive: zipfile.ZipFile, name: str, max_bytes: int) -> bytes | None:
    """A member's content, read a chunk at a time and never more than ``max_bytes`` of it (the declared sizes may
    lie: a member that says 54 bytes can expand to gigabytes); None when it is longer."""
    chunks, length = [], 0
    with archive.open(name) as member:
        while length <= max_bytes:
            chunk = member.read(min(64 * 1024, max_bytes + 1 - length))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            length += len(chunk)
    return None


def _zip_members(stream: BinaryIO) -> tuple[set[str], bytes]:
    """The archive's member names and its ODF ``mimetype`` (empty if none); UploadError for an archive that would
    expand beyond bounds."""
    try:
        directory = _central_directory(stream)
        if directory is None:
            return set(), b""
        members, directory_bytes = directory
        if members > ARCHIVE_MAX_MEMBERS or directory_bytes > ARCHIVE_MAX_DIRECTORY_BYTES:
            raise UploadError(OVERSIZED_ARCHIVE)  # 0xFFFF members: a ZIP64 archive, never a document upload
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            _check_archive(archive)
            names = set(archive.namelist())
            mimetype = read_member(archive, "mimetype", ODF_MIMETYPE_MAX_BYTES) if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, EOFError, NotImplementedError, RuntimeError):
        return set(), b""
    finally:
        stream.seek(0)
    return names, mimetype or b""


def sniff_content_type(stream: BinaryIO) -> str:
    """The accepted type of the content, or UploadError. Office files are opened to check they are documents."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if not head:
        raise UploadError(_l("The file is empty."))
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime == "application/pdf" and head.startswith(b"%PDF-"):
        return mime
    if mime in ("image/jpeg", "image/png"):
        return mime
    if head.startswith(b"PK\x03\x04"):
        names, mimetype = _zip_members(stream)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if mimetype == b"application/vnd.oasis.opendocument.text" and "content.xml" in names:
            return "application/vnd.oasis.opendocument.text"
    raise UploadError(
        _l("This file is not a PDF, JPEG, PNG, DOCX or ODT document (its content was checked, not its name).")
    )


def measure(stream: BinaryIO) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size
