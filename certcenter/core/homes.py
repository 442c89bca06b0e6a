"""Where each role lands after signing in: a higher domain registers its role's home page here (the candidate's
applications, the assessor's workspace, the administrator's work queue); core only picks the first that fits.

A person with several roles lands on the home of the lowest ``order`` among his roles (the administrator's queue
before the assessor's workspace before the candidate's applications)."""

from __future__ import annotations

from flask import Flask, url_for

from certcenter.core.registry import Registry

_homes = Registry("core.homes")


def register_home(app: Flask, role: str, endpoint: str, *, order: int) -> None:
    _homes.add(app, role, endpoint, order=order)


def home_url(user) -> str:
    """The page ``user`` starts from; the public home page for someone with no registered role."""
    for role, endpoint in _homes.items():
        if user.has_role(role):
            return url_for(endpoint)
    return url_for("core.home")
