"""Certificates end to end: N certificates issued (rows -> queued -> rendered -> signed -> stored) by a real
2-process Celery worker, with a minimal ReportLab drawing of the same content as the reference in the same run.

    .venv/bin/python bench/certificates.py [--n 1000] [--batch 25]

Uses CERTCENTER_DATABASE_URL / CERTCENTER_REDIS_URL when set (PostgreSQL and Redis), else a fresh SQLite file and
the embedded broker in a temporary folder. The last line is
    certs_per_s=<x> cost_vs_reportlab=<ratio> rss_1000_vs_100=<ratio>
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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_environment() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="certcenter-bench-"))
    os.environ["CERTCENTER_INSTANCE_PATH"] = str(folder)
    os.environ.setdefault("CERTCENTER_DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    return folder


def prepare_database(app, count: int) -> list[int]:
    """The framework, the demo catalogue and ``count`` confirmed applications with their decisions (bulk rows)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from certcenter.accounts.models import User
    from certcenter.assessments.models import Decision
    from certcenter.candidates.models import Application, CandidateProfile
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
                "qualification": {
                    "id": qualification.id,
                    "code": qualification.code,
                    "title": qualification.title,
                    "level": level.number,
                    "eqf_level": level.eqf_level,
                    "professional_standard": qualification.professional_standard,
                    "validity_years": qualification.validity_years,
                },
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
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def worker_rss_mb(worker: subprocess.Popen) -> float:
    """Resident memory of the pool processes that render (the largest one, in MB)."""
    import psutil

    children = psutil.Process(worker.pid).children(recursive=True)
    return max((child.memory_info().rss for child in children), default=0) / 1024 / 1024


def reportlab_reference(certificates, fonts: dict[str, str]) -> float:
    """Seconds per certificate for a minimal ReportLab drawing of the same content, one document each."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    for name, path in fonts.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path))
    width, height = landscape(A4)
    start = time.perf_counter()
    for certificate in certificates:
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=(width, height))
        pdf.setFont("Sans", 11)
        pdf.drawCentredString(
            width / 2, height - 60, " / ".join(certificate.centre["name"][lang] for lang in ("kk", "ru"))
        )
        pdf.setFont("Serif-Bold", 24)
        pdf.drawCentredString(width / 2, height - 100, "Біліктілік сертификаты / Сертификат о квалификации")
        pdf.setFont("Sans", 12)
        pdf.drawCentredString(width / 2, height - 125, f"№ {certificate.number}")
        pdf.setFont("Serif-Bold", 28)
        pdf.drawCentredString(width / 2, height - 220, certificate.holder_name)
        pdf.setFont("Serif-Bold", 18)
        pdf.drawCentredString(width / 2, height - 270, certificate.qualification_title["kk"])
        pdf.drawCentredString(width / 2, height - 295, certificate.qualification_title["ru"])
        pdf.setFont("Sans", 12)
        pdf.drawCentredString(
            width / 2, height - 330, f"ҰБШ деңгейі {certificate.nqf_level} · ЕБШ {certificate.eqf_level}"
        )
        pdf.drawString(60, 80, f"{certificate.issued_on:%d.%m.%Y} – {certificate.expires_on:%d.%m.%Y}")
        pdf.drawString(width - 260, 80, certificate.centre["signatory_name"])
        pdf.showPage()
        pdf.save()
    return (time.perf_counter() - start) / len(certificates)


def weasyprint_cost(app, certificates, batch: int) -> float:
    """Seconds per certificate for the production renderer (before signing), batched as the worker does it."""
    from certcenter.certificates.rendering import render_certificates

    with app.test_request_context():
        render_certificates(certificates[:batch])  # warm the font configuration, as a running worker has it
        start = time.perf_counter()
        for index in range(0, len(certificates), batch):
            render_certificates(certificates[index : index + batch])
        return (time.perf_counter() - start) / len(certificates)


def font_path(pattern: str) -> str:
    return subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--reference", type=int, default=200, help="certificates for the in-process comparison")
    args = parser.parse_args()
    folder = setup_environment()

    from sqlalchemy import func, select

    from certcenter import create_app
    from certcenter.accounts.models import User
    from certcenter.certificates.models import Certificate
    from certcenter.certificates.services import issue_certificates
    from certcenter.certificates.tasks import queue_rendering
    from certcenter.extensions import db

    app = create_app("development", CERTIFICATE_RENDER_BATCH=args.batch)
    print(
        f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}; broker: "
        f"{app.config['REDIS_URL'] or 'embedded'}; n={args.n}; batch={args.batch}"
    )
    application_ids = prepare_database(app, args.n)
    worker = start_worker(dict(os.environ))
    try:
        celery = app.extensions["celery"]
        deadline = time.monotonic() + 60
        while not celery.control.ping(timeout=1) and time.monotonic() < deadline:
            pass
        with app.test_request_context():
            admin = db.session.scalar(select(User).where(User.email == "bench-admin@example.kz"))
            started = time.perf_counter()
            result = issue_certificates(application_ids, actor=admin)
            db.session.commit()
            ids = [certificate.id for certificate in result.issued]
            queue_rendering(ids, args.batch)
            issued_s = time.perf_counter() - started
        rss_100 = None
        while True:
            with app.app_context():
                ready = db.session.scalar(select(func.count()).where(Certificate.render_status == "ready"))
                failed = db.session.scalar(select(func.count()).where(Certificate.render_status == "failed"))
                db.session.remove()
            if rss_100 is None and ready >= min(100, args.n):
                rss_100 = worker_rss_mb(worker)
            if ready + failed >= len(ids):
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        rss_end = worker_rss_mb(worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)

    with app.app_context():
        sample = db.session.scalars(select(Certificate).order_by(Certificate.id).limit(args.reference)).all()
        fonts = {"Sans": font_path("Noto Sans"), "Serif-Bold": font_path("Noto Serif:bold")}
        reportlab_s = reportlab_reference(sample, fonts)
        weasy_s = weasyprint_cost(app, sample, args.batch)
        from certcenter.certificates.rendering import render_certificates
        from certcenter.certificates.signing import sign_pdf

        with app.test_request_context():
            pdfs = list(render_certificates(sample[:20]).values())
        sign_pdf(pdfs[0], reason="bench")  # the signer's container template, as a running worker has it
        start = time.perf_counter()
        for pdf in pdfs:
            sign_pdf(pdf, reason="bench")
        sign_s = (time.perf_counter() - start) / len(pdfs)

    certs_per_s = len(ids) / elapsed
    print(
        f"issued {len(ids)} rows and queued them in {issued_s:.2f} s; all rendered, signed and stored in "
        f"{elapsed:.2f} s ({failed} failed)"
    )
    print(f"worker RSS (largest pool process): {rss_100:.0f} MB after 100, {rss_end:.0f} MB after {len(ids)}")
    print(
        f"per certificate, in process: WeasyPrint render {weasy_s * 1000:.1f} ms (batched), ReportLab reference "
        f"{reportlab_s * 1000:.1f} ms, PAdES signature {sign_s * 1000:.1f} ms"
    )
    print(
        f"certs_per_s={certs_per_s:.1f} cost_vs_reportlab={weasy_s / reportlab_s:.2f} "
        f"rss_1000_vs_100={rss_end / rss_100:.2f}"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
