"""A sitting of the theory test under load: N simulated candidates (asyncio, one HTTP client each) sit a 40-question,
60-minute form compressed in time (each answers a question every 0.5 s) against gunicorn on loopback, with
PostgreSQL and Redis.

    .venv/bin/python bench/exam.py [--candidates 300] [--interval 0.5] [--workers 3] [--threads 4]

Uses CERTCENTER_DATABASE_URL (PostgreSQL; the bench's own database: its schema is dropped and made again) and
CERTCENTER_REDIS_URL; without them, the database ``certcenter_bench_exams`` on the local PostgreSQL (created if
missing) and Redis database 9. gunicorn is started on a free port with CERTCENTER_* variables, as in production.

Each candidate signs in and starts his attempt (his form is drawn by the server); once all have started (that
first minute of a sitting is timed apart), each saves an answer every interval
(right with a probability of his own, so that the item analysis has something to find); one save in twenty is sent a
second time, as a page does after a reconnect. Then he finishes. The bench prints:
- the 50th/95th/99th percentile of saving an answer (request to reply, as the client sees it);
- answers lost: for every question, the last answer each client sent and the server acknowledged, compared with what
  the database holds (must be 0);
- the time to mark the whole sitting (``exams.services.mark_sitting``, as the worker's task runs it: answers and
  keys read, marks written, totals per unit and descriptor, results into the applications), and the item analysis;
- this machine's reference figure in the same run: the ReportLab certificate of bench/certificates.py, per
  certificate (this machine's speed drifts, so figures from different runs compare through it).
The line before the last is ``reference_ms=<x>``; the last is exactly ``save_p95_ms=<x> lost=<n> marking_s=<x>``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reference import reference_ms  # noqa: E402

PASSWORD = "bench-password-1"
QUESTIONS_PER_CELL = 10  # approved questions per unit and descriptor (two units, three descriptors: 60)
ROWS = {("LF1", "knowledge"): 8, ("LF1", "skills"): 7, ("LF1", "competence"): 5,
        ("LF2", "knowledge"): 8, ("LF2", "skills"): 7, ("LF2", "competence"): 5}  # fmt: skip
KIND_CYCLE = ("single", "single", "multiple", "true_false", "numeric", "matching", "single", "short_text")


def server_cpu_s(pid: int) -> float:
    """CPU seconds used so far by gunicorn's master and its workers (Linux's /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    for each in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_urls() -> tuple[str, str]:
    database = os.environ.get("CERTCENTER_DATABASE_URL")
    if not database:
        from sqlalchemy import create_engine, text

        database = "postgresql+psycopg://postgres@127.0.0.1:5432/certcenter_bench_exams"
        engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            exists = text("SELECT 1 FROM pg_database WHERE datname = 'certcenter_bench_exams'")
            if not connection.execute(exists).first():
                connection.execute(text("CREATE DATABASE certcenter_bench_exams"))
        engine.dispose()
    return database, os.environ.get("CERTCENTER_REDIS_URL") or "redis://127.0.0.1:6379/9"


def content(kind: str, n: int):
    from certcenter.exams import kinds

    stem = {"kk": f"Сұрақ {n}", "ru": f"Вопрос {n}", "en": f"Question {n}"}
    text = lambda label: {"kk": f"{label} kk", "ru": f"{label} ru"}  # noqa: E731
    if kind in ("single", "multiple"):
        options = [{"id": letter, "text": text(f"{letter}{n}")} for letter in "ABCD"]
        return kinds.Content(kind, stem, options, {"correct": ["B"] if kind == "single" else ["A", "D"]})
    if kind == "true_false":
        return kinds.Content(kind, stem, kinds.TRUE_FALSE_OPTIONS, {"correct": ["F"]})
    if kind == "numeric":
        return kinds.Content(kind, stem, [], {"value": n * 1.5, "tolerance": 0.1})
    if kind == "matching":
        left = [{"id": f"L{i}", "text": text(f"L{i}")} for i in (1, 2, 3)]
        right = [{"id": f"R{i}", "text": text(f"R{i}")} for i in (1, 2, 3)]
        pairs = {"L1": "R2", "L2": "R3", "L3": "R1"}
        return kinds.Content(kind, stem, {"left": left, "right": right}, {"pairs": pairs})
    return kinds.Content(kind, stem, [], {"accepted": [f"жауап {n}"]})


