"""The multi-node layout, on one machine: two web servers and two workers, each a process with an instance folder of
its own and no disk in common, sharing only PostgreSQL, Redis and an S3-compatible object store (moto on loopback).

- a candidate uploads evidence through web A; an assessor reads it through web B;
- worker 2 (reports, mail, maintenance) makes a report asked for on web B, which downloads from web A;
- worker 1 (certificates) renders certificates issued on web A, which web B serves;
- worker 1 is killed (SIGKILL, every process of it) in the middle of a run; worker 2 is told to take the
  certificates queue, the batches worker 1 held come back after the broker's visibility timeout, and every
  certificate ends rendered, each with one number and its file in the bucket.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select

from certcenter.accounts.models import User
from certcenter.applications import services as applications
from certcenter.applications.models import Application
from certcenter.assessments import services as assessment
from certcenter.assessments.models import Decision
from certcenter.assessments.services import qualification_snapshot
from certcenter.candidates.models import CandidateProfile
from certcenter.certificates.models import Certificate
from certcenter.certificates.signing import generate_development_key
from certcenter.config import Config
from certcenter.core import gunicorn_config
from certcenter.core.models import utcnow
from certcenter.evidence import services as evidence
from certcenter.evidence.models import EvidenceItem
from certcenter.extensions import db
from certcenter.qualifications.criteria import criterion_keys
from certcenter.qualifications.models import Qualification
from certcenter.reports.models import Report
from tests import samples
from tests.conftest import TEST_PASSWORD, build_app, database_url_for_tests, redis_url_for_tests, require_service

# four servers and two workers, one of them killed, against the broker's 10 s visibility timeout
pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres, pytest.mark.serial]

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
CERTIFICATES = 60
BATCH = 10
# Each node's instance/config.py: the broker gives a message a worker took but never acknowledged (it died) back to
# the queue after 10 s instead of an hour, and the workers look for such messages every 2 s instead of every 100 s,
# so that the test need not wait.
NODE_CONFIG = f"""from certcenter.config import Config
CELERY = Config.CELERY | {{
    "broker_transport_options": {{
        "visibility_timeout": 10, "unacked_restore_interval": 2, "unacked_restore_throttle": 1
    }}
}}
CERTIFICATE_RENDER_BATCH = {BATCH}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Node:
    """One machine of the layout: an instance folder of its own, the shared settings in its environment."""

    def __init__(self, name: str, folder: Path, shared: dict[str, str], signing: tuple[Path, Path]) -> None:
        self.name, self.instance = name, folder / name
        self.instance.mkdir(parents=True)
        (self.instance / "config.py").write_text(NODE_CONFIG)
        # the signing key is a secret every worker is given, not a file on a shared disk
        for path in signing:
            shutil.copy(path, self.instance / path.name)
        self.env = dict(
            os.environ,
            **shared,
            CERTCENTER_INSTANCE_PATH=str(self.instance),
            CERTCENTER_SIGNING_KEY_PATH=str(self.instance / signing[0].name),
            CERTCENTER_SIGNING_CERT_PATH=str(self.instance / signing[1].name),
        )
        self.env.pop("CERTCENTER_STORAGE_ROOT", None)
        self.log = folder / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, command: list[str]) -> Node:
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT
        )
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def kill(self) -> None:
        """SIGKILL to the worker and its pool at once: the machine is gone, nothing is cleaned up."""
        parent = psutil.Process(self.process.pid)
        for process in [*parent.children(recursive=True), parent]:
            process.kill()
        self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


class WebNode(Node):
    def start_web(self) -> WebNode:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # as production starts it (core/gunicorn_config.py: warmed before its first connection), one process
        return self.start(
            gunicorn_config.command(f"127.0.0.1:{self.port}", workers=1, options=("--access-logfile", "-"))
        )

    def browser(self, email: str) -> Browser:
        return Browser(self, email)


class WorkerNode(Node):
    def start_worker(self, queues: str) -> WorkerNode:
        self.hostname = f"{self.name}-{uuid.uuid4().hex[:8]}@multinode"
        command = [str(BIN / "celery"), "-A", "workers", "worker", "--pool", "prefork", "--concurrency", "1"]
        return self.start([*command, "--queues", queues, "--hostname", self.hostname, "--loglevel", "INFO"])


