"""``certcenter retention run [--dry-run]``: the retention schedule from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from certcenter.extensions import db

retention_cli = click.Group("retention", help="Personal data retention: what is past its period, destroyed.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="List what would be destroyed or anonymised; change nothing.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Run as of this day (centre's calendar).")
@with_appcontext
def retention_run(dry_run: bool, today) -> None:
    from certcenter.records import retention

    day = today.date() if today else None
    items = retention.due(day) if dry_run else retention.run(day, commit=db.session.commit)
    for item in items:
        click.echo(f"{item.kind}\t{item.target_type}:{item.target_id}\tdue since {item.since}")
    if dry_run:
        db.session.rollback()
        click.echo(f"{len(items)} would go (dry run: nothing changed)")
    else:
        db.session.commit()
        click.echo(f"{len(items)} done")


@retention_cli.command("schedule")
@with_appcontext
def retention_schedule() -> None:
    """The configured periods."""
    from certcenter.records import retention

    for kind, period in retention.schedule().items():
        click.echo(f"{kind}\t{'permanent' if period is None else period}")
