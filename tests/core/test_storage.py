"""The storage interface, run against both backends: the filesystem and an S3-compatible object store (moto in
server mode on loopback)."""

import hashlib
import io
import secrets
import threading
from datetime import UTC, datetime, timedelta

import pytest

from certcenter.core.s3storage import S3Storage
from certcenter.core.storage import FileSystemStorage, StorageError, storage_from_url
from tests.s3 import LoopbackS3

BACKENDS = ["filesystem", "s3"]
MiB = 1024 * 1024


def s3_storage(s3: LoopbackS3, bucket: str, **options) -> S3Storage:
    return storage_from_url(f"s3://{bucket}/centre-files", s3.settings(bucket, **options))


@pytest.fixture(params=BACKENDS)
def storage(request, tmp_path):
    if request.param == "filesystem":
        return FileSystemStorage(tmp_path)
    s3 = request.getfixturevalue("s3")
    return s3_storage(s3, s3.new_bucket())


class NoSeek(io.RawIOBase):
    """A stream read once, returning fewer bytes than asked (as a socket does)."""

    def __init__(self, content: bytes) -> None:
        self.content, self.position = content, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), 65536, len(self.content) - self.position)
        buffer[:size] = self.content[self.position : self.position + size]
        self.position += size
        return size


def test_save_keeps_the_content_and_its_hash(storage):
    content = "Диплом ".encode() * 100_000
    stored = storage.save(io.BytesIO(content), prefix="evidence")
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    with storage.open(stored.key) as handle:
        assert handle.read() == content
    assert stored.key.startswith("evidence/")
    assert storage.exists(stored.key) and storage.sha256(stored.key) == stored.sha256


def test_the_filesystem_leaves_no_temporary_file(tmp_path):
    FileSystemStorage(tmp_path).save(io.BytesIO(b"x" * 1000), prefix="evidence")
    assert not list(tmp_path.rglob(".upload-*"))


def test_every_save_gets_a_new_random_key(storage):
    first = storage.save(io.BytesIO(b"a"), prefix="evidence")
    second = storage.save(io.BytesIO(b"a"), prefix="evidence")
    assert first.key != second.key
    assert storage.open(first.key).read() == b"a"


@pytest.mark.parametrize("conditional", [True, False], ids=["conditional-put", "head-check"])
def test_a_stored_file_is_never_replaced(storage, monkeypatch, request, conditional):
    if isinstance(storage, S3Storage):
        storage.conditional_writes = conditional
    elif not conditional:
        pytest.skip("the filesystem has one way: link() refuses an existing name")
    monkeypatch.setattr(secrets, "token_hex", lambda _n: "ab" * 16)  # the next key is the same as the first
    first = storage.save(io.BytesIO(b"the original"), prefix="certificates")
    with pytest.raises(StorageError, match="already has the key"):
        storage.save(io.BytesIO(b"a forgery"), prefix="certificates")
    with pytest.raises(StorageError, match="already has the key"):
        storage.save_as(first.key, io.BytesIO(b"x" * 11 * MiB))  # a multipart upload is refused the same way
    assert storage.open(first.key).read() == b"the original"


@pytest.mark.parametrize("key", ["../outside", "evidence/../../etc/passwd", "/etc/passwd"])
def test_keys_cannot_leave_the_root(storage, key):
    with pytest.raises(StorageError):
        storage.open(key)
    with pytest.raises(StorageError):
        storage.save_as(key, io.BytesIO(b"x"))


def test_prefix_must_be_a_plain_name(storage):
    with pytest.raises(StorageError):
        storage.save(io.BytesIO(b"x"), prefix="../x")


def test_missing_file_is_a_storage_error(storage):
    with pytest.raises(StorageError):
        storage.open("evidence/00/nothing")
    assert not storage.exists("evidence/00/nothing")
    storage.delete("evidence/00/nothing")  # deleting what is not there is no error


