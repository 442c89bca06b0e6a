"""``certcenter credentials``: the credential keys (list, rotate)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

credentials_cli = click.Group("credentials", help="The keys that sign the certificates' credentials.")


@credentials_cli.command("keys")
@with_appcontext
def list_keys() -> None:
    """Every published key; the one that signs is marked."""
    from certcenter.certificates.keys import active_key, issuer_keys, multikey_id

    signing = active_key().key_id
    for key in issuer_keys():
        state = "signs" if key.key_id == signing else "published" if key.private is None else "published (private kept)"
        click.echo(f"{key.key_id}  {state}  {multikey_id(key)}")


@credentials_cli.command("rotate-key")
@click.option(
    "--keep-old-private/--destroy-old-private",
    default=False,
    help="Keep the private half of the keys that stop signing (by default only their public half stays).",
)
@with_appcontext
def rotate_key(keep_old_private: bool) -> None:
    """Make a new key that signs from now on; the old keys stay published, so what they signed still verifies."""
    from certcenter.certificates.keys import generate_key, issuer_keys, keys_folder, retire_private_half

    folder = keys_folder()
    old = [key for key in issuer_keys() if key.private is not None]
    key_id = generate_key(folder)
    if not keep_old_private:
        for key in old:
            retire_private_half(folder, key.key_id)
    click.echo(f"new signing key {key_id}; {len(issuer_keys()) - 1} older key(s) stay published")
