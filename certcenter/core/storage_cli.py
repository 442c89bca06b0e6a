"""``certcenter storage migrate --to URL``: copy every stored file from the configured backend to another (the
filesystem to an object store, or back), each under its own key so that no row changes.

The files are those the rows refer to (the key columns the domains declare with ``owns_files``), not whatever lies in
the source. Each copy is checked: the SHA-256 of the bytes written must be the one the row keeps. A file already in
the destination with the right SHA-256 is skipped, so a run that stopped (Ctrl-C, a lost connection) is resumed by
running the command again. Then point ``CERTCENTER_STORAGE_URL`` at the destination on every node.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import literal, select

from certcenter.core.storage import FILE_OWNERS, Storage, StorageError, get_storage, storage_from_url
from certcenter.extensions import db

storage_cli = click.Group("storage", help="Stored files: copy them to another backend.")


@dataclass
class Migration:
    copied: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # already in the destination, SHA-256 checked
    missing: list[str] = field(default_factory=list)  # a row refers to a file the source does not have
    mismatched: list[str] = field(default_factory=list)  # bytes that are not the ones the row recorded

    @property
    def failed(self) -> bool:
        return bool(self.missing or self.mismatched)


def stored_files() -> list[tuple[str, str | None]]:
    """(key, SHA-256 the row keeps) of every file a row refers to, in key order."""
    files = {}
    for owner in FILE_OWNERS.values():
        digest = owner.sha256 if owner.sha256 is not None else literal(None)
        for key, sha256 in db.session.execute(select(owner.key, digest).where(owner.key.is_not(None))):
            files[key] = sha256
    return sorted(files.items())


def copy_file(source: Storage, destination: Storage, key: str, expected: str | None, result: Migration) -> None:
    if destination.exists(key):
        found = destination.sha256(key)
        (result.present if expected in (None, found) else result.mismatched).append(key)
        return
    try:
        handle = source.open(key)
    except StorageError:
        result.missing.append(key)
        return
    with handle:
        stored = destination.save_as(key, handle)
    if expected is not None and stored.sha256 != expected:
        destination.delete(key)  # not the file the row recorded: leave no copy that a resumed run would trust
        result.mismatched.append(key)
        return
    result.copied.append(key)


@storage_cli.command("migrate")
@click.option("--to", "target", required=True, help="Destination: s3://bucket/prefix, file:///path or a folder.")
@click.option("--dry-run", is_flag=True, help="Count what would be copied; write nothing.")
@with_appcontext
def migrate(target: str, dry_run: bool) -> None:
    """Copy every stored file the rows refer to into another storage backend (resumable, SHA-256 checked)."""
    source = get_storage()
    destination = storage_from_url(target, current_app.config)
    files = stored_files()
    db.session.remove()
    click.echo(f"{len(files)} stored files: {source!r} -> {destination!r}")
    result = Migration()
    if dry_run:
        for key, _ in files:
            (result.present if destination.exists(key) else result.copied).append(key)
        click.echo(f"dry run: {len(result.copied)} to copy, {len(result.present)} already there; nothing written")
        return
    with click.progressbar(files, label="copying", item_show_func=lambda item: item[0] if item else None) as bar:
        for key, expected in bar:
            copy_file(source, destination, key, expected, result)
    click.echo(f"copied {len(result.copied)}, already there {len(result.present)}")
    for key in result.missing:
        click.echo(f"missing in the source: {key}", err=True)
    for key in result.mismatched:
        click.echo(f"SHA-256 differs from the row's: {key}", err=True)
    if result.failed:
        raise click.ClickException(
            f"{len(result.missing)} missing, {len(result.mismatched)} with another SHA-256: not copied"
        )
    click.echo(f"done; set CERTCENTER_STORAGE_URL={target} on every node")