class Browser:
    """A person at one web server: a session of their own, forms sent with their CSRF token."""

    def __init__(self, web: WebNode, email: str) -> None:
        import requests

        self.web, self.session = web, requests.Session()
        response = self.post("/login", "/login", data={"email": email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.text[:500]

    def get(self, path: str, **kwargs):
        return self.session.get(self.web.url + path, allow_redirects=False, timeout=30, **kwargs)

    def post(self, form_page: str, path: str, **kwargs):
        page = self.get(form_page).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
        assert token, f"no form on {form_page}"
        kwargs.setdefault("data", {})["csrf_token"] = token.group(1) or token.group(2)
        return self.session.post(self.web.url + path, allow_redirects=False, timeout=60, **kwargs)


def wait_for(what: str, predicate, nodes: list[Node], seconds: float = 60, interval: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        for node in nodes:
            if node.process and node.process.poll() is not None:
                raise AssertionError(f"{node.name} exited:\n{node.log_text()[-3000:]}")
        time.sleep(interval)
    logs = "\n".join(f"--- {node.name}\n{node.log_text()[-2000:]}" for node in nodes)
    raise AssertionError(f"timed out waiting: {what}\n{logs}")


def answers(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def confirmed_in_bulk(app, count: int) -> list[int]:
    """``count`` confirmed applications with their decisions, as rows (the assessment is tested elsewhere)."""
    with app.app_context():
        qualification = db.session.scalar(select(Qualification).where(Qualification.code == "WELD-3"))
        decider = User(email="decider@example.kz", full_name="Шешім Қабылдаушы", password_hash="x")
        decider.set_roles({"administrator"})
        level = qualification.level
        snapshot = {
            "edition": {"id": level.edition.id, "code": level.edition.code, "title": level.edition.title},
            "qualification": qualification_snapshot(qualification),
        }
        for index in range(count):
            user = User(email=f"holder{index}@example.kz", full_name=f"Иегер {index}", password_hash="x")
            profile = CandidateProfile(
                user=user,
                full_name=f"Әлия Серікқызы {index}",
                full_name_latin=f"Aliya Serikkyzy {index}",
                iin=f"{900101400000 + index}",
                birth_date=date(1990, 1, 1),
                phone="+7 700 000 00 00",
            )
            application = Application(
                candidate=profile, qualification=qualification, edition_id=level.edition_id, state="confirmed"
            )
            db.session.add(
                Decision(
                    application=application,
                    edition_id=level.edition_id,
                    outcome="confirmed",
                    recommended_outcome="confirmed",
                    decided_by=decider,
                    decided_at=utcnow(),
                    snapshot=snapshot,
                )
            )
        db.session.commit()
        return db.session.scalars(select(Application.id).where(Application.state == "confirmed")).all()


@pytest.fixture
def layout(app, s3, tmp_path):
    database_url, redis_url = database_url_for_tests(), redis_url_for_tests()
    require_service(database_url.startswith("postgresql"), "set CERTCENTER_TEST_DATABASE_URL to a PostgreSQL database")
    require_service(bool(redis_url), "set CERTCENTER_TEST_REDIS_URL to run the multi-node test on Redis")
    bucket = s3.new_bucket()
    shared = {
        "CERTCENTER_ENV": "development",
        "CERTCENTER_SECRET_KEY": "multinode-" + uuid.uuid4().hex,
        "CERTCENTER_DATABASE_URL": database_url,
        "CERTCENTER_REDIS_URL": redis_url,
        **s3.environment(bucket),
    }
    signing = (tmp_path / "signing-key.pem", tmp_path / "signing-cert.pem")
    generate_development_key(*signing, "Multi-node test centre")
    nodes = {
        "web_a": WebNode("web-a", tmp_path, shared, signing),
        "web_b": WebNode("web-b", tmp_path, shared, signing),
        "worker_1": WorkerNode("worker-1", tmp_path, shared, signing),
        "worker_2": WorkerNode("worker-2", tmp_path, shared, signing),
    }
    # this process only looks on: rows through the database, messages through Redis, files through the bucket
    watcher = build_app(REDIS_URL=redis_url, CELERY=Config.CELERY, **s3.settings(bucket))
    try:
        nodes["worker_1"].start_worker("certificates")
        nodes["worker_2"].start_worker("reports,mail,maintenance")
        nodes["web_a"].start_web()
        nodes["web_b"].start_web()
        everyone = list(nodes.values())
        for web in (nodes["web_a"], nodes["web_b"]):
            wait_for(f"{web.name} answers", lambda web=web: answers(web.url + "/login"), everyone)
        celery = watcher.extensions["celery"]
        for worker in (nodes["worker_1"], nodes["worker_2"]):
            wait_for(
                f"{worker.name} answers",
                lambda worker=worker: celery.control.ping(destination=[worker.hostname], timeout=0.5),
                everyone,
            )
        yield nodes, watcher, bucket, s3
    finally:
        for node in nodes.values():
            node.stop()
        import redis

        redis.Redis.from_url(redis_url).flushdb()  # this test's database number only: no message outlives it


def test_two_web_servers_and_two_workers_share_only_the_database_the_broker_and_the_bucket(
    layout, app, make_user, make_candidate, catalogue
):
    nodes, watcher, bucket, s3 = layout
    web_a, web_b, worker_1, worker_2 = nodes["web_a"], nodes["web_b"], nodes["worker_1"], nodes["worker_2"]
    everyone = list(nodes.values())
    objects = s3.client()

    def stored(key: str) -> bytes:
        return objects.get_object(Bucket=bucket, Key=f"files/{key}")["Body"].read()

    # --- evidence uploaded through web A, read by an assessor through web B --------------------------------------
    candidate = make_candidate(education=["general_secondary"], years=2)
    with app.test_request_context():
        user = db.session.get(User, candidate.user.id)
        qualification = db.session.get(Qualification, catalogue["WELD-3"])
        profile = db.session.get(CandidateProfile, candidate.profile_id)
        application = applications.start_application(profile, qualification, actor=user, form_token="multinode")
        db.session.commit()
        application_id = application.id
    diploma = samples.PDF + b"\n% uploaded through web A " + uuid.uuid4().hex.encode()
    at_a = web_a.browser(candidate.user.email)
    response = at_a.post(
        f"/applications/{application_id}",
        f"/applications/{application_id}/evidence",
        data={"kind": "diploma", "description": "Диплом"},
        files={"file": ("diploma.pdf", io.BytesIO(diploma), "application/pdf")},
    )
    assert response.status_code == 302, response.text[:1000]
    assessor = make_user("assessor")
    with app.test_request_context():
        item = db.session.scalar(select(EvidenceItem).where(EvidenceItem.application_id == application_id))
        assert stored(item.storage_key) == diploma  # in the bucket, not on web A's disk
        user = db.session.get(User, candidate.user.id)
        evidence.set_criteria(item, criterion_keys(item.application.qualification), actor=user)
        applications.submit_application(item.application, actor=user)
        admin = db.session.get(User, make_user("administrator").id)
        assignment = assessment.assign_assessor(item.application, db.session.get(User, assessor.id), actor=admin)
        assessment.declare_conflict(assignment, actor=assignment.assessor, conflict=False)
        db.session.commit()
        item_id = item.id
    at_b = web_b.browser(assessor.email)
    response = at_b.get(f"/evidence/{item_id}?inline=1")
    assert response.status_code == 200 and response.content == diploma
    assert web_b.browser(make_user("candidate").email).get(f"/evidence/{item_id}").status_code == 404

    # --- a report asked for on web B, made by worker 2, downloaded from web A ------------------------------------
    administrator = make_user("administrator")
    admin_a, admin_b = web_a.browser(administrator.email), web_b.browser(administrator.email)
    response = admin_b.post(
        "/admin/reports/export", "/admin/reports/export", data={"dataset": "applications", "format": "csv"}
    )
    assert response.status_code == 302, response.text[:1000]

    def report_ready():
        with watcher.app_context():
            return db.session.scalar(
                select(Report).where(Report.kind == "export", Report.status.in_(("ready", "failed")))
            )

    report = wait_for("the report", report_ready, everyone)
    assert report.status == "ready", report.error
    download = admin_a.get(f"/reports/{report.id}/download")
    assert download.status_code == 200 and hashlib.sha256(download.content).hexdigest() == report.sha256
    assert "Диплом" not in download.text and str(application_id) in download.text
    assert "Task certcenter.reports.tasks.generate_report[" in worker_2.log_text()
    assert "Task certcenter.reports" not in worker_1.log_text()

    # --- certificates issued on web A, rendered by worker 1, served by web B; worker 1 killed mid-run -------------
    ids = confirmed_in_bulk(app, CERTIFICATES)
    response = admin_a.post("/admin/certificates/issue", "/admin/certificates/issue", data={"application": ids})
    assert response.status_code == 302, response.text[:1000]

    def counts():
        with watcher.app_context():
            rows = db.session.execute(
                select(Certificate.render_status, func.count()).group_by(Certificate.render_status)
            )
            return dict(rows.all())

    # mid-run: some batches done, one being rendered, the rest queued or in worker 1's hands
    wait_for(
        "worker 1 mid-run",
        lambda: counts().get("ready", 0) >= BATCH and counts().get("rendering"),
        everyone,
        interval=0.02,
    )
    worker_1.kill()
    with watcher.app_context():
        by_worker_1 = db.session.scalars(select(Certificate).where(Certificate.render_status == "ready")).all()
        left = len(ids) - len(by_worker_1)
    assert 0 < left < len(ids)
    # the certificates queue is handed to worker 2 (as an operator would, or a new machine taking worker 1's place)
    watcher.extensions["celery"].control.add_consumer("certificates", destination=[worker_2.hostname], reply=True)
    wait_for("every certificate", lambda: counts() == {"ready": len(ids)}, [web_a, web_b, worker_2], seconds=90)

    with watcher.app_context():
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert len({certificate.number for certificate in certificates}) == len(ids)  # one number each
    assert max(certificate.render_attempts for certificate in certificates) >= 2  # a batch was cut off and redone
    for certificate in certificates:
        assert hashlib.sha256(stored(certificate.storage_key)).hexdigest() == certificate.sha256
    rendered_by_worker_1 = by_worker_1[0]
    served = admin_b.get(f"/certificates/{rendered_by_worker_1.id}.pdf")
    assert served.status_code == 200 and hashlib.sha256(served.content).hexdigest() == rendered_by_worker_1.sha256
    assert "Task certcenter.certificates.tasks.render_certificates[" in worker_2.log_text()  # after the hand-over

    # no node wrote a stored file to its own disk
    for node in everyone:
        assert not (node.instance / "files").exists(), node.name
