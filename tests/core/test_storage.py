import hashlib
import io

import pytest

from certcenter.core.storage import FileSystemStorage, StorageError


def test_save_keeps_the_content_and_its_hash(tmp_path):
    storage = FileSystemStorage(tmp_path)
    content = "Диплом ".encode() * 100_000
    stored = storage.save(io.BytesIO(content), prefix="evidence")
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    with storage.open(stored.key) as handle:
        assert handle.read() == content
    assert stored.key.startswith("evidence/")
    assert not list(tmp_path.rglob(".upload-*"))  # no temporary file left behind


def test_every_save_gets_a_new_random_key(tmp_path):
    storage = FileSystemStorage(tmp_path)
    first = storage.save(io.BytesIO(b"a"), prefix="evidence")
    second = storage.save(io.BytesIO(b"a"), prefix="evidence")
    assert first.key != second.key
    assert storage.open(first.key).read() == b"a"


@pytest.mark.parametrize("key", ["../outside", "evidence/../../etc/passwd", "/etc/passwd"])
def test_keys_cannot_leave_the_root(tmp_path, key):
    storage = FileSystemStorage(tmp_path / "root")
    with pytest.raises(StorageError):
        storage.open(key)


def test_prefix_must_be_a_plain_name(tmp_path):
    with pytest.raises(StorageError):
        FileSystemStorage(tmp_path).save(io.BytesIO(b"x"), prefix="../x")


def test_missing_file_is_a_storage_error(tmp_path):
    storage = FileSystemStorage(tmp_path)
    with pytest.raises(StorageError):
        storage.open("evidence/00/nothing")
    assert not storage.exists("evidence/00/nothing")