def prepare(app, candidates: int) -> dict:
    """The framework and catalogue, a bank of 60 approved questions for WELD-3, its 40-question specification, an
    open sitting and the candidates, each with an application in assessment and an admitted place."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from certcenter.accounts.models import User
    from certcenter.applications.models import Application
    from certcenter.candidates.models import CandidateProfile
    from certcenter.core.models import utcnow
    from certcenter.exams import services
    from certcenter.exams.models import ADMITTED, OPEN, Booking
    from certcenter.extensions import db
    from certcenter.framework.services import bundled_edition_files, load_edition, read_edition_file
    from certcenter.qualifications.services import DATA_DIR, load_catalogue

    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        for path in bundled_edition_files():
            load_edition(read_edition_file(path))
        weld = next(q for q in load_catalogue(DATA_DIR / "demo-qualifications.yaml") if q.code == "WELD-3")
        password_hash = services_hash(app)
        staff = {}
        for name, roles in (("admin", {"administrator"}), ("author", {"assessor"}), ("proctor", {"assessor"}),
                            ("approver", {"administrator"})):  # fmt: skip
            user = User(email=f"bench-{name}@example.kz", full_name=f"Bench {name}", password_hash=password_hash)
            user.set_roles(roles)
            db.session.add(user)
            staff[name] = user
        db.session.flush()
        units = {unit.code: unit for unit in weld.units}
        n = 0
        for unit_code, descriptor in ROWS:
            for _ in range(QUESTIONS_PER_CELL):
                n += 1
                question = services.create_question(
                    weld, actor=staff["author"], unit_id=units[unit_code].id, descriptor=descriptor,
                    content=content(KIND_CYCLE[n % len(KIND_CYCLE)], n),
                )  # fmt: skip
                services.approve_question(question, actor=staff["approver"])
        services.save_blueprint(
            weld,
            actor=staff["admin"],
            rows=[{"unit_id": units[u].id, "descriptor": d, "count": c} for (u, d), c in ROWS.items()],
            time_limit_minutes=60,
            shuffle_questions=True,
            shuffle_options=True,
            max_attempts=2,
            retake_wait_days=0,
            reveal_answers=False,
        )
        start = utcnow() + timedelta(minutes=5)
        sitting = services.schedule_sitting(
            weld, actor=staff["admin"], starts_at=start, ends_at=start + timedelta(hours=2), mode="room",
            room="Hall", capacity=candidates, proctor=staff["proctor"],
        )  # fmt: skip
        sitting.status, sitting.opened_at = OPEN, utcnow()
        people = []
        for index in range(candidates):
            user = User(email=f"exam{index}@example.kz", full_name=f"Үміткер {index}", password_hash=password_hash)
            user.set_roles({"candidate"})
            profile = CandidateProfile(
                user=user, full_name=f"Үміткер {index}", full_name_latin=f"Candidate {index}", iin=f"{index:012d}",
                birth_date=utcnow().date().replace(year=1990), phone="+7 700 000 00 00",
            )  # fmt: skip
            application = Application(
                candidate=profile, qualification=weld, edition_id=weld.level.edition_id, state="in_assessment"
            )
            booking = Booking(
                sitting=sitting, application=application, user=user, status=ADMITTED, admitted_at=utcnow()
            )
            db.session.add(booking)
            people.append((user, booking))
        db.session.commit()
        return {
            "sitting_id": sitting.id,
            "candidates": [(user.email, booking.id) for user, booking in people],
        }


def services_hash(app) -> str:
    from certcenter.accounts.services import hash_password

    return hash_password(PASSWORD)


def item_keys(app, attempt_id: int) -> list[dict]:
    from sqlalchemy import select

    from certcenter.exams.models import AttemptItem, QuestionVersion
    from certcenter.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(AttemptItem.position, AttemptItem.kind, AttemptItem.option_order, QuestionVersion.key)
            .join(QuestionVersion, AttemptItem.version_id == QuestionVersion.id)
            .where(AttemptItem.attempt_id == attempt_id)
            .order_by(AttemptItem.position)
        ).all()
        db.session.remove()
        return [{"position": r.position, "kind": r.kind, "order": r.option_order, "key": r.key} for r in rows]


def answer(item: dict, right: bool, rng: random.Random):
    kind, key, order = item["kind"], item["key"], item["order"]
    if kind in ("single", "true_false"):
        return key["correct"][0] if right else next(o for o in order if o not in key["correct"])
    if kind == "multiple":
        return key["correct"] if right else [order[0]]
    if kind == "numeric":
        return str(key["value"] if right else key["value"] + 5)
    if kind == "matching":
        return key["pairs"] if right else {left: order["right"][0] for left in order["left"]}
    return key["accepted"][0] if right else None  # a wrong short text would wait for an assessor: left blank


async def candidate(app, base: str, email: str, booking_id: int, args, results: dict, rng: random.Random) -> None:
    import aiohttp

    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(base_url=base, cookie_jar=jar, connector=aiohttp.TCPConnector(limit=1)) as http:
        page = await (await http.get("/login")).text()
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = await http.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf},
                                   allow_redirects=False)  # fmt: skip
        assert response.status == 302, await response.text()
        response = await http.post(
            f"/exams/bookings/{booking_id}/start", data={"csrf_token": csrf}, allow_redirects=False
        )
        assert response.status == 302, (response.status, (await response.text())[:300])
        location = response.headers["Location"]
        attempt_id = int(location.rsplit("/", 1)[1])
        page = await (await http.get(location)).text()
        token = re.search(r'data-token="([^"]+)"', page).group(1)
        seq = int(re.search(r'data-seq="(\d+)"', page).group(1))
        csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
        items = await asyncio.to_thread(item_keys, app, attempt_id)
        ability = rng.uniform(0.35, 0.95)
        sent: dict[int, object] = {}
        # everyone has signed in and started (the stampede of a sitting's first minute is timed apart): go
        results["started"] += 1
        if results["started"] == args.candidates:
            results["all_started"].set()
            results["answering_since"] = time.perf_counter()
            results["server_cpu_at_start"] = server_cpu_s(args.server_pid)
        await results["all_started"].wait()
        await asyncio.sleep(rng.uniform(0, args.interval))
        headers = {"X-CSRFToken": csrf, "Accept": "application/json"}
        for item in items:
            seq += 1
            body = {"token": token, "position": item["position"], "seq": seq,
                    "response": answer(item, rng.random() < ability, rng)}  # fmt: skip
            for _repeat in range(2 if rng.random() < 0.05 else 1):  # now and then, a replay after a reconnect
                started = time.perf_counter()
                for _try in range(3):  # as the page does: a save that got no answer is sent again, same seq
                    try:
                        async with http.post(
                            f"/exams/attempts/{attempt_id}/answers", json=body, headers=headers
                        ) as reply:
                            payload = await reply.json()
                            break
                    except aiohttp.ClientError:
                        results["retries"] += 1
                results["latencies"].append(time.perf_counter() - started)
                if reply.status == 200:
                    sent[item["position"]] = body["response"]
                else:
                    results["errors"].append((reply.status, payload))
            await asyncio.sleep(args.interval)
        results["done_saving"] += 1
        if results["done_saving"] == args.candidates:  # the last save answered: the saving phase's CPU ends here
            results["server_cpu_saving"] = server_cpu_s(args.server_pid) - results["server_cpu_at_start"]
        page = await (await http.get(f"/exams/attempts/{attempt_id}")).text()
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        await http.post(f"/exams/attempts/{attempt_id}/submit", data={"csrf_token": csrf}, allow_redirects=False)
        results["sent"][attempt_id] = sent


async def sitting(app, base: str, people: list, args) -> dict:
    results = {"latencies": [], "errors": [], "sent": {}, "retries": 0, "started": 0, "done_saving": 0,
               "all_started": asyncio.Event()}  # fmt: skip
    rng = random.Random(2026)
    await asyncio.gather(
        *(
            candidate(app, base, email, booking_id, args, results, random.Random(rng.random()))
            for email, booking_id in people
        )
    )
    return results


def lost_answers(app, sent: dict) -> int:
    from sqlalchemy import select

    from certcenter.exams.models import AttemptItem
    from certcenter.extensions import db

    lost = 0
    with app.app_context():
        stored = {
            (row.attempt_id, row.position): row.response
            for row in db.session.execute(select(AttemptItem.attempt_id, AttemptItem.position, AttemptItem.response))
        }
    for attempt_id, answers in sent.items():
        for position, response in answers.items():
            expected = sorted(response) if isinstance(response, list) else response
            held = stored.get((attempt_id, position))
            lost += (sorted(held) if isinstance(held, list) else held) != expected
    return lost


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", help="gunicorn's worker class (the centre runs gthread)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="certcenter-bench-exam-"))
    database, redis = database_urls()
    env = dict(os.environ)
    env.update(
        CERTCENTER_ENV="development",
        CERTCENTER_INSTANCE_PATH=str(folder),
        CERTCENTER_DATABASE_URL=database,
        CERTCENTER_REDIS_URL=redis,
        CERTCENTER_SECRET_KEY="bench-secret-key",
        CERTCENTER_PASSWORD_HASH_TIME_COST="1",
        CERTCENTER_PASSWORD_HASH_MEMORY_COST="8192",
    )
    os.environ.update({key: value for key, value in env.items() if key.startswith("CERTCENTER_")})

    from certcenter import create_app
    from certcenter.extensions import db

    app = create_app("development")
    print(f"database: {database.split('@')[-1]}; broker: {redis}; candidates: {args.candidates}; "
          f"gunicorn {args.workers} workers x {args.threads} threads")  # fmt: skip
    data = prepare(app, args.candidates)
    port = free_port()
    from certcenter.core import gunicorn_config

    log = folder / "gunicorn.log"
    server = subprocess.Popen(
        gunicorn_config.command(f"127.0.0.1:{port}", workers=args.workers, threads=args.threads,
                                options=("--keep-alive", "120", "--log-level", "info",
                                         "--worker-class", args.worker_class)),
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        import urllib.request

        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/login", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        while len(gunicorn_config.READY_LINE.findall(log.read_text())) < args.workers:  # every process warmed up
            if time.monotonic() > deadline:
                raise RuntimeError("the web server's processes did not all start")
            time.sleep(0.3)
        started = time.perf_counter()
        args.server_pid = server.pid
        results = asyncio.run(sitting(app, base, data["candidates"], args))
        server_cpu = results["server_cpu_saving"]
        elapsed = time.perf_counter() - results["answering_since"]
        start_phase = results["answering_since"] - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    lost = lost_answers(app, results["sent"])

    from certcenter.exams import reporting, services
    from certcenter.exams.models import Sitting

    with app.app_context():
        sitting_row = db.session.get(Sitting, data["sitting_id"])
        services.close_sitting(sitting_row, actor=None)
        db.session.commit()
        marking_started = time.perf_counter()
        marked = services.mark_sitting(data["sitting_id"])
        db.session.commit()
        marking_s = time.perf_counter() - marking_started
        analysis = reporting.sitting_analysis(db.session.get(Sitting, data["sitting_id"]))
        form = analysis.forms[0].statistics
        flagged = sum(1 for row in analysis.items if row.statistics.flags)
    latencies = sorted(results["latencies"])
    quantiles = statistics.quantiles(latencies, n=100)
    p50, p95, p99 = (quantiles[i] * 1000 for i in (49, 94, 98))
    reference = reference_ms(app)
    print(f"{args.candidates} candidates signed in and started (forms drawn) in {start_phase:.1f} s")
    print(f"{len(latencies)} saves by {len(results['sent'])} candidates in {elapsed:.1f} s "
          f"({len(latencies) / elapsed:.0f} a second); {len(results['errors'])} refused, "
          f"{results['retries']} sent again after a dropped connection; the web server's CPU: "
          f"{1000 * server_cpu / max(1, len(latencies)):.2f} ms a save")  # fmt: skip
    print(f"save: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms; answers lost: {lost}")
    print(f"marking: {marked} attempts in {marking_s:.2f} s; alpha {form.alpha:.3f}, SEM {form.sem:.2f} points, "
          f"{flagged} of {len(analysis.items)} questions flagged")  # fmt: skip
    print(f"reference (ReportLab certificate, bench/reference.py): {reference:.1f} ms a certificate")
    print(f"reference_ms={reference:.2f}")
    print(f"save_p95_ms={p95:.1f} lost={lost} marking_s={marking_s:.2f}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
