"""One small interface for stored files (evidence, certificates, reports).

Domain code and Celery tasks keep only the *key* a backend returns; the filesystem backend keeps files under
instance/ (outside the web root), and another backend (an object store shared by web servers and workers on
different machines) can replace it without domain code changing.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class StorageError(Exception):
    pass


class Storage(Protocol):
    def save(self, stream: BinaryIO, *, prefix: str) -> StoredFile: ...

    def keys_older_than(self, prefix: str, moment: datetime) -> Iterator[str]: ...

    def open(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


class FileSystemStorage:
    """Files under ``root`` named by random keys, written once (never overwritten) and atomically."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise StorageError(f"key outside the storage root: {key!r}")
        return path

    def save(self, stream: BinaryIO, *, prefix: str) -> StoredFile:
        if not prefix.isidentifier():
            raise StorageError(f"invalid prefix {prefix!r}")
        token = secrets.token_hex(16)
        key = f"{prefix}/{token[:2]}/{token}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    tmp.write(chunk)
                tmp.flush()
                os.fsync(tmp.fileno())
            # link() fails if the name exists: a stored file is never replaced.
            os.link(tmp_name, path)
        finally:
            os.unlink(tmp_name)
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise StorageError(f"no stored file {key!r}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys_older_than(self, prefix: str, moment: datetime) -> Iterator[str]:
        """The keys of the files under ``prefix`` last written before ``moment``, with the temporary files of
        writes that never finished (a process killed mid-write)."""
        folder = self._path(prefix)
        cutoff = moment.timestamp()
        for path in folder.rglob("*") if folder.is_dir() else ():
            if path.is_file() and path.stat().st_mtime < cutoff:
                yield path.relative_to(self.root.resolve()).as_posix()


def get_storage() -> Storage:
    backend = current_app.config["STORAGE_BACKEND"]
    if backend != "filesystem":
        raise StorageError(f"unknown storage backend {backend!r}")
    storage = current_app.extensions.get("certcenter.storage")
    if storage is None:
        storage = current_app.extensions["certcenter.storage"] = FileSystemStorage(current_app.config["STORAGE_ROOT"])
    return storage


# Which column holds the keys of the stored files under each prefix: filled by the domains' models, read by the
# sweep of orphan files.
FILE_OWNERS: dict[str, Any] = {}


def owns_files(prefix: str, column: Any) -> None:
    """Declare that ``column`` holds the keys of the files saved under ``prefix``."""
    FILE_OWNERS[prefix] = column


def sweep_orphan_files(grace: timedelta) -> list[str]:
    """Delete the stored files that no row refers to and that were written more than ``grace`` ago: left by a
    worker killed between storing a file and committing its row, or by a write that never finished. A file
    younger than that may belong to a transaction still under way, and is kept. Returns the keys deleted."""
    from sqlalchemy import select

    from certcenter.core.models import utcnow
    from certcenter.extensions import db

    storage = get_storage()
    deleted = []
    for prefix, column in sorted(FILE_OWNERS.items()):
        candidates = list(storage.keys_older_than(prefix, utcnow() - grace))
        if not candidates:
            continue
        referenced = set(db.session.scalars(select(column).where(column.is_not(None))))
        for key in candidates:
            if key not in referenced:
                storage.delete(key)
                deleted.append(key)
    return deleted


@event.listens_for(Session, "after_commit")
def _delete_files_after_commit(session: Session) -> None:
    """Files of rows deleted in a transaction go once it has committed (see ``delete_after_commit``)."""
    for key in session.info.pop("delete_after_commit", []):
        get_storage().delete(key)


@event.listens_for(Session, "after_rollback")
def _keep_files_after_rollback(session: Session) -> None:
    session.info.pop("delete_after_commit", None)


def delete_after_commit(key: str) -> None:
    from certcenter.extensions import db

    db.session.info.setdefault("delete_after_commit", []).append(key)
