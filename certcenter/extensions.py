"""Extensions, created unbound and bound to an app in ``create_app``."""

from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=str(Path(__file__).parent / "migrations"), render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _limits_off_in_this_app() -> bool:
    """The limiter is one object in the process and takes "enabled" from the app it was bound to last; whether
    limits apply is each app's own setting (a process that holds several apps, as the tests do, keeps each one's)."""
    return not current_app.config.get("RATELIMIT_ENABLED", True)


def broker_url(app: Flask) -> str:
    from certcenter.broker import SCHEME  # registers the embedded transport with kombu

    return app.config["REDIS_URL"] or f"{SCHEME}://"


def embedded_broker_options(app: Flask) -> dict:
    """Folders of the embedded broker: one queue folder shared by producers and workers, where each consumer
    claims a message by renaming it into ``claimed`` and an unreadable one is moved to ``quarantine``, plus a
    control folder for broadcasts (``control.ping``) without Redis."""
    root = Path(app.instance_path) / "broker"
    folders = {
        "data_folder_in": root / "queue",
        "data_folder_out": root / "queue",
        "claimed_folder": root / "claimed",
        "quarantine_folder": root / "quarantine",
        "control_folder": root / "control",
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    # The queue is read ten times a second: a worker that finishes a batch waits 0.1 s for the next instead of the
    # default second (the certificate benchmark: 42 -> 48 a second), for a directory listing that costs next to nothing.
    return {**{key: str(value) for key, value in folders.items()}, "polling_interval": 0.1}


def redis_timeouts(app: Flask, seconds: float | None = None) -> dict:
    """Socket timeouts for every Redis client: a Redis that accepts connections but never answers (frozen,
    overloaded) must fail a call within about a second instead of holding a request until gunicorn kills it."""
    seconds = seconds or app.config["REDIS_TIMEOUT_SECONDS"]
    return {"socket_timeout": seconds, "socket_connect_timeout": seconds}


def redis_client_options(app: Flask, seconds: float | None = None) -> dict:
    """For a redis-py client of our own (rate limits, /health): the timeouts, and no retries (a redis-py client
    retries a timed-out command up to ten times by default)."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {**redis_timeouts(app, seconds), "retry": Retry(NoBackoff(), 0)}


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    settings = dict(app.config["CELERY"])
    settings["broker_url"] = broker_url(app)
    if app.config["REDIS_URL"]:
        timeouts = redis_timeouts(app)
        # the consumer's BRPOP is not subject to socket_timeout (kombu watches it with health_check_interval)
        settings["broker_transport_options"] = {**timeouts, **settings.get("broker_transport_options", {})}
        settings["broker_connection_timeout"] = timeouts["socket_connect_timeout"]
        settings["redis_socket_timeout"] = timeouts["socket_timeout"]  # a Redis result backend, if one is set
        settings["redis_socket_connect_timeout"] = timeouts["socket_connect_timeout"]
    else:
        settings["broker_transport_options"] = embedded_broker_options(app)
    celery_app.config_from_object(settings)
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
