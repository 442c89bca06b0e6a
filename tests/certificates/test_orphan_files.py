"""The sweep of stored files that no row refers to (a worker killed between storing a file and committing its row)."""

import io
import os
import time
from pathlib import Path

from sqlalchemy import select

from certcenter.certificates.models import Certificate
from certcenter.core.models import AuditEntry
from certcenter.core.storage import get_storage
from certcenter.extensions import db


def test_the_sweep_deletes_old_files_no_row_refers_to_and_nothing_else(app, confirmed, login_as):
    (application_id,) = confirmed(1)
    login_as("admin").post("/admin/certificates/issue", data={"application": [str(application_id)]})
    root = Path(app.config["STORAGE_ROOT"])
    a_day_ago = time.time() - 25 * 3600
    with app.app_context():
        storage = get_storage()
        certificate = db.session.scalar(select(Certificate))
        referenced = certificate.storage_key
        orphans = [
            storage.save(io.BytesIO(b"lost"), prefix=prefix).key for prefix in ("certificates", "evidence", "reports")
        ]
        unfinished = root / "evidence" / "00" / ".upload-killed-mid-write"
        unfinished.parent.mkdir(parents=True, exist_ok=True)
        unfinished.write_bytes(b"half a file")
        fresh = storage.save(io.BytesIO(b"its commit is under way"), prefix="certificates").key
        for path in [root / referenced, *(root / key for key in orphans), unfinished]:
            os.utime(path, (a_day_ago, a_day_ago))
    sweep = app.extensions["celery"].tasks["certcenter.core.tasks.sweep_orphan_files"]
    assert sweep() == 4
    with app.app_context():
        storage = get_storage()
        assert storage.exists(referenced) and storage.exists(fresh)
        assert not any(storage.exists(key) for key in orphans) and not unfinished.exists()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "storage.orphans_deleted"))
        assert entry.details["count"] == 4
        assert set(entry.details["keys"]) == {*orphans, "evidence/00/.upload-killed-mid-write"}
    assert sweep() == 0  # nothing more to do
    response = login_as("admin").get(f"/certificates/{certificate.id}.pdf")  # the certificate's own file stays
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
