"""One small interface for stored files (evidence, certificates, reports).

Domain code and Celery tasks keep only the *key* a backend returns; the filesystem backend keeps files under
instance/ (outside the web root), and the S3 backend (``core/s3storage.py``: an object store shared by web servers
and workers on different machines) replaces it by configuration (``STORAGE_URL``) without domain code changing. Both
name a file by the same key, so the migration command (``core/storage_cli.py``) copies files between them as they
are.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import unquote, urlsplit

from flask import Response, current_app
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

    def save_as(self, key: str, stream: BinaryIO) -> StoredFile: ...

    def sha256(self, key: str) -> str: ...

    def keys_older_than(self, prefix: str, moment: datetime) -> Iterator[str]: ...

    def open(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


def check_prefix(prefix: str) -> str:
    if not prefix.isidentifier():
        raise StorageError(f"invalid prefix {prefix!r}")
    return prefix


def check_key(key: str) -> str:
    """A key is a relative path of plain names: nothing can lead it out of the storage's root or prefix."""
    parts = key.split("/")
    if not key or key.startswith("/") or "\\" in key or any(part in ("", ".", "..") for part in parts):
        raise StorageError(f"invalid key {key!r}")
    return key


def new_key(prefix: str) -> str:
    token = secrets.token_hex(16)
    return f"{prefix}/{token[:2]}/{token}"


class FileSystemStorage:
    """Files under ``root`` named by random keys, written once (never overwritten) and atomically."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise StorageError(f"key outside the storage root: {key!r}")
        return path

    def __repr__(self) -> str:
        return f"<FileSystemStorage {self.root}>"

    def save(self, stream: BinaryIO, *, prefix: str) -> StoredFile:
        return self.save_as(new_key(check_prefix(prefix)), stream)

    def save_as(self, key: str, stream: BinaryIO) -> StoredFile:
        """Store ``stream`` under ``key``, which must be free (the migration keeps each file's key)."""
        path = self._path(check_key(key))
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
        except FileExistsError:
            raise StorageError(f"a stored file already has the key {key!r}") from None
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

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        with self.open(key) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

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


def storage_from_url(url: str | None, config: Any) -> Storage:
    """The backend a URL names: ``s3://bucket/prefix`` (S3 settings from ``config``), ``file:///path`` or a path;
    none gives the filesystem under ``STORAGE_ROOT``."""
    if not url:
        return FileSystemStorage(config["STORAGE_ROOT"])
    scheme = urlsplit(url).scheme
    if scheme == "s3":
        from certcenter.core.s3storage import s3_storage_from_url

        return s3_storage_from_url(url, config)
    if scheme == "file":
        return FileSystemStorage(unquote(urlsplit(url).path))
    if scheme == "":
        return FileSystemStorage(url)
    raise StorageError(f"unknown storage URL {url!r}: s3://bucket/prefix or file:///path")


def get_storage() -> Storage:
    """The app's storage, made once per process (a client made before a fork is not shared with the children)."""
    made = current_app.extensions.get("certcenter.storage")
    if made is None or made[0] != os.getpid():
        made = current_app.extensions["certcenter.storage"] = (
            os.getpid(),
            storage_from_url(current_app.config.get("STORAGE_URL"), current_app.config),
        )
    return made[1]


def save_all(contents: dict[Any, bytes], *, prefix: str) -> dict[Any, StoredFile]:
    """Store several files (a batch of certificates). An object store's puts go several at a time, as each waits on
    the network rather than the CPU; the filesystem writes them one after another."""
    storage = get_storage()
    parallel = min(getattr(storage, "parallel_puts", 1), len(contents))
    if parallel <= 1:
        return {name: storage.save(io.BytesIO(content), prefix=prefix) for name, content in contents.items()}
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = {
            name: pool.submit(storage.save, io.BytesIO(content), prefix=prefix) for name, content in contents.items()
        }
        return {name: future.result() for name, future in futures.items()}


def send_stored(
    key: str,
    *,
    size: int | None,
    mimetype: str,
    download_name: str,
    etag: str | None,
    as_attachment: bool = True,
) -> Response:
    """The response that gives a stored file to the browser, once the view has checked who may have it: streamed
    from the storage (read as it is sent), or, from an object store configured so, a redirect to a short-lived
    presigned URL for a large file. Raises ``StorageError`` for a file that is not there."""
    from flask import redirect, send_file

    storage = get_storage()
    should_presign = getattr(storage, "should_presign", None)
    if should_presign is not None and should_presign(size):
        if not storage.exists(key):
            raise StorageError(f"no stored file {key!r}")
        url = storage.presigned_url(key, filename=download_name, content_type=mimetype, as_attachment=as_attachment)
        response = redirect(url, code=303)
        response.headers["Cache-Control"] = "private, no-store"
        return response
    handle = storage.open(key)
    response = send_file(
        handle, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name, etag=etag, max_age=0
    )
    if size is not None and response.status_code == 200:
        response.content_length = size
    return response


@dataclass(frozen=True)
class FileOwner:
    key: Any  # the column with the keys
    sha256: Any = None  # the column with each file's SHA-256, where the rows keep it


# Which column holds the keys of the stored files under each prefix: filled by the domains' models, read by the
# sweep of orphan files and the migration between backends.
FILE_OWNERS: dict[str, FileOwner] = {}


def owns_files(prefix: str, column: Any, *, sha256: Any = None) -> None:
    """Declare that ``column`` holds the keys of the files saved under ``prefix`` (and ``sha256`` their digests)."""
    FILE_OWNERS[prefix] = FileOwner(column, sha256)


def sweep_orphan_files(grace: timedelta) -> list[str]:
    """Delete the stored files that no row refers to and that were written more than ``grace`` ago: left by a
    worker killed between storing a file and committing its row, or by a write that never finished. A file
    younger than that may belong to a transaction still under way, and is kept. Returns the keys deleted."""
    from sqlalchemy import select

    from certcenter.core.models import utcnow
    from certcenter.extensions import db

    storage = get_storage()
    deleted = []
    for prefix, owner in sorted(FILE_OWNERS.items()):
        candidates = list(storage.keys_older_than(prefix, utcnow() - grace))
        if not candidates:
            continue
        column = owner.key
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