def test_a_large_file_from_a_stream_read_once(storage):
    content = secrets.token_bytes(11 * MiB + 12345)
    stored = storage.save(NoSeek(content), prefix="reports")
    assert (stored.size, stored.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    with storage.open(stored.key) as handle:
        assert handle.read() == content
    assert storage.sha256(stored.key) == stored.sha256


def test_keys_older_than_a_moment(storage):
    old = storage.save(io.BytesIO(b"old"), prefix="reports")
    other = storage.save(io.BytesIO(b"another prefix"), prefix="evidence")
    later = datetime.now(UTC) + timedelta(seconds=5)
    assert list(storage.keys_older_than("reports", later)) == [old.key]
    assert list(storage.keys_older_than("reports", later - timedelta(hours=1))) == []
    assert list(storage.keys_older_than("certificates", later)) == []
    storage.delete(old.key)
    assert not storage.exists(old.key) and storage.exists(other.key)


# --- the object store's own promises -----------------------------------------------------------------------------


def test_s3_keeps_the_sha256_and_passes_server_side_encryption_through(s3):
    bucket = s3.new_bucket()
    storage = s3_storage(s3, bucket, S3_SERVER_SIDE_ENCRYPTION="AES256")
    small = storage.save(io.BytesIO(b"%PDF-1.7 certificate"), prefix="certificates")
    large = storage.save(io.BytesIO(b"r" * (11 * MiB)), prefix="reports")
    client = s3.client()
    for stored in (small, large):
        head = client.head_object(Bucket=bucket, Key=f"centre-files/{stored.key}")
        assert head["Metadata"]["sha256"] == stored.sha256
        assert head["ServerSideEncryption"] == "AES256"
    # 11 MiB in 8 MiB parts: a multipart upload, whose ETag counts its parts
    assert client.head_object(Bucket=bucket, Key=f"centre-files/{large.key}")["ETag"].endswith('-2"')
    assert not client.list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_s3_objects_live_under_the_prefix_of_the_url(s3):
    bucket = s3.new_bucket()
    stored = s3_storage(s3, bucket).save(io.BytesIO(b"x"), prefix="evidence")
    keys = [item["Key"] for item in s3.client().list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"centre-files/{stored.key}"]


def test_s3_a_server_without_conditional_writes_is_checked_with_head(s3, monkeypatch):
    storage = s3_storage(s3, s3.new_bucket())
    from botocore.exceptions import ClientError

    real_put = storage.client.put_object

    def put_without_conditions(**kwargs):
        if "IfNoneMatch" in kwargs:
            raise ClientError({"Error": {"Code": "NotImplemented"}, "ResponseMetadata": {"HTTPStatusCode": 501}}, "Put")
        return real_put(**kwargs)

    monkeypatch.setattr(storage.client, "put_object", put_without_conditions)
    first = storage.save(io.BytesIO(b"one"), prefix="evidence")
    assert storage.open(first.key).read() == b"one" and storage.conditional_writes is False
    with pytest.raises(StorageError, match="already has the key"):  # found by the HEAD: the put would overwrite
        storage.save_as(first.key, io.BytesIO(b"two"))
    assert storage.open(first.key).read() == b"one"


def test_s3_an_unfinished_upload_is_found_and_removed(s3):
    bucket = s3.new_bucket()
    storage = s3_storage(s3, bucket)
    client = s3.client()
    name = "centre-files/reports/0f/0f-killed-mid-upload"
    upload = client.create_multipart_upload(Bucket=bucket, Key=name)
    client.upload_part(Bucket=bucket, Key=name, UploadId=upload["UploadId"], PartNumber=1, Body=b"half")
    later = datetime.now(UTC) + timedelta(seconds=5)
    assert list(storage.keys_older_than("reports", later)) == ["reports/0f/0f-killed-mid-upload"]
    storage.delete("reports/0f/0f-killed-mid-upload")
    assert not client.list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_storage_urls_choose_the_backend(tmp_path, s3):
    config = {"STORAGE_ROOT": str(tmp_path / "default"), **s3.settings("b")}
    assert storage_from_url(None, config).root == tmp_path / "default"
    assert storage_from_url(f"file://{tmp_path}/x", config).root == tmp_path / "x"
    chosen = storage_from_url("s3://centre-bucket/some/prefix/", config)
    assert (chosen.bucket, chosen.prefix) == ("centre-bucket", "some/prefix/")
    assert storage_from_url("s3://centre-bucket", config).prefix == ""
    with pytest.raises(StorageError):
        storage_from_url("ftp://somewhere/x", config)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_batch_is_stored_several_files_at_a_time_in_the_object_store(make_app, s3, backend, monkeypatch):
    from certcenter.core.storage import get_storage, save_all

    app = make_app(**s3.settings(s3.new_bucket())) if backend == "s3" else make_app()
    contents = {number: f"certificate {number}".encode() * 1000 for number in range(20)}
    with app.app_context():
        storage, threads = get_storage(), set()
        real_save = storage.save

        def save(stream, *, prefix):
            threads.add(threading.get_ident())
            return real_save(stream, prefix=prefix)

        monkeypatch.setattr(storage, "save", save)
        stored = save_all(contents, prefix="certificates")
        assert {number: storage.open(file.key).read() for number, file in stored.items()} == contents
        assert all(file.sha256 == hashlib.sha256(contents[number]).hexdigest() for number, file in stored.items())
    assert (len(threads) > 1) == (backend == "s3")  # the filesystem's writes stay in the calling thread
