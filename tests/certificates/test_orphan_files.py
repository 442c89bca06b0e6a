"""The sweep of stored files that no row refers to (a worker killed between storing a file and committing its row), on
both backends: the filesystem and an S3-compatible object store."""

import io
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.core.models import AuditEntry
from certcenter.core.storage import get_storage
from certcenter.extensions import db
from tests.conftest import login


class FileSystemBackend:
    def __init__(self, app):
        self.app = app
        self.root = Path(app.config["STORAGE_ROOT"])

    def age(self, key, hours):
        moment = time.time() - hours * 3600
        os.utime(self.root / key, (moment, moment))

    def unfinished_write(self):
        """What a process killed mid-write leaves: a temporary file beside the stored ones."""
        path = self.root / "evidence" / "00" / ".upload-killed-mid-write"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a file")
        self.age("evidence/00/.upload-killed-mid-write", 25)
        return "evidence/00/.upload-killed-mid-write", path.exists


class S3Backend:
    def __init__(self, app, s3, bucket):
        self.app, self.s3, self.bucket = app, s3, bucket

    def age(self, key, hours):
        self.s3.age(self.bucket, f"files/{key}", hours)

    def unfinished_write(self):
        """What a process killed mid-upload leaves: a multipart upload started (a day ago) and never completed."""
        client = self.s3.client()
        name = "files/evidence/00/00-killed-mid-upload"
        upload = client.create_multipart_upload(Bucket=self.bucket, Key=name)
        client.upload_part(Bucket=self.bucket, Key=name, UploadId=upload["UploadId"], PartNumber=1, Body=b"half")

        def still_there():
            return bool(client.list_multipart_uploads(Bucket=self.bucket).get("Uploads"))

        return "evidence/00/00-killed-mid-upload", still_there


@pytest.fixture(params=["filesystem", "s3"])
def backend(request, app, make_app):
    if request.param == "filesystem":
        return FileSystemBackend(app)
    s3 = request.getfixturevalue("s3")
    bucket = s3.new_bucket()
    return S3Backend(make_app(**s3.settings(bucket)), s3, bucket)


def test_the_sweep_deletes_old_files_no_row_refers_to_and_nothing_else(backend, confirmed, make_user):
    app = backend.app
    (application_id,) = confirmed(1)
    admin = app.test_client()
    login(admin, make_user("administrator").email)
    admin.post("/admin/certificates/issue", data={"application": [str(application_id)]})
    with app.app_context():
        storage = get_storage()
        certificate = db.session.scalar(select(Certificate))
        referenced = certificate.storage_key
        orphans = [
            storage.save(io.BytesIO(b"lost"), prefix=prefix).key for prefix in ("certificates", "evidence", "reports")
        ]
        fresh = storage.save(io.BytesIO(b"its commit is under way"), prefix="certificates").key
        for key in [referenced, *orphans]:
            backend.age(key, 25)
    unfinished, unfinished_exists = backend.unfinished_write()
    sweep = app.extensions["celery"].tasks["certcenter.core.tasks.sweep_orphan_files"]
    assert sweep() == 4
    with app.app_context():
        storage = get_storage()
        assert storage.exists(referenced) and storage.exists(fresh)
        assert not any(storage.exists(key) for key in orphans) and not unfinished_exists()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "storage.orphans_deleted"))
        assert entry.details["count"] == 4
        assert set(entry.details["keys"]) == {*orphans, unfinished}
    assert sweep() == 0  # nothing more to do
    response = admin.get(f"/certificates/{certificate.id}.pdf")  # the certificate's own file stays
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
