"""Celery workers as the database sees them: a heartbeat row per worker process, and the sweep that sends again
what a dead worker was holding.

Each worker's main process writes its row every ``WORKER_HEARTBEAT_SECONDS`` from a thread of its own, listing the
messages it holds (prefetched or running). A worker is live while its row is fresher than ``WORKER_STALE_SECONDS``
(``certcenter serve`` also marks the row of a worker it saw die, so that the death counts at once). /health reads
the rows instead of asking the workers over the broker, so it answers in milliseconds.

The sweep (a beat task every few seconds) finds the rows of dead workers and gives their messages back: on Redis
it restores them from the unacknowledged set by their delivery tags (instead of waiting for the visibility timeout
of an hour); on the embedded broker, where a fetched message lives only in the worker's memory, it sends them
again. Every task is idempotent and acknowledged late, so a message given back twice only does its work once.
Then each domain's sweeper (registered with ``register_sweeper``) sends again the rows a dead worker left half
done, keyed on the worker that started them rather than on the rows' age.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery import bootsteps
from celery.signals import task_received, worker_init, worker_shutdown
from flask import Flask, current_app
from sqlalchemy import create_engine, delete, insert, select, update
from sqlalchemy.pool import NullPool

from certcenter.core.models import WorkerHeartbeat, utcnow
from certcenter.extensions import db

logger = logging.getLogger(__name__)

# Set in a worker's main process before its pool processes are forked, so that they inherit it.
_identity: dict[str, str] = {}
PROMPT_BEAT_GAP_SECONDS = 0.2
_beater: list[Beater] = []


@worker_init.connect
def _remember_identity(sender: Any = None, **_kwargs: Any) -> None:
    _identity.update(id=uuid.uuid4().hex, node=str(getattr(sender, "hostname", None) or socket.gethostname()))


def current_worker_id() -> str | None:
    """The id of the worker process this code runs in (or under, for a pool process); None outside a worker."""
    return _identity.get("id")


# --- the heartbeat --------------------------------------------------------------------------------------------------


def held_messages() -> list[dict[str, Any]]:
    """What this worker holds: the requests it has received and not finished, with their delivery tags."""
    from celery.worker import state

    for _attempt in range(3):
        try:
            requests = list(state.requests.values())
            break
        except RuntimeError:  # changed size while being copied
            continue
    else:
        requests = []
    held = []
    for request in requests:
        message = getattr(request, "message", None)
        held.append(
            {
                "id": request.id,
                "name": request.name,
                "args": list(request.args or ()),
                "kwargs": dict(request.kwargs or {}),
                "tag": getattr(message, "delivery_tag", None),
            }
        )
    return json.loads(json.dumps(held, default=str))


class Beater(threading.Thread):
    """Writes the worker's row every interval, on an engine of its own without a pool (nothing for the pool
    processes forked later to inherit)."""

    def __init__(self, app: Flask) -> None:
        super().__init__(name="certcenter-heartbeat", daemon=True)
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        timeout = {"timeout": 5} if uri.startswith("sqlite") else {"connect_timeout": 5}
        self.engine = create_engine(uri, poolclass=NullPool, connect_args=timeout)
        self.interval = float(app.config["WORKER_HEARTBEAT_SECONDS"])
        self.stopping = threading.Event()
        self.received = threading.Event()  # a message came in: beat now, so that the row lists it
        self.table = WorkerHeartbeat.__table__

    def run(self) -> None:
        while not self.stopping.is_set():
            if self.received.wait(self.interval):
                # the signal comes just before the request is recorded as reserved: let the worker record it
                self.stopping.wait(PROMPT_BEAT_GAP_SECONDS)
            self.received.clear()
            if self.stopping.is_set():
                return
            self.beat()

    def beat(self) -> None:
        worker_id = current_worker_id()
        if worker_id is None:
            return
        values = {
            "node": _identity["node"],
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "beat_at": utcnow(),
            "ended_at": None,
            "held": held_messages(),
        }
        try:
            with self.engine.begin() as connection:
                changed = connection.execute(update(self.table).where(self.table.c.id == worker_id).values(**values))
                if changed.rowcount == 0:
                    connection.execute(insert(self.table).values(id=worker_id, started_at=utcnow(), **values))
        except Exception:  # the database may be away for a moment; the row just grows stale meanwhile
            logger.warning("worker heartbeat not written", exc_info=True)

    def stop(self) -> None:
        self.stopping.set()
        self.received.set()

    def remove_row(self) -> None:
        worker_id = current_worker_id()
        if worker_id is None:
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(delete(self.table).where(self.table.c.id == worker_id))
        except Exception:
            logger.warning("worker heartbeat not removed", exc_info=True)


def heartbeat_step(app: Flask) -> type[bootsteps.StartStopStep]:
    """A step of the worker's consumer: it beats while the consumer is connected and consuming. When the consumer
    loses the broker the beats stop, and what the worker held is given back by the sweep."""

    class Heartbeat(bootsteps.StartStopStep):
        requires = ("celery.worker.consumer.tasks:Tasks",)

        def start(self, consumer: Any) -> None:
            if not _beater:
                _beater.append(Beater(app))
            beater = _beater[0]
            beater.beat()  # before the first message is taken
            if not beater.is_alive():
                beater.start()

        def stop(self, consumer: Any) -> None:
            # a consumer that restarts (broker lost) stops beating; a worker shutting down beats until the
            # worker_shutdown signal, while its running tasks finish
            if _beater and consumer.blueprint.state != bootsteps.CLOSE:
                _beater[0].stop()
                _beater.clear()

    return Heartbeat


@task_received.connect
def _beat_promptly(**_kwargs: Any) -> None:
    """A worker killed right after fetching a message must not take it to its grave unlisted: the heartbeat is
    written within PROMPT_BEAT_GAP_SECONDS instead of at the next interval."""
    if _beater:
        _beater[0].received.set()


@worker_shutdown.connect
def _remove_heartbeat(**_kwargs: Any) -> None:
    """A worker that stops cleanly has given its messages back to the broker: its row goes with it."""
    if _beater:
        _beater[0].stop()
        _beater[0].remove_row()
        _beater.clear()


def init_celery(app: Flask, celery_app: Any) -> None:
    celery_app.steps["consumer"].add(heartbeat_step(app))


# --- reading the heartbeats -----------------------------------------------------------------------------------------


def _is_live(row: WorkerHeartbeat, since: datetime) -> bool:
    return row.ended_at is None and row.beat_at >= since


def _stale_before(now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(seconds=current_app.config["WORKER_STALE_SECONDS"])


def live_workers() -> list[WorkerHeartbeat]:
    since = _stale_before()
    rows = db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.node)).all()
    return [row for row in rows if _is_live(row, since)]


def live_worker_ids() -> set[str]:
    return {row.id for row in live_workers()}


def mark_dead(host: str, pid: int) -> int:
    """Record that the worker process ``pid`` on ``host`` has died (its supervisor saw it); the caller commits."""
    result = db.session.execute(
        update(WorkerHeartbeat)
        .where(WorkerHeartbeat.host == host, WorkerHeartbeat.pid == pid, WorkerHeartbeat.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# --- the sweep ------------------------------------------------------------------------------------------------------

Sweeper = Callable[[set[str]], int]
_sweepers: dict[str, Sweeper] = {}


def register_sweeper(name: str, sweeper: Sweeper) -> None:
    """A domain's sweeper: called with the ids of the live workers, it sends again what waits too long or what a
    dead worker left half done, commits, and returns how many it sent."""
    _sweepers[name] = sweeper


def give_back_dead_workers_messages() -> int:
    """Give back the messages held by workers that stopped beating, then forget those workers. Returns how many."""
    since = _stale_before()
    rows = db.session.scalars(select(WorkerHeartbeat)).all()
    dead = [row for row in rows if not _is_live(row, since)]
    if not dead:
        return 0
    held_by_live = {message["id"] for row in rows if _is_live(row, since) for message in row.held}
    lost = [message for row in dead for message in row.held if message["id"] not in held_by_live]
    given_back = _give_back(lost) if lost else 0
    for row in dead:
        logger.warning(
            "worker %s (pid %s) stopped beating at %s holding %d message(s); %d given back",
            row.node,
            row.pid,
            row.beat_at.isoformat(timespec="seconds"),
            len(row.held),
            given_back,
        )
        db.session.delete(row)
    db.session.commit()
    return given_back


def _give_back(messages: list[dict[str, Any]]) -> int:
    celery = current_app.extensions["celery"]
    count = 0
    with celery.connection_for_write() as connection:
        channel = connection.default_channel
        qos = getattr(channel, "qos", None)
        on_redis = hasattr(qos, "restore_by_tag") and hasattr(qos, "unacked_key")
        for message in messages:
            if on_redis and message.get("tag"):
                # still unacknowledged: back to its queue at once; gone: the dead worker finished it
                if channel.client.hexists(qos.unacked_key, message["tag"]):
                    qos.restore_by_tag(message["tag"])
                    count += 1
            elif message["name"] in celery.tasks:
                celery.tasks[message["name"]].apply_async(args=message["args"], kwargs=message["kwargs"])
                count += 1
    return count


def sweep() -> dict[str, int]:
    """The beat task's body: dead workers' messages first, then each domain's sweeper."""
    results = {"workers": give_back_dead_workers_messages()}
    live = live_worker_ids()
    for name, sweeper in _sweepers.items():
        try:
            results[name] = sweeper(live)
        except Exception:
            db.session.rollback()
            logger.exception("sweeper %s failed", name)
    return results
