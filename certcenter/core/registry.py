"""Extension points: how a higher domain plugs something into a lower one without the lower one importing it.

A lower domain declares a ``Registry`` ("what may describe a notice", "what may add a panel to the application
page"); a higher domain adds its entries from its own ``init_app``. Entries live on the app, so two apps in one
process (the tests make several) never see each other's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, current_app


class Registry:
    """Named entries kept per app, in the order of ``order`` then of registration."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _entries(self, app: Flask) -> dict[str, tuple[int, Any]]:
        return app.extensions.setdefault(f"certcenter.registry.{self.name}", {})

    def add(self, app: Flask, key: str, value: Any, *, order: int = 100) -> None:
        """Register ``value`` under ``key``; registering the same key again replaces it (``init_app`` may run twice)."""
        self._entries(app)[key] = (order, value)

    def get(self, key: str, default: Any = None) -> Any:
        return self.get_for(current_app, key, default)

    def get_for(self, app: Flask, key: str, default: Any = None) -> Any:
        entry = self._entries(app).get(key)
        return entry[1] if entry else default

    def __iter__(self) -> Iterator[Any]:
        entries = self._entries(current_app).values()
        return (value for _order, value in sorted(entries, key=lambda entry: entry[0]))

    def items(self) -> list[tuple[str, Any]]:
        entries = self._entries(current_app)
        return [(key, value) for key, (_order, value) in sorted(entries.items(), key=lambda item: item[1][0])]
