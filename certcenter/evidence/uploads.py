"""Checking an uploaded file before it is stored: its name, its size and, above all, what its content is."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from typing import BinaryIO

import filetype
from flask_babel import lazy_gettext as _l

from certcenter.core.errors import UserError

# What the centre accepts, decided from the bytes, never from the name or the browser's header.
ACCEPTED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
}
SNIFF_BYTES = 8192


class UploadError(UserError):
    """A refused file, with the reason for the person who sent it."""


def clean_filename(name: str | None) -> str:
    """The original name, kept as metadata only. A name carrying a path was not sent by a browser: refuse it."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise UploadError(_l("The file has no name. Choose the file again."))
    if "/" in name or "\\" in name or name in (".", "..") or any(unicodedata.category(ch) == "Cc" for ch in name):
        raise UploadError(_l("The file name must not contain a path or control characters. Rename the file."))
    return name[-200:]


def _zip_members(stream: BinaryIO) -> tuple[set[str], bytes]:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        return set(), b""
    finally:
        stream.seek(0)
    return names, mimetype


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
