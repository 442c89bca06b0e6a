"""Certificates end to end: N certificates issued (rows -> queued -> rendered -> signed -> stored) by a real
2-process Celery worker started as ``certcenter serve`` starts it, with a minimal ReportLab drawing of the same
content as the reference in the same run.

    .venv/bin/python bench/certificates.py [--n 1000] [--batch 50] [--storage s3]

Uses CERTCENTER_DATABASE_URL / CERTCENTER_REDIS_URL when set (PostgreSQL and Redis), else a fresh SQLite file and
the embedded broker in a temporary folder. ``--storage s3`` stores the certificates in an S3-compatible object store
on loopback (moto's server, started in a process of its own, so that its CPU is counted apart) instead of the
filesystem, and measures what the store costs a certificate: the time and CPU of one put, the time of a put within a
batch as the worker stores them (``save_all``: eight at a time), each beside the filesystem's (written, fsync'd,
linked), and the CPU the store's server spent per certificate during the run.

The throughput is timed from the start of issuing to the last certificate stored (its ``rendered_at``: the bench
looks only four times a second, so as not to take CPU from the workers).

The reference (``reportlab_reference``) draws, one document per certificate, what the certificate shows:
page background, double frame and gold rule, every text of the face (centre, accreditation, title, number, both
intro lines, holder's name and qualification titles wrapped at the template's sizes, IIN, level, edition and
standard, the three dates and their labels, signature line, signatory, position, signed-note, verification address
and code), the vector QR code, and the English page when there is one, in the five TrueType fonts the WeasyPrint file
embeds (Noto Sans regular and bold, Noto Serif bold and italic, DejaVu Sans Mono), subset per document. It and the
WeasyPrint render are timed alternately, best of three each. The last line is
    reference_ms=<the ReportLab reference> certs_per_s=<x> cost_vs_reportlab=<ratio> rss_1000_vs_100=<ratio>
    store_ms=<one put> store_cpu_ms=<its CPU> store_batched_ms=<a put within a batch>
    [store_server_cpu_ms=<the store server's CPU a certificate>]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reference import reportlab_reference  # noqa: E402


def setup_environment() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="certcenter-bench-"))
    os.environ["CERTCENTER_INSTANCE_PATH"] = str(folder)
    os.environ.setdefault("CERTCENTER_DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    return folder


def start_object_store(folder: Path) -> subprocess.Popen:
    """moto's S3 server on a free loopback port, a bucket in it, and the settings every process of the bench reads
    (this one and the worker) pointing at it."""
    import socket
    import urllib.request

    import boto3

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "moto.log").open("w"),
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    os.environ.update(
        CERTCENTER_STORAGE_URL="s3://certcenter-bench/files",
        AWS_ENDPOINT_URL=endpoint,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench-secret",
    )
    boto3.client("s3").create_bucket(Bucket="certcenter-bench")
    return server


def store_cost(app, pdfs: list[bytes], batch: int) -> tuple[float, float, float]:
    """Per signed certificate: seconds to store it alone (one put), seconds of this process's CPU that took, and
    seconds to store it within a batch as the worker does (``save_all``: an object store's puts eight at a time)."""
    from certcenter.core.storage import get_storage, save_all

    with app.app_context():
        storage = get_storage()
        storage.save(io.BytesIO(pdfs[0]), prefix="certificates")  # the connection made, as in a running worker
        start, cpu = time.perf_counter(), time.process_time()
        for pdf in pdfs:
            storage.save(io.BytesIO(pdf), prefix="certificates")
        alone, cpu = (time.perf_counter() - start) / len(pdfs), (time.process_time() - cpu) / len(pdfs)
        start = time.perf_counter()
        for index in range(0, len(pdfs), batch):
            save_all(dict(enumerate(pdfs[index : index + batch])), prefix="certificates")
        return alone, cpu, (time.perf_counter() - start) / len(pdfs)


def prepare_database(app, count: int) -> list[int]:
    """The framework, the demo catalogue and ``count`` confirmed applications with their decisions (bulk rows)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from certcenter.accounts.models import User
    from certcenter.applications.models import Application
    from certcenter.assessments.models import Decision
    from certcenter.assessments.services import qualification_snapshot
    from certcenter.candidates.models import CandidateProfile
    from certcenter.core.models import utcnow
    from certcenter.extensions import db
    from certcenter.framework.services import bundled_edition_files, load_edition, read_edition_file
    from certcenter.qualifications.services import DATA_DIR, load_catalogue

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        for path in bundled_edition_files():
            load_edition(read_edition_file(path))
        qualifications = load_catalogue(DATA_DIR / "demo-qualifications.yaml")
        admin = User(email="bench-admin@example.kz", full_name="Bench Admin", password_hash="x")
        admin.set_roles({"administrator"})
        db.session.add(admin)
        db.session.flush()
        ids = []
        for index in range(count):
            qualification = qualifications[index % len(qualifications)]
            user = User(email=f"bench{index}@example.kz", full_name=f"Бенчмарк Үміткер {index}", password_hash="x")
            profile = CandidateProfile(
                user=user,
                full_name=f"Әлия Серікқызы Нұрланова-{index}",
                full_name_latin=f"Aliya Serikkyzy Nurlanova-{index}",
                iin=f"{index:012d}",
                birth_date=date(1990, 1, 1),
                phone="+7 700 000 00 00",
            )
            application = Application(
                candidate=profile,
                qualification=qualification,
                edition_id=qualification.level.edition_id,
                state="confirmed",
            )
            level = qualification.level
            snapshot = {
                "edition": {"id": level.edition.id, "code": level.edition.code, "title": level.edition.title},
                "qualification": qualification_snapshot(qualification),
            }
            db.session.add(
                Decision(
                    application=application,
                    edition_id=level.edition_id,
                    outcome="confirmed",
                    recommended_outcome="confirmed",
                    decided_by=admin,
                    decided_at=utcnow(),
                    snapshot=snapshot,
                )
            )
            if index % 200 == 199:
                db.session.flush()
        db.session.commit()
        ids = [application_id for (application_id,) in db.session.query(Application.id).order_by(Application.id)]
        return ids


def start_worker(env: dict, folder: Path, log: Path | None = None) -> subprocess.Popen:
    """The worker as ``certcenter serve`` (``make run``) starts it: same options, same configuration (prefetch
    multiplier, late acknowledgement), beat included; only the host name is the bench's own."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "workers",
            "worker",
            "--beat",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--schedule",
            str(folder / "celerybeat-schedule"),
            "--hostname",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w") if log else subprocess.DEVNULL,
    )


