"""The centre under load: 50 simulated people at once for 60 s against gunicorn on loopback, with PostgreSQL and
Redis (the rate limiter's counts and the broker), as production runs it behind one trusted proxy.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--think 1.0] [--arrive-over SECONDS]
                                   [--web-workers 2] [--threads 4]

The people: candidates (sign in, then their dashboard, their application, their profile, the catalogue), assessors
(sign in, then their workspace and an assignment of theirs) and anonymous verifiers (the verification page, the
API, the framework and the catalogue), each from an address of his own given in ``X-Forwarded-For`` (the proxy's
header, trusted for one hop), so that the per-address limits apply per person as they would in production. Each
waits ``--think`` seconds between pages; they arrive one after another over ``--arrive-over`` seconds (by default the
think time: thirty sign-ins and fifty first pages in the first second). The data set is the demo generator's
(``--applications`` of them, made once in a ``certcenter_load`` database and kept).

Printed: requests a second, p50/p95/p99 per kind of page, each kind whose p95 is over ``--target-ms`` (300: the
issue's target for a page with 1 s think time) flagged, the same for the first five seconds of the run (where a cold
web server process would show), the server's slow-request log summed up (every request over 200 ms, logged by the
web server process with where its time went: ``core/request_timing.py``), the errors (anything but 2xx/3xx; 429s
counted apart, since a limit doing its work is not an error), and the machine's reference from the same run
(bench/reference.py). The last line is exactly ``rps=<x> p95_ms=<x> errors=<n>``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reference import reference_ms  # noqa: E402
from bench.reports import ensure_database  # noqa: E402
from tests.hostile.servers import Browser, Gunicorn, app_environment  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/certcenter_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/3"
SLOW_REQUEST_MS = 200
FIRST_SECONDS = 5


def prepare(app, applications: int) -> dict[str, list]:
    """The data set (made once), and who and what the simulated people use: candidates with an application,
    assessors with an assignment, codes of issued certificates, qualifications."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from certcenter.accounts.models import User
    from certcenter.applications.models import Application
    from certcenter.assessments.models import CONFLICT, Assignment
    from certcenter.candidates.models import CandidateProfile
    from certcenter.certificates.models import Certificate
    from certcenter.extensions import db
    from certcenter.qualifications.models import Qualification

    with app.app_context():
        upgrade()
        have = db.session.scalar(select(func.count()).select_from(Application))
        if have < applications:
            from certcenter.demo import generate

            print(f"generating {applications - have} applications (have {have}) ...", flush=True)
            generate(applications - have, seed=7)
            db.session.commit()
        candidates = db.session.execute(
            select(User.email, func.min(Application.id))
            .join(CandidateProfile, CandidateProfile.user_id == User.id)
            .join(Application, Application.candidate_id == CandidateProfile.id)
            .group_by(User.email)
            .order_by(User.email)
            .limit(200)
        ).all()
        assessors = db.session.execute(
            select(User.email, func.min(Assignment.id))
            .join(Assignment, Assignment.assessor_id == User.id)
            .where(Assignment.status != CONFLICT)  # one he may open (a declared conflict took the others from him)
            .group_by(User.email)
            .order_by(User.email)
        ).all()
        codes = db.session.scalars(select(Certificate.verification_code).limit(500)).all()
        qualifications = db.session.scalars(select(Qualification.id)).all()
    return {"candidates": candidates, "assessors": assessors, "codes": codes, "qualifications": qualifications}


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.first: dict[str, list[float]] = defaultdict(list)  # answered in the run's first FIRST_SECONDS
        self.started = time.monotonic()
        self.limited = 0
        self.errors: list[str] = []

    def add(self, kind: str, path: str, answer) -> None:
        with self.lock:
            if answer.status == 429:
                self.limited += 1
            elif answer.status >= 400:
                self.errors.append(f"{answer.status} {path}")
            else:
                self.latencies[kind].append(answer.seconds)
                if time.monotonic() - self.started < FIRST_SECONDS:
                    self.first[kind].append(answer.seconds)


