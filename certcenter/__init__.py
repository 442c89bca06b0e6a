"""certcenter: an independent qualification-confirmation centre under Kazakhstan's NQF."""

from __future__ import annotations

import copy
import importlib
import importlib.util
import os
from pathlib import Path
from typing import Any

from flask import Flask

from certcenter.config import ProductionConfig, check_production, config_class, served_base_url
from certcenter.core import ids

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The domains, bottom layer first (see the README's Layout): each registers its blueprints, the panels it shows on
# lower domains' pages, how its notices read, its tasks, from its own ``init_app``.
DOMAINS = (
    "core",
    "framework",
    "accounts",
    "notifications",
    "qualifications",
    "candidates",
    "applications",
    "evidence",
    "assessments",
    "exams",
    "appeals",
    "certificates",
    "reports",
    "records",
    "demo",
)


def create_app(config: str | type | None = None, **overrides: Any) -> Flask:
    instance_path = os.environ.get("CERTCENTER_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    cls = config if isinstance(config, type) else config_class(config)
    app.config.from_object(cls)
    app.config.from_pyfile("config.py", silent=True)
    # the class's mappings are copied first: CERTCENTER_<KEY>__<part> changes this app's, never the class's
    app.config.update({key: copy.deepcopy(value) for key, value in app.config.items() if isinstance(value, dict)})
    app.config.from_prefixed_env("CERTCENTER")
    app.config.update(overrides)
    from certcenter.core.settings import fixed_by_environment

    app.config["CENTRE_SETTINGS_FIXED"] = fixed_by_environment(os.environ, overrides)
    _finish_config(app, cls)
    ids.init_app(app)  # <int:...> takes ASCII digits only; before any route is added

    from certcenter.extensions import babel, celery_init_app, csrf, db, limiter, login_manager, migrate

    _import_models()
    db.init_app(app)
    migrate.init_app(app, db)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from certcenter.core.i18n import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    from certcenter.core import workers

    workers.init_celery(app, celery_init_app(app))
    for domain in DOMAINS:
        importlib.import_module(f"certcenter.{domain}").init_app(app)

    from certcenter.cli import register_commands

    register_commands(app)
    _trust_proxies(app)
    from certcenter.core import request_timing

    request_timing.init_app(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies (a load balancer, nginx), the client's address and scheme are taken from the last N
    entries of X-Forwarded-For / X-Forwarded-Proto; with 0 (the default) those headers are ignored, as anyone can
    send them. Rate limits and the audit log count by that address."""
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _finish_config(app: Flask, cls: type) -> None:
    if issubclass(cls, ProductionConfig):
        check_production(app.config)
    elif not app.config.get("PUBLIC_BASE_URL"):
        app.config["PUBLIC_BASE_URL"] = served_base_url(app.config["HOST"], app.config["PORT"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"] or (
            f"sqlite:///{Path(app.instance_path) / 'certcenter.sqlite3'}"
        )
    if not app.config.get("STORAGE_ROOT"):
        app.config["STORAGE_ROOT"] = str(Path(app.instance_path) / "files")
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        _rate_limit_storage(app)


def _rate_limit_storage(app: Flask) -> None:
    """Redis when configured (with its timeouts), else a SQLite file that every web server process shares."""
    from certcenter.core.ratelimit import storage_uri
    from certcenter.extensions import redis_client_options

    if app.config["REDIS_URL"]:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
        seconds = app.config["RATELIMIT_REDIS_TIMEOUT_SECONDS"]
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", redis_client_options(app, seconds))
    else:
        app.config["RATELIMIT_STORAGE_URI"] = storage_uri(str(Path(app.instance_path) / "ratelimits.sqlite3"))


def _import_models() -> None:
    """Every model module, so that relationships resolve and migrations see the whole schema."""
    importlib.import_module("certcenter.core.settings")
    for domain in DOMAINS:
        module = f"certcenter.{domain}.models"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