def pool_cpu_seconds(worker: subprocess.Popen) -> float:
    """CPU time used so far by the worker's pool processes (user + system)."""
    import psutil

    children = psutil.Process(worker.pid).children(recursive=True)
    return sum(sum(child.cpu_times()[:2]) for child in children)


def other_cpu_seconds(worker: subprocess.Popen) -> float:
    """CPU time used so far by the worker's main process (consumer and beat) and by this process (issuing, polling)."""
    import psutil

    return sum(psutil.Process(worker.pid).cpu_times()[:2]) + sum(psutil.Process().cpu_times()[:2])


def worker_rss_mb(worker: subprocess.Popen) -> float:
    """Resident memory of the pool processes that render (the largest one, in MB)."""
    import psutil

    children = psutil.Process(worker.pid).children(recursive=True)
    return max((child.memory_info().rss for child in children), default=0) / 1024 / 1024


def weasyprint_cost(app, certificates, batch: int) -> float:
    """Seconds per certificate for the production renderer (before signing), batched as the worker does it."""
    from certcenter.certificates.rendering import render_certificates

    with app.test_request_context():
        render_certificates(certificates[:batch])  # warm the font configuration, as a running worker has it
        start = time.perf_counter()
        for index in range(0, len(certificates), batch):
            render_certificates(certificates[index : index + batch])
        return (time.perf_counter() - start) / len(certificates)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--reference", type=int, default=200, help="certificates for the in-process comparison")
    parser.add_argument("--worker-log", type=Path, help="keep the worker's log (task received/succeeded times)")
    parser.add_argument("--storage", choices=("filesystem", "s3"), default="filesystem")
    args = parser.parse_args()
    folder = setup_environment()
    object_store = start_object_store(folder) if args.storage == "s3" else None

    import psutil
    from sqlalchemy import func, select

    from certcenter import create_app
    from certcenter.accounts.models import User
    from certcenter.certificates.models import Certificate
    from certcenter.certificates.services import issue_certificates
    from certcenter.certificates.tasks import queue_rendering
    from certcenter.extensions import db

    app = create_app("development", CERTIFICATE_RENDER_BATCH=args.batch)
    # issuing also has the assessment reports made again (naming the certificates): a worker's work measured
    # elsewhere, left out here so that the figures stay those of the certificates alone
    from certcenter.certificates.signals import certificates_issued
    from certcenter.reports.panels import report_on_issue

    certificates_issued.disconnect(report_on_issue)
    print(
        f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}; broker: "
        f"{app.config['REDIS_URL'] or 'embedded'}; storage: {app.config['STORAGE_URL'] or 'filesystem'}; "
        f"n={args.n}; batch={args.batch}"
    )
    application_ids = prepare_database(app, args.n)
    worker = start_worker(dict(os.environ), folder, args.worker_log)
    try:
        celery = app.extensions["celery"]
        deadline = time.monotonic() + 60
        while not celery.control.ping(timeout=1) and time.monotonic() < deadline:
            pass
        with app.test_request_context():
            admin = db.session.scalar(select(User).where(User.email == "bench-admin@example.kz"))
            load_before = os.getloadavg()[0]
            server_cpu_before = sum(psutil.Process(object_store.pid).cpu_times()[:2]) if object_store else 0
            cpu_before = pool_cpu_seconds(worker)
            other_before = other_cpu_seconds(worker)
            started, started_at = time.perf_counter(), datetime.now(UTC)
            result = issue_certificates(application_ids, actor=admin)
            db.session.commit()
            ids = result.issued
            queue_rendering(ids, args.batch)
            issued_s = time.perf_counter() - started
        rss_100 = None
        counts = select(
            func.count().filter(Certificate.render_status == "ready"),
            func.count().filter(Certificate.render_status == "failed"),
            func.max(Certificate.rendered_at),
        )
        while True:
            with app.app_context():
                ready, failed, last_stored = db.session.execute(counts).one()
                db.session.remove()
            if rss_100 is None and ready >= min(100, args.n):
                rss_100 = worker_rss_mb(worker)
            if ready + failed >= len(ids):
                break
            time.sleep(0.25)
        # to the last certificate stored, by its own time stamp: the polling here need not be frequent (it would
        # take CPU from the workers) to time the run to the millisecond
        elapsed = (last_stored - started_at).total_seconds() if not failed else time.perf_counter() - started
        pool_cpu_s = pool_cpu_seconds(worker) - cpu_before
        server_cpu_s = sum(psutil.Process(object_store.pid).cpu_times()[:2]) - server_cpu_before if object_store else 0
        other_cpu_s = other_cpu_seconds(worker) - other_before
        rss_end = worker_rss_mb(worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)

    with app.app_context():
        sample = db.session.scalars(select(Certificate).order_by(Certificate.id).limit(args.reference)).all()
        # alternated, best of three each, so that a passing load on the machine weighs on both alike
        reportlab_runs, weasy_runs = [], []
        for _round in range(3):
            with app.test_request_context():
                reportlab_runs.append(reportlab_reference(sample))
            weasy_runs.append(weasyprint_cost(app, sample, args.batch))
        reportlab_s, weasy_s = min(reportlab_runs), min(weasy_runs)
        from certcenter.certificates.rendering import render_certificates
        from certcenter.certificates.signing import sign_pdf, sign_pdfs

        with app.test_request_context():
            pdfs = list(render_certificates(sample[:20]).values())
            sign_pdf(pdfs[0], reason="bench")  # the signer's container template, as a running worker has it
            start = time.perf_counter()
            signed = sign_pdfs([(pdf, "bench") for pdf in pdfs])  # as the worker signs a batch
            assert all(result.timestamped_at for result in signed)
        sign_s = (time.perf_counter() - start) / len(pdfs)
        signed = [sign_pdf(pdf, reason="bench") for pdf in pdfs]
        store_s, store_cpu_s, store_batched_s = store_cost(app, signed * 10, args.batch)
    if object_store:
        object_store.terminate()
        object_store.wait(timeout=30)

    certs_per_s = len(ids) / elapsed
    print(
        f"issued {len(ids)} rows and queued them in {issued_s:.2f} s; all rendered, signed and stored in "
        f"{elapsed:.2f} s ({failed} failed)"
    )
    print(
        f"worker pool CPU: {pool_cpu_s / len(ids) * 1000:.1f} ms per certificate, the 2 processes busy "
        f"{pool_cpu_s / (2 * elapsed):.0%} of the time; the worker's main process and this one "
        f"{other_cpu_s:.2f} s; load average at the start {load_before:.1f}"
    )
    print(f"worker RSS (largest pool process): {rss_100:.0f} MB after 100, {rss_end:.0f} MB after {len(ids)}")
    print(
        f"per certificate, in process: WeasyPrint render {weasy_s * 1000:.1f} ms (batched), ReportLab reference "
        f"{reportlab_s * 1000:.1f} ms, PAdES B-LT signature (time stamp, validation data) {sign_s * 1000:.1f} ms"
    )
    store = "object store (moto's server on loopback)" if object_store else "filesystem (written, fsync'd, linked)"
    server_cpu = f"; the store's server used {server_cpu_s / len(ids) * 1000:.1f} ms CPU a certificate"
    print(
        f"storing one signed certificate ({len(signed[0]) / 1024:.0f} KB) in the {store}: {store_s * 1000:.1f} ms "
        f"alone ({store_cpu_s * 1000:.1f} ms CPU), {store_batched_s * 1000:.1f} ms a certificate in batches of "
        f"{args.batch}" + (server_cpu if object_store else "")
    )
    print(
        f"reference_ms={reportlab_s * 1000:.2f} certs_per_s={certs_per_s:.1f} "
        f"cost_vs_reportlab={weasy_s / reportlab_s:.2f} rss_1000_vs_100={rss_end / rss_100:.2f} "
        f"store_ms={store_s * 1000:.1f} store_cpu_ms={store_cpu_s * 1000:.1f} "
        f"store_batched_ms={store_batched_s * 1000:.1f}"
        + (f" store_server_cpu_ms={server_cpu_s / len(ids) * 1000:.1f}" if object_store else "")
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
