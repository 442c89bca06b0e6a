"""Stored files in an S3-compatible object store (AWS S3, MinIO, Ceph, ...), shared by web servers and workers on
different machines: ``CERTCENTER_STORAGE_URL=s3://bucket/prefix``.

- **Written once, whole.** An object appears complete or not at all (S3 has no partial objects). A put never replaces
  a key: with ``S3_CONDITIONAL_WRITES`` (the default) each put and each multipart completion carries
  ``If-None-Match: *``, which the store refuses (412) if the key exists: AWS S3 since August 2024, MinIO, Ceph RGW
  and moto honour it. A server that answers it with 501 Not Implemented makes the backend switch, for the rest of the
  process, to a HEAD before each put (set ``S3_CONDITIONAL_WRITES=false`` to start so): that leaves a moment between
  the check and the put, harmless here since keys are 128 random bits, which is why the conditional put, atomic and a
  round trip cheaper, is preferred.
- **SHA-256 kept.** The digest is computed while reading the stream, sent as ``x-amz-checksum-sha256`` with each put
  (the store refuses bytes that do not match), and kept with the object as ``x-amz-meta-sha256``, where
  ``sha256(key)`` and the migration command read it.
- **Server-side encryption** (``S3_SERVER_SIDE_ENCRYPTION``: ``AES256`` or ``aws:kms`` with ``S3_SSE_KMS_KEY_ID``) is
  passed with every write.
- **Multipart** for files larger than ``S3_MULTIPART_CHUNK_BYTES`` (registers, exports), one part in memory at a time;
  an upload that fails is aborted, and one a killed process left behind is found by the sweep of orphan files.
- **Downloads** stream the object's body to the browser; with ``S3_PRESIGN_ABOVE_BYTES`` set, a larger file is
  answered with a redirect to a presigned URL valid ``S3_PRESIGN_SECONDS``, after the view's own access checks.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

from certcenter.core.storage import CHUNK, StorageError, StoredFile, check_key, check_prefix, new_key

log = logging.getLogger(__name__)

MIN_PART = 5 * 1024 * 1024  # S3's smallest part but the last


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes: fewer only at the end of the stream (a raw stream may return less than asked)."""
    parts, missing = [], size
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            break
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _status(exc: Exception) -> int:
    response = getattr(exc, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


class S3Storage:
    """Files as objects under ``prefix`` in ``bucket``; the keys domain code keeps are the same as the filesystem
    backend's (``evidence/ab/ab12...``), so files move between backends without a row changing."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any,
        presign_client: Any = None,
        server_side_encryption: str | None = None,
        kms_key_id: str | None = None,
        chunk_bytes: int = 8 * 1024 * 1024,
        conditional_writes: bool = True,
        presign_above_bytes: int | None = None,
        presign_seconds: int = 60,
        parallel_puts: int = 8,
    ) -> None:
        if chunk_bytes < MIN_PART:
            raise StorageError(f"S3 multipart chunks must be at least {MIN_PART} bytes")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client
        self.presign_client = presign_client or client
        self.encryption = {}
        if server_side_encryption:
            self.encryption["ServerSideEncryption"] = server_side_encryption
            if kms_key_id:
                self.encryption["SSEKMSKeyId"] = kms_key_id
        self.chunk_bytes = chunk_bytes
        self.conditional_writes = conditional_writes
        self.presign_above_bytes = presign_above_bytes
        self.presign_seconds = presign_seconds
        self.parallel_puts = parallel_puts  # files of a batch stored at once (save_all)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<S3Storage s3://{self.bucket}/{self.prefix}>"

    def _object(self, key: str) -> str:
        return self.prefix + check_key(key)

    # --- writing ------------------------------------------------------------------------------------------------

    def save(self, stream: BinaryIO, *, prefix: str) -> StoredFile:
        return self.save_as(new_key(check_prefix(prefix)), stream)

    def save_as(self, key: str, stream: BinaryIO) -> StoredFile:
        """Store ``stream`` under ``key``, which must be free (the migration keeps each file's key)."""
        name = self._object(key)
        first = _read_exactly(stream, self.chunk_bytes)
        second = _read_exactly(stream, self.chunk_bytes) if len(first) == self.chunk_bytes else b""
        if not second:
            return self._put(key, name, first)
        return self._put_multipart(key, name, [first, second], stream, self._digest_ahead(stream, first, second))

    @staticmethod
    def _digest_ahead(stream: BinaryIO, *head: bytes) -> str | None:
        """The SHA-256 of a large file whose stream can be read twice, so that its multipart upload carries it from
        the start (the metadata of an upload is given when it begins)."""
        try:
            if not stream.seekable():
                return None
            position = stream.tell()
        except (AttributeError, OSError):
            return None
        digest = hashlib.sha256()
        for chunk in head:
            digest.update(chunk)
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
        stream.seek(position)
        return digest.hexdigest()

    def _conditions(self, name: str) -> dict:
        """The ``If-None-Match: *`` of a write, or, on a server without conditional writes, a HEAD first."""
        if self.conditional_writes:
            return {"IfNoneMatch": "*"}
        if self._head(name) is not None:
            raise StorageError(f"a stored file already has the key {name!r}")
        return {}

    def _refused(self, exc: Exception, name: str) -> bool:
        """True when the write should be made again without the condition (the server does not know it)."""
        if _error_code(exc) == "PreconditionFailed" or _status(exc) == 412:
            raise StorageError(f"a stored file already has the key {name!r}") from exc
        if self.conditional_writes and (_error_code(exc) == "NotImplemented" or _status(exc) == 501):
            with self._lock:
                self.conditional_writes = False
            log.warning("the object store refuses conditional writes; checking each key with HEAD instead")
            return True
        return False

    def _put(self, key: str, name: str, data: bytes) -> StoredFile:
        from botocore.exceptions import ClientError

        digest = hashlib.sha256(data)
        while True:
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=name,
                    Body=data,
                    ChecksumSHA256=_b64(digest.digest()),
                    Metadata={"sha256": digest.hexdigest()},
                    **self.encryption,
                    **self._conditions(name),
                )
            except ClientError as exc:
                if self._refused(exc, name):
                    continue
                raise StorageError(f"could not store {name!r}: {exc}") from exc
            return StoredFile(key=key, size=len(data), sha256=digest.hexdigest())

    def _put_multipart(
        self, key: str, name: str, head: list[bytes], stream: BinaryIO, digest_ahead: str | None
    ) -> StoredFile:
        from botocore.exceptions import ClientError

        conditions = self._conditions(name)
        metadata = {"sha256": digest_ahead} if digest_ahead else {}
        upload = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=name, ChecksumAlgorithm="SHA256", Metadata=metadata, **self.encryption
        )
        upload_id = upload["UploadId"]
        digest, size, parts = hashlib.sha256(), 0, []
        try:
            chunks = iter(head)
            while chunk := next(chunks, None) or _read_exactly(stream, self.chunk_bytes):
                digest.update(chunk)
                size += len(chunk)
                checksum = _b64(hashlib.sha256(chunk).digest())
                number = len(parts) + 1
                answer = self.client.upload_part(
                    Bucket=self.bucket,
                    Key=name,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=chunk,
                    ChecksumSHA256=checksum,
                )
                parts.append({"ETag": answer["ETag"], "PartNumber": number, "ChecksumSHA256": checksum})
            if digest_ahead and digest.hexdigest() != digest_ahead:
                raise StorageError(f"the file changed while {name!r} was being stored")
            while True:
                try:
                    self.client.complete_multipart_upload(
                        Bucket=self.bucket,
                        Key=name,
                        UploadId=upload_id,
                        MultipartUpload={"Parts": parts},
                        **conditions,
                    )
                    break
                except ClientError as exc:
                    if not self._refused(exc, name):
                        raise
                    conditions = self._conditions(name)
        except BaseException as exc:
            self._abort(name, upload_id)
            if isinstance(exc, ClientError):
                raise StorageError(f"could not store {name!r}: {exc}") from exc
            raise
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def _abort(self, name: str, upload_id: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
        except ClientError:
            log.warning("could not abort the multipart upload of %s; the orphan sweep will", name, exc_info=True)

    # --- reading ------------------------------------------------------------------------------------------------

    def _head(self, name: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            if _status(exc) == 404 or _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise StorageError(f"could not look up {name!r}: {exc}") from exc

    def open(self, key: str) -> BinaryIO:
        """The object's body as a stream read from the store as it is consumed (a download is not held in memory)."""
        from botocore.exceptions import ClientError

        name = self._object(key)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            raise StorageError(f"no stored file {key!r}") from exc
        return answer["Body"]

    def exists(self, key: str) -> bool:
        return self._head(self._object(key)) is not None

    def sha256(self, key: str) -> str:
        """The SHA-256 kept with the object, or computed from its bytes when it has none."""
        head = self._head(self._object(key))
        if head is None:
            raise StorageError(f"no stored file {key!r}")
        kept = head.get("Metadata", {}).get("sha256")
        if kept:
            return kept
        digest = hashlib.sha256()
        with self.open(key) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def presigned_url(self, key: str, *, filename: str, content_type: str, as_attachment: bool = True) -> str:
        from urllib.parse import quote

        disposition = "attachment" if as_attachment else "inline"
        return self.presign_client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self._object(key),
                "ResponseContentType": content_type,
                "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
                "ResponseCacheControl": "private, no-store",
            },
            ExpiresIn=self.presign_seconds,
        )

    def should_presign(self, size: int | None) -> bool:
        return self.presign_above_bytes is not None and size is not None and size > self.presign_above_bytes

    # --- deleting -----------------------------------------------------------------------------------------------

    def delete(self, key: str) -> None:
        """Delete the object, and any upload of that key a killed process left unfinished."""
        name = self._object(key)
        self.client.delete_object(Bucket=self.bucket, Key=name)
        for upload in self._uploads(name):
            if upload["Key"] == name:
                self._abort(name, upload["UploadId"])

    def _uploads(self, prefix: str) -> Iterator[dict]:
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Uploads", [])

    def keys_older_than(self, prefix: str, moment: datetime) -> Iterator[str]:
        """The keys of the objects under ``prefix`` last written before ``moment``, and of uploads started before it
        and never finished (a process killed mid-upload)."""
        folder = self.prefix + check_prefix(prefix) + "/"
        seen = set()
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=folder):
            for item in page.get("Contents", []):
                if item["LastModified"] < moment:
                    seen.add(item["Key"])
                    yield item["Key"][len(self.prefix) :]
        for upload in self._uploads(folder):
            if upload["Initiated"] < moment and upload["Key"] not in seen:
                seen.add(upload["Key"])
                yield upload["Key"][len(self.prefix) :]


