"""``certcenter storage migrate --to URL``: every file the rows refer to, copied under its own key, SHA-256 checked,
resumable, with a dry run; then the app serves them from the new backend."""

from pathlib import Path

import pytest
from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.core import storage_cli
from certcenter.core.storage import FileSystemStorage
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from certcenter.reports.models import Report
from tests.conftest import login


@pytest.fixture
def centre(app, make_app, s3, confirmed, make_user):
    """Two issued certificates, their applications' evidence and assessment reports on the filesystem; an app that
    knows the object store's settings but still stores on the filesystem; an empty bucket."""
    ids = confirmed(2)
    admin = app.test_client()
    login(admin, make_user("administrator").email)
    admin.post("/admin/certificates/issue", data={"application": [str(i) for i in ids]})
    bucket = s3.new_bucket()
    source = make_app(**(s3.settings(bucket) | {"STORAGE_URL": None}))
    with app.app_context():
        rows = [row for model in (Certificate, EvidenceItem, Report) for row in db.session.scalars(select(model))]
        files = {row.storage_key: row.sha256 for row in rows}
    # each application's diploma and its two assessment reports (at the decision, at the issue), and the certificates
    assert len(files) == 8
    return source, bucket, files


def migrate(app, *args):
    return app.test_cli_runner().invoke(args=["storage", "migrate", *args])


def bucket_files(s3, bucket):
    client = s3.client()
    listed = client.list_objects_v2(Bucket=bucket, Prefix="files/").get("Contents", [])
    return {
        item["Key"].removeprefix("files/"): client.head_object(Bucket=bucket, Key=item["Key"])["Metadata"]["sha256"]
        for item in listed
    }


def test_a_dry_run_writes_nothing(centre, s3):
    source, bucket, _ = centre
    result = migrate(source, "--to", f"s3://{bucket}/files", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: 8 to copy, 0 already there" in result.output
    assert bucket_files(s3, bucket) == {}


def test_every_file_is_copied_under_its_key_and_resumes_after_an_interruption(centre, s3, make_app, monkeypatch):
    source, bucket, files = centre
    real_copy, calls = storage_cli.copy_file, []

    def copy_until_the_connection_drops(*args):
        calls.append(args)
        if len(calls) == 3:
            raise ConnectionError("the link to the object store dropped")
        real_copy(*args)

    monkeypatch.setattr(storage_cli, "copy_file", copy_until_the_connection_drops)
    interrupted = migrate(source, "--to", f"s3://{bucket}/files")
    assert interrupted.exit_code != 0 and len(bucket_files(s3, bucket)) == 2
    monkeypatch.setattr(storage_cli, "copy_file", real_copy)

    resumed = migrate(source, "--to", f"s3://{bucket}/files")
    assert resumed.exit_code == 0, resumed.output
    assert "copied 6, already there 2" in resumed.output
    assert bucket_files(s3, bucket) == files  # every key, with the SHA-256 its row keeps
    assert "copied 0, already there 8" in migrate(source, "--to", f"s3://{bucket}/files").output

    moved = make_app(**s3.settings(bucket))  # every node now points at the bucket
    with moved.app_context():
        certificate = db.session.scalar(select(Certificate).order_by(Certificate.id))
        user = certificate.application.candidate.user
    holder = moved.test_client()
    holder.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    response = holder.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_a_file_that_is_not_what_its_row_recorded_is_not_copied(centre, s3, app):
    source, bucket, files = centre
    root = Path(app.config["STORAGE_ROOT"])
    corrupted, missing = sorted(key for key in files if key.startswith("certificates/"))
    (root / corrupted).write_bytes(b"%PDF- not the signed file")
    (root / missing).unlink()
    result = migrate(source, "--to", f"s3://{bucket}/files")
    assert result.exit_code == 1
    assert f"SHA-256 differs from the row's: {corrupted}" in result.stderr
    assert f"missing in the source: {missing}" in result.stderr
    assert set(bucket_files(s3, bucket)) == set(files) - {corrupted, missing}


def test_back_from_the_object_store_to_a_folder(centre, s3, make_app, tmp_path):
    source, bucket, files = centre
    assert migrate(source, "--to", f"s3://{bucket}/files").exit_code == 0
    result = migrate(make_app(**s3.settings(bucket)), "--to", f"file://{tmp_path}/moved")
    assert result.exit_code == 0 and "copied 8, already there 0" in result.output
    assert {key: FileSystemStorage(tmp_path / "moved").sha256(key) for key in files} == files
