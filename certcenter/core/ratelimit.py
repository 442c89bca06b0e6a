"""Rate-limit counts that every web server process sees, without Redis.

Flask-Limiter's ``memory://`` storage counts per process: under gunicorn with two workers a limit of 20 let 37
requests through. ``limits`` has no storage for a single machine without a server, so this is one: fixed-window
counters in a small SQLite file under the instance folder (WAL mode, one statement per hit), registered with
``limits`` under the scheme ``certcenter-sqlite``. With Redis configured the counts live in Redis instead. Either
way, when the storage fails Flask-Limiter falls back to counting in memory (``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``)
and logs it, so that a storage outage never turns a page into an error.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from typing import Any

from limits.storage import Storage

SCHEME = "certcenter-sqlite"
SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL)"
HIT = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :expires_at)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN counters.expires_at <= :now THEN excluded.count ELSE counters.count + excluded.count END,
    expires_at = CASE WHEN counters.expires_at <= :now THEN excluded.expires_at ELSE counters.expires_at END
RETURNING count
"""


def storage_uri(path: str) -> str:
    return f"{SCHEME}://{os.path.abspath(path)}"


class SQLiteStorage(Storage):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, timeout: float = 1.0, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1]
        self.timeout = timeout
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (a connection must not cross a fork)."""
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # counts may be lost with the machine, never corrupted
            connection.execute(SCHEMA)
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        (count,) = connection.execute(
            HIT, {"key": key, "amount": amount, "expires_at": now + expiry, "now": now}
        ).fetchone()
        if random.random() < 0.01:  # now and then, forget the windows that are over
            connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        return count

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute("SELECT count FROM counters WHERE key = ? AND expires_at > ?", (key, time.time()))
            .fetchone()
        )
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = (
            self._connection()
            .execute("SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?", (key, now))
            .fetchone()
        )
        return row[0] if row else now

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
