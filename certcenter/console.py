"""The ``certcenter`` command: Flask's commands (``db``, ``run``, ``shell``) and the centre's own, on the app the
factory makes. Above the factory, so that the factory (which adds the commands) never imports it back."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app() -> Flask:
    from certcenter import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Manage the qualification-confirmation centre."""
