"""Pages composed of panels from several domains.

A page of a lower domain names a slot (``"application.page"``) and renders ``{{ panels("application.page",
application=application) }}``; each higher domain registers the panels it shows there: a template and a function
giving its context from the page's objects and the signed-in user, or None to show nothing. The page does not know
which domains fill it, and each panel's data comes from its own domain's services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, render_template
from markupsafe import Markup

from certcenter.core.registry import Registry


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[..., dict[str, Any] | None]


def register_panel(
    app: Flask, slot: str, name: str, template: str, context: Callable[..., dict[str, Any] | None], *, order: int
) -> None:
    _slot(slot).add(app, name, Panel(template, context), order=order)


def render_panels(slot: str, /, **objects: Any) -> Markup:
    """Every panel of the slot that has something to show, in order. ``objects`` are the page's own (the
    application, a form that failed and must be shown again, ...); each panel takes what it needs."""
    parts = []
    for panel in _slot(slot):
        context = panel.context(**objects)
        if context is not None:
            parts.append(render_template(panel.template, **{**objects, **context}))
    return Markup("\n".join(parts))


_slots: dict[str, Registry] = {}


def _slot(name: str) -> Registry:
    if name not in _slots:
        _slots[name] = Registry(f"panels.{name}")
    return _slots[name]


def init_app(app: Flask) -> None:
    app.add_template_global(render_panels, "panels")