def s3_storage_from_url(url: str, config: Any) -> S3Storage:
    """``s3://bucket/prefix``, with the endpoint, region and credentials from the ``S3_*`` settings, else from the
    usual AWS variables and files (``AWS_ENDPOINT_URL``, ``AWS_DEFAULT_REGION``, ``AWS_ACCESS_KEY_ID``, ...). Query
    parameters ``endpoint_url`` and ``region`` override the settings (a migration between two stores)."""
    import boto3
    from botocore.config import Config as BotoConfig

    parts = urlsplit(url)
    if not parts.netloc:
        raise StorageError(f"no bucket in the storage URL {url!r}")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    endpoint = query.get("endpoint_url") or config.get("S3_ENDPOINT_URL")
    region = query.get("region") or config.get("S3_REGION")
    # an endpoint of one's own (MinIO, moto, Ceph) answers at a path; AWS itself at the bucket's host name
    own_endpoint = endpoint or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    style = config.get("S3_ADDRESSING_STYLE") or ("path" if own_endpoint else "auto")
    settings = BotoConfig(
        signature_version="s3v4",  # presigned URLs too (botocore would sign them with V2 in us-east-1)
        s3={"addressing_style": style},
        retries={"max_attempts": 5, "mode": "standard"},
        max_pool_connections=int(config.get("S3_PARALLEL_PUTS") or 8) + 2,
        # the SHA-256 of each put is sent by the backend itself; no other checksum, which some S3-compatible
        # servers refuse
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = boto3.session.Session(
        aws_access_key_id=config.get("S3_ACCESS_KEY_ID"),
        aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
        region_name=region,
    )
    client = session.client("s3", endpoint_url=endpoint, config=settings)
    public = config.get("S3_PUBLIC_ENDPOINT_URL")
    presign_client = session.client("s3", endpoint_url=public, config=settings) if public else None
    return S3Storage(
        parts.netloc,
        parts.path,
        client=client,
        presign_client=presign_client,
        server_side_encryption=config.get("S3_SERVER_SIDE_ENCRYPTION"),
        kms_key_id=config.get("S3_SSE_KMS_KEY_ID"),
        chunk_bytes=int(config.get("S3_MULTIPART_CHUNK_BYTES") or 8 * 1024 * 1024),
        conditional_writes=bool(config.get("S3_CONDITIONAL_WRITES", True)),
        presign_above_bytes=config.get("S3_PRESIGN_ABOVE_BYTES"),
        presign_seconds=int(config.get("S3_PRESIGN_SECONDS") or 60),
        parallel_puts=int(config.get("S3_PARALLEL_PUTS") or 8),
    )
