"""The document behind an education record (a diploma), uploaded with the record.

The candidates domain keeps no files itself: files are checked and stored by the evidence domain, which sits above
and registers the store when the app starts, so that a diploma is checked like any evidence and an assessor sees it
beside the application's evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from flask import Flask

from certcenter.accounts.models import User
from certcenter.candidates.models import CandidateProfile
from certcenter.core.registry import Registry

_store = Registry("candidates.document_store")

# (profile, stream, filename, actor=..., description=...) -> the stored document (with an ``id``); raises UserError
DocumentStore = Callable[..., Any]


def register_document_store(app: Flask, store: DocumentStore) -> None:
    _store.add(app, "store", store)


def store_document(
    profile: CandidateProfile,
    stream: BinaryIO,
    filename: str | None,
    *,
    actor: User,
    description: str,
    kind: str = "diploma",
) -> Any:
    """Check and store a document of the person (a diploma; ``kind="other"``: the proof of a change of name)."""
    store = _store.get("store")
    if store is None:
        raise RuntimeError("no document store is registered (the evidence domain registers it in init_app)")
    return store(profile, stream, filename, actor=actor, description=description, kind=kind)
