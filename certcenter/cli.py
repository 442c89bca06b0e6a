"""The centre's own commands, added to every app by the factory (``register_commands``); the ``certcenter`` command
itself (``console.main``) adds Flask's (``db``, ``run``, ``shell``)."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from certcenter.extensions import db

ROLE_ALIASES = {
    "admin": "administrator",
    "administrator": "administrator",
    "assessor": "assessor",
    "candidate": "candidate",
}


# --- framework --------------------------------------------------------------------------------------------------

framework_cli = click.Group("framework", help="NQF editions: load and list.")


@framework_cli.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--bundled", is_flag=True, help="Load every edition shipped with certcenter.")
@click.option("--update", is_flag=True, help="Correct an edition already loaded under the same code.")
@with_appcontext
def framework_load(paths: tuple[str, ...], bundled: bool, update: bool) -> None:
    """Load framework editions from data files (idempotent: loading the same file again changes nothing)."""
    from certcenter.framework.services import EditionFileError, bundled_edition_files, load_edition, read_edition_file

    files = list(paths) + ([str(path) for path in bundled_edition_files()] if bundled else [])
    if not files:
        raise click.UsageError("give a file, or --bundled")
    for path in files:
        try:
            result = load_edition(read_edition_file(path), update=update)
        except EditionFileError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"{result.edition.code}: {result.status}")


@framework_cli.command("list")
@with_appcontext
def framework_list() -> None:
    from sqlalchemy import select

    from certcenter.framework.models import FrameworkEdition

    for edition in db.session.scalars(select(FrameworkEdition).order_by(FrameworkEdition.in_force_from)):
        until = edition.in_force_to or "…"
        click.echo(f"{edition.code}\t{edition.in_force_from} – {until}\t{edition.title['en']}")


# --- users ------------------------------------------------------------------------------------------------------

users_cli = click.Group("users", help="Create accounts from the command line.")


@users_cli.command("create")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(sorted(ROLE_ALIASES)))
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def users_create(roles: tuple[str, ...], email: str, full_name: str, password: str) -> None:
    """Create a user with one or more roles."""
    from certcenter.accounts.services import create_user, user_by_email
    from certcenter.core.text import InvisibleText

    if user_by_email(email) is not None:
        raise click.ClickException(f"a user with e-mail {email} already exists")
    if len(password) < 10:
        raise click.ClickException("the password needs at least 10 characters")
    try:
        user = create_user(email, full_name, password, {ROLE_ALIASES[role] for role in roles})
    except InvisibleText:
        raise click.ClickException("the name must contain visible letters") from None
    db.session.commit()
    click.echo(f"created user {user.id} <{user.email}> with roles {', '.join(sorted(user.roles))}")


# --- demo and set-up --------------------------------------------------------------------------------------------


@click.command("setup")
@click.option("--demo/--no-demo", default=True, help="Also load the demo data set.")
@click.option("--quiet", is_flag=True, help="Say nothing unless something fails (make run: serve says the rest).")
@with_appcontext
def setup(demo: bool, quiet: bool) -> None:
    """Migrate the database, load the bundled NQF editions and (by default) the demo data set."""
    from certcenter.demo import DEMO_PASSWORD, load_demo
    from certcenter.framework.services import bundled_edition_files, load_edition, read_edition_file

    say = (lambda *_args: None) if quiet else click.echo
    _migrate(quiet)
    for path in bundled_edition_files():
        # a bundled file is the reference: a release that corrects or translates its texts updates the rows (matched
        # by their natural keys, so what refers to them stays)
        result = load_edition(read_edition_file(path), update=True)
        db.session.commit()
        say(f"framework {result.edition.code}: {result.status}")
    if demo:
        users = load_demo()
        db.session.commit()
        say(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for role, email in users:
            say(f"  {role:<14} {email}")


def _migrate(quiet: bool) -> None:
    """The migrations, their log lines kept back when quiet and shown only if one fails."""
    if not quiet:
        upgrade()
        return
    import contextlib
    import io

    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured), contextlib.redirect_stdout(captured):
            upgrade()
    except Exception:
        click.echo(captured.getvalue(), err=True)
        raise


@click.command("demo")
@click.option("--applications", default=1000, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--seed", default=1, show_default=True, help="The same seed gives the same data set.")
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 10), help="Spread over this many years.")
@with_appcontext
def demo_scale(applications: int, seed: int, years: int) -> None:
    """Generate a demo-scale data set: candidates, applications in every workflow state and at every NQF level,
    judgements, decisions and certificates, dated over the last years up to now.

    Loads the framework and the demo catalogue first if missing, and adds qualifications so that every level has
    one. Running it again adds another batch (new candidates; the 60 assessors and 8 administrators are shared).

    \b
    Accounts: *@scale.demo.certcenter.kz, every one with the password demo-password.
    Certificates get no PDF: their rendering shows as failed, with a note;
    "Retry" on a certificate's page renders it.
    """
    from certcenter.demo import TABLES, generate

    started = time.perf_counter()
    summary = generate(applications, seed, years=years, progress=click.echo)
    db.session.commit()
    seconds = time.perf_counter() - started
    if summary.new_qualifications:
        click.echo(f"qualifications added: {', '.join(summary.new_qualifications)}")
    click.echo(f"batch {summary.batch} (seed {summary.seed}): {summary.applications} applications in {seconds:.1f} s")
    click.echo("rows added:")
    for table in TABLES:
        click.echo(f"  {table:<20} {summary.rows[table]:>9}")
    click.echo("applications by state:")
    for state, count in summary.states.items():
        click.echo(f"  {state:<20} {count:>9}")
    click.echo("certificates by status:")
    for status, count in sorted(summary.certificate_statuses.items()):
        click.echo(f"  {status:<20} {count:>9}")


@click.command("serve")
@click.option("--workers", "web_workers", default=2, show_default=True, help="Web server processes.")
@click.option(
    "--threads",
    default=4,
    show_default=True,
    help="Threads per web server process (a slow request, such as a sign-in's password hash, holds a thread).",
)
@click.option("--concurrency", default=2, show_default=True, help="Celery worker processes.")
@click.option("--verbose", is_flag=True, help="Show the web server's and the worker's logs here too.")
@with_appcontext
def serve(web_workers: int, threads: int, concurrency: int, verbose: bool) -> None:
    """Run the web server and a Celery worker (with the beat scheduler) until Ctrl-C. Their logs go to
    instance/log/ (rotated); the console shows the address, the logins and the supervisor's own messages.

    Each is supervised: one that dies is started again (after 1, 2, 4 ... 30 s if it keeps dying) while the other
    keeps running; /health reports the worker as failing meanwhile."""
    from certcenter.core import gunicorn_config
    from certcenter.core.supervisor import Child, Supervisor
    from certcenter.demo import DEMO_PASSWORD, DEMO_USERS
    from certcenter.queues import QUEUES

    config = current_app.config
    host = os.environ.get("CERTCENTER_HOST", "127.0.0.1")
    port = int(config["PORT"])
    bin_dir = os.path.dirname(sys.executable)
    celery_bin = shutil.which("celery", path=bin_dir) or "celery"
    worker_cmd = [
        celery_bin,
        "-A",
        "workers",
        "worker",
        "--beat",
        "--queues",
        ",".join(QUEUES),  # every kind of work; production runs a worker per queue group
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
        "--schedule",
        os.path.join(current_app.instance_path, "celerybeat-schedule"),
    ]
    web_cmd = gunicorn_config.command(
        f"{host}:{port}", workers=web_workers, threads=threads, options=("--access-logfile", "-")
    )
    logs = Path(current_app.instance_path) / "log"
    supervisor = Supervisor(
        [
            Child("worker", worker_cmd, on_death=_worker_died, log_file=logs / "worker.log", echo=verbose),
            Child("web server", web_cmd, log_file=logs / "web.log", echo=verbose),
        ],
    )

    def stop(signum: int, frame: object) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    supervisor.start()
    ready = _wait_until_healthy(f"http://{host}:{port}/health", supervisor)
    broker = "Redis" if config["REDIS_URL"] else "embedded broker (instance/broker)"
    click.echo("")
    click.echo(f"certcenter is running at http://{host}:{port}/")
    click.echo(f"  database: {db.engine.url.render_as_string(hide_password=True)}")
    click.echo(f"  broker:   {broker}; Celery worker {'running' if ready else 'starting (see /health)'}")
    click.echo(f"  demo logins (password {DEMO_PASSWORD}):")
    for role, email in DEMO_USERS:
        click.echo(f"    {role:<14} {email}")
    if not verbose:
        click.echo(f"  logs:     {logs}/web.log, {logs}/worker.log (--verbose shows them here)")
    click.echo("Press Ctrl-C to stop.")
    supervisor.run()
    supervisor.stop()
    click.echo("certcenter stopped.")


def _worker_died(child, code: int) -> None:
    """The dead worker's heartbeat row is marked at once: /health fails and the sweep gives back what it held
    without waiting for the row to grow stale."""
    import socket

    from certcenter.core.workers import mark_dead

    try:
        mark_dead(socket.gethostname(), child.process.pid)
        db.session.commit()
    finally:
        db.session.remove()


def _wait_until_healthy(url: str, supervisor, seconds: float = 40) -> bool:
    """Wait for /health to report the web server, database, broker and worker up, so the banner comes last."""
    import json
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not supervisor.stopping and all(c.running for c in supervisor.children):
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                if json.load(response).get("status") == "ok":
                    return True
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    return False


def register_commands(app: Flask) -> None:
    for command in (framework_cli, users_cli, setup, demo_scale, serve):
        app.cli.add_command(command)
