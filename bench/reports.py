"""Reports on a demo-scale data set: the statistics report, CSV and XLSX exports of the applications register, a
10,000-row register PDF made by a real Celery worker (with its peak memory), and the dashboard's latency.

    .venv/bin/python bench/reports.py [--applications 100000] [--fresh]

Runs on PostgreSQL: CERTCENTER_DATABASE_URL, else postgresql+psycopg://postgres@127.0.0.1:5432/certcenter_bench.
The data set is made once by ``certcenter demo --applications N`` (the same generator) and reused by later runs
unless --fresh is given. Files go to a temporary instance folder; the broker is the embedded one unless
CERTCENTER_REDIS_URL is set. The last line is
    stats_s=<x> csv_s=<x> xlsx_s=<x> register_pdf_s=<x> register_pdf_peak_mb=<x> dashboard_p95_ms=<x>
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import statistics as stats
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reference import reference_ms  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/certcenter_bench"
ADMIN_EMAIL, ADMIN_PASSWORD = "bench-reports@example.kz", "bench-password-1"


def setup_environment() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="certcenter-bench-reports-"))
    os.environ["CERTCENTER_INSTANCE_PATH"] = str(folder)
    os.environ.setdefault("CERTCENTER_DATABASE_URL", DEFAULT_URL)
    return folder


def ensure_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def prepare(app, applications: int, fresh: bool) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from certcenter.accounts.services import create_user
    from certcenter.applications.models import Application
    from certcenter.extensions import db

    with app.app_context():
        if fresh:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        have = db.session.scalar(select(func.count()).select_from(Application))
        if have < applications:
            from certcenter.demo import generate

            print(f"generating {applications - have} applications (have {have}) ...", flush=True)
            started = time.perf_counter()
            generate(applications - have, seed=1)
            db.session.commit()
            print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        from certcenter.accounts.models import User

        if db.session.scalar(select(User).where(User.email == ADMIN_EMAIL)) is None:
            create_user(ADMIN_EMAIL, "Bench Reports", ADMIN_PASSWORD, {"administrator"})
            db.session.commit()
        print(f"data set: {db.session.scalar(select(func.count()).select_from(Application))} applications")


def timed_report(app, kind: str, params: dict) -> tuple[float, int]:
    """Seconds to make one report as the worker's task body does (query, render, store), and its size."""
    from sqlalchemy import select

    from certcenter.accounts.models import User
    from certcenter.extensions import db
    from certcenter.reports.models import Report
    from certcenter.reports.services import generate

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        report = Report(kind=kind, params=params, requested_by=admin)
        db.session.add(report)
        db.session.commit()
        report_id = report.id
        started = time.perf_counter()
        generate(report_id)
        elapsed = time.perf_counter() - started
        report = db.session.get(Report, report_id)
        assert report.status == "ready", report.error
        size = report.size
        db.session.remove()
    return elapsed, size


def register_filter_for(app, rows: int) -> dict:
    """An issue-date filter that selects about ``rows`` certificates (the most recent ones)."""
    from sqlalchemy import select

    from certcenter.certificates.models import Certificate
    from certcenter.extensions import db

    with app.app_context():
        start = db.session.scalar(
            select(Certificate.issued_on).order_by(Certificate.issued_on.desc()).offset(rows - 1).limit(1)
        )
    return {"date_from": start.isoformat()} if start else {}


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "workers",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"bench-reports-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def register_pdf_in_worker(app, filters: dict) -> tuple[float, float, int, int]:
    """Seconds from queueing to the stored file, the pool process's peak memory, rows and pages."""
    import psutil
    from sqlalchemy import select

    from certcenter.accounts.models import User
    from certcenter.extensions import db
    from certcenter.reports.exports import count_query
    from certcenter.reports.models import Report
    from certcenter.reports.services import queue

    worker = start_worker(dict(os.environ))
    try:
        celery = app.extensions["celery"]
        deadline = time.monotonic() + 60
        while not celery.control.ping(timeout=1) and time.monotonic() < deadline:
            pass
        with app.app_context():
            rows = db.session.scalar(count_query("certificates", filters))
            admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
            report = Report(
                kind="export",
                params={"dataset": "certificates", "format": "pdf", "filters": filters},
                requested_by=admin,
            )
            db.session.add(report)
            db.session.commit()
            report_id = report.id
            children = psutil.Process(worker.pid).children(recursive=True)
            before = max(peak_rss_mb(child.pid) for child in children)
            started = time.perf_counter()
            queue([report_id])
            peak = 0.0
            while True:
                db.session.remove()
                report = db.session.get(Report, report_id)
                for child in psutil.Process(worker.pid).children(recursive=True):
                    peak = max(peak, peak_rss_mb(child.pid))
                if report.status in ("ready", "failed"):
                    break
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
            assert report.status == "ready", report.error
            from certcenter.core.storage import get_storage

            with get_storage().open(report.storage_key) as handle:
                import pikepdf

                pages = len(pikepdf.open(handle).pages)
        print(f"worker pool process: {before:.0f} MB before the register, peak {peak:.0f} MB")
        return elapsed, peak, rows, pages
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)