def web_server_cpu(master_pid: int) -> float:
    """CPU seconds (user + system) the web server's processes have used so far, from /proc: a figure that the other
    load on the machine moves less than it moves latency."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if int(fields[1]) == master_pid or stat.parent.name == str(master_pid):  # its parent, or the master
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def percentiles(values: list[float]) -> list[float]:
    values = sorted(values)
    return statistics.quantiles(values, n=100) if len(values) > 1 else values * 99


def slow_requests(log: str) -> list[dict[str, str]]:
    """The web server's slow-request lines (``core/request_timing.py``), as fields."""
    return [dict(re.findall(r"(\w+)=(\S+)", line.split("slow_request ", 1)[1])) for line in log.splitlines()
            if "slow_request " in line]  # fmt: skip


def page_of(path: str) -> str:
    """A path with its ids and codes left out, so that the slow requests of one kind of page count together."""
    return re.sub(r"/(\d+|[A-Za-z0-9_-]{16,})(?=/|$)", "/…", path)


def person(
    base: str, role: str, who: tuple | None, data: dict, address: str, until: float, think: float, tally
) -> None:
    from certcenter.demo import DEMO_PASSWORD

    rng = random.Random(address)
    browser = Browser(base)
    headers = {"X-Forwarded-For": address}

    def visit(kind: str, path: str) -> None:
        try:
            answer = browser.request("GET", path, headers=headers)
        except OSError as exc:
            with tally.lock:
                tally.errors.append(f"{type(exc).__name__} {path}")
            return
        tally.add(kind, path, answer)

    if role != "verifier":
        token_page = browser.request("GET", "/login", headers=headers)
        token = token_page.body.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
        answer = browser.request(
            "POST", "/login", {"csrf_token": token, "email": who[0], "password": DEMO_PASSWORD}, headers=headers
        )
        tally.add("sign-in", "/login", answer)
    turn = 0
    while time.monotonic() < until:
        turn += 1
        if role == "candidate":
            kind, path = [
                ("candidate: dashboard", "/dashboard"),
                ("candidate: application", f"/applications/{who[1]}"),
                ("candidate: profile", "/profile"),
                ("catalogue", "/qualifications"),
            ][turn % 4]
        elif role == "assessor":
            kind, path = [("assessor: workspace", "/assess"), ("assessor: assignment", f"/assess/{who[1]}")][turn % 2]
        else:
            code = rng.choice(data["codes"]) if data["codes"] else "no-such-code"
            kind, path = [
                ("verify page", f"/verify/{code}"),
                ("framework", "/framework/kz-nqf-2013/levels/3"),
                ("verify API", f"/api/v1/certificates/{code}"),
                ("qualification", f"/qualifications/{rng.choice(data['qualifications'])}"),
            ][turn % 4]
        visit(kind, path)
        time.sleep(think * rng.uniform(0.5, 1.5))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--arrive-over", type=float, help="seconds over which the people arrive (default: --think)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--applications", type=int, default=600)
    parser.add_argument("--target-ms", type=float, default=300, help="flag each kind of page whose p95 is over it")
    args = parser.parse_args()
    arrival = args.think if args.arrive_over is None else args.arrive_over

    url = os.environ.get("CERTCENTER_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("CERTCENTER_REDIS_URL", DEFAULT_REDIS)
    if not url.startswith("postgresql"):
        sys.exit("bench/load.py measures PostgreSQL: set CERTCENTER_DATABASE_URL to a postgresql+psycopg:// URL")
    ensure_database(url)
    folder = Path(tempfile.mkdtemp(prefix="certcenter-load-"))
    os.environ["CERTCENTER_INSTANCE_PATH"] = str(folder)

    from certcenter import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    data = prepare(app, args.applications)
    env = app_environment(
        folder,
        url,
        TRUSTED_PROXY_HOPS="1",
        REDIS_URL=redis_url,
        RATELIMIT_ENABLED="true",
        SLOW_REQUEST_MS=str(SLOW_REQUEST_MS),
    )
    server = Gunicorn(env, folder / "gunicorn.log", workers=args.web_workers, threads=args.threads)
    candidates, assessors = data["candidates"], data["assessors"]
    roles = ["candidate"] * (args.users * 2 // 5) + ["assessor"] * (args.users // 5)
    roles += ["verifier"] * (args.users - len(roles))
    tally = Tally()
    try:
        until = time.monotonic() + args.seconds
        threads = []
        for n, role in enumerate(roles):
            who = candidates[n % len(candidates)] if role == "candidate" else None
            who = assessors[n % len(assessors)] if role == "assessor" else who
            address = f"10.{n // 250}.{n % 250}.{random.randint(1, 250)}"
            thread = threading.Thread(
                target=person, args=(server.base, role, who, data, address, until, args.think, tally)
            )
            threads.append(thread)
        cpu_at_start = web_server_cpu(server.process.pid)  # the warm-up is done: the processes have said so
        cpu_first: list[float] = []
        first_window = threading.Timer(
            FIRST_SECONDS, lambda: cpu_first.append(web_server_cpu(server.process.pid) - cpu_at_start)
        )
        started = tally.started = time.monotonic()
        first_window.start()
        for thread in threads:
            thread.start()
            time.sleep(arrival / len(threads))  # people arrive over the first think time, not in one burst
        for thread in threads:
            thread.join()
        first_window.join()
        cpu_run = web_server_cpu(server.process.pid) - cpu_at_start
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    slow = slow_requests(server.log())
    reference = reference_ms(app)
    every = sorted(latency for values in tally.latencies.values() for latency in values)
    answered = len(every) + tally.limited + len(tally.errors)
    print(f"{len(roles)} people ({roles.count('candidate')} candidates, {roles.count('assessor')} assessors, "
          f"{roles.count('verifier')} verifiers), {args.seconds:.0f} s, think {args.think} s, "
          f"arriving over {arrival:g} s, {args.web_workers} gunicorn workers x {args.threads} threads; "
          f"database {url.split('@')[-1]}, Redis {redis_url}")  # fmt: skip
    over = []
    for kind, values in sorted(tally.latencies.items()):
        cuts = percentiles(values)
        flag = f"  over {args.target_ms:.0f} ms" if cuts[94] * 1000 > args.target_ms else ""
        over += [kind] if flag else []
        print(f"  {kind:24} {len(values):5} requests  p50 {cuts[49] * 1000:6.1f} ms  p95 {cuts[94] * 1000:6.1f} ms"
              f"  p99 {cuts[98] * 1000:6.1f} ms{flag}")  # fmt: skip
    first_answers = sum(len(values) for values in tally.first.values())
    print(f"the web server's CPU: {cpu_run:.2f} s over the run ({cpu_run / len(every) * 1000:.1f} ms an answer), "
          f"{cpu_first[0]:.2f} s in the first {FIRST_SECONDS} s ({first_answers} answers)")  # fmt: skip
    print(f"the first {FIRST_SECONDS} s of the run:")
    for kind, values in sorted(tally.first.items()):
        cuts = percentiles(values)
        print(f"  {kind:24} {len(values):5} requests  p50 {cuts[49] * 1000:6.1f} ms  max {max(values) * 1000:6.1f} ms")
    cold = [line for line in slow if not line["compiled"].startswith("0/") or line["catalogs"] != "-"]
    print(f"slow requests logged by the web server (over {SLOW_REQUEST_MS} ms, {server.log_path}): {len(slow)}; "
          f"cold ones (a template compiled or a catalog loaded in the request): {len(cold)}")  # fmt: skip
    pages: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line in slow:
        pages[f"{line['method']} {page_of(line['path'])}"].append(line)
    for page, lines in sorted(pages.items(), key=lambda item: -len(item[1]))[:8]:
        worst = max(lines, key=lambda line: float(line["ms"]))
        print(f"  {page:40} {len(lines):4}  worst {worst['ms']} ms: cpu {worst['cpu_ms']} ms, sql {worst['sql']}, "
              f"compiled {worst['compiled']}, render {worst['render_ms']} ms, {worst['busy']} busy, "
              f"process {worst['worker_age_s']} s old")  # fmt: skip
    cuts = statistics.quantiles(every, n=100)
    print(f"all: {answered} answers, {answered / elapsed:.1f} a second; p50 {cuts[49] * 1000:.1f} ms, "
          f"p95 {cuts[94] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms; {tally.limited} limited (429); "
          f"errors {len(tally.errors)} {sorted(set(tally.errors))[:5]}")  # fmt: skip
    print(f"kinds of page over {args.target_ms:.0f} ms at p95: {', '.join(over) or 'none'}")
    print(f"reference (ReportLab certificate, bench/reference.py, this run): reference_ms={reference:.2f}")
    print(f"rps={answered / elapsed:.1f} p95_ms={cuts[94] * 1000:.1f} errors={len(tally.errors)}")


if __name__ == "__main__":
    main()