def dashboard_latency(app, requests: int) -> tuple[float, float, float, int]:
    """Median and 95th-percentile milliseconds of GET /admin/dashboard, after the first view computed the
    snapshot (whose time is returned too), and the compute time the worker's refresh takes."""
    from sqlalchemy import select

    from certcenter.extensions import db
    from certcenter.reports.models import StatisticsSnapshot

    client = app.test_client()
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        db.session.query(StatisticsSnapshot).delete()
        db.session.commit()
    started = time.perf_counter()
    assert client.get("/admin/dashboard").status_code == 200
    first_ms = (time.perf_counter() - started) * 1000
    with app.app_context():
        compute_ms = db.session.scalar(select(StatisticsSnapshot.compute_ms))
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/admin/dashboard")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[max(0, math.ceil(0.95 * len(times)) - 1)]  # nearest rank
    return stats.median(times), p95, first_ms, compute_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--register-rows", type=int, default=10_000)
    parser.add_argument("--dashboard-requests", type=int, default=200)
    parser.add_argument("--fresh", action="store_true", help="drop the data set and generate it again")
    args = parser.parse_args()
    folder = setup_environment()
    url = os.environ["CERTCENTER_DATABASE_URL"]
    if not url.startswith("postgresql"):
        sys.exit("bench/reports.py measures PostgreSQL: set CERTCENTER_DATABASE_URL to a postgresql+psycopg:// URL")
    ensure_database(url)

    from certcenter import create_app

    app = create_app("development", WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    print(f"database: {url.split('@')[-1]}; broker: {app.config['REDIS_URL'] or 'embedded'}")
    prepare(app, args.applications, args.fresh)

    everything = {"date_from": "2000-01-01", "date_to": date.today().isoformat()}
    stats_s, stats_size = timed_report(app, "statistics", everything)
    print(f"statistics report (all time, PDF): {stats_s:.2f} s, {stats_size / 1024:.0f} KB")
    csv_s, csv_size = timed_report(app, "export", {"dataset": "applications", "format": "csv", "filters": {}})
    print(f"applications register to CSV: {csv_s:.2f} s, {csv_size / 1024 / 1024:.1f} MB")
    xlsx_s, xlsx_size = timed_report(app, "export", {"dataset": "applications", "format": "xlsx", "filters": {}})
    print(f"applications register to XLSX: {xlsx_s:.2f} s, {xlsx_size / 1024 / 1024:.1f} MB")

    filters = register_filter_for(app, args.register_rows)
    register_s, register_peak, rows, pages = register_pdf_in_worker(app, filters)
    print(f"certificate register PDF: {rows} rows, {pages} pages in {register_s:.1f} s (queued to stored)")

    median_ms, p95_ms, first_ms, compute_ms = dashboard_latency(app, args.dashboard_requests)
    print(
        f"dashboard: first view {first_ms:.0f} ms (computes the snapshot: {compute_ms} ms, later done by a worker "
        f"once a minute while someone watches); then median {median_ms:.1f} ms, p95 {p95_ms:.1f} ms "
        f"over {args.dashboard_requests} requests"
    )
    reference = reference_ms(app)
    print(f"reference (bench/reference.py, this run): ReportLab certificate {reference:.2f} ms")
    print(
        f"reference_ms={reference:.2f} stats_s={stats_s:.2f} csv_s={csv_s:.2f} xlsx_s={xlsx_s:.2f} "
        f"register_pdf_s={register_s:.1f} register_pdf_peak_mb={register_peak:.0f} dashboard_p95_ms={p95_ms:.1f}"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
