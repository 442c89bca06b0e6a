"""A small process supervisor for ``certcenter serve``: the web server and the Celery worker run side by side, and
one that dies is started again after a pause that doubles with each quick death (1, 2, 4 ... 30 s), while the other
keeps running. Each child runs in a process group of its own, so that the remains of a dead one (a worker's pool
processes, its embedded beat) are ended with it and do not linger beside its successor.

A child's output goes to its own log file (rotated by size), and to the console too only when asked (``echo``):
the console keeps the address, the logins and what the supervisor itself has to say."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE_BYTES = 5 * 1024 * 1024  # each child's log is rotated at 5 MB, five old files kept
LOG_FILE_BACKUPS = 5
FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 30.0
# A child that ran this long before dying is restarted after the first pause again.
STEADY_SECONDS = 60.0


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] serve: {message}", flush=True)


@dataclass
class Child:
    name: str
    command: list[str]
    on_death: Callable[[Child, int], None] | None = None
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    pause: float = FIRST_PAUSE_SECONDS
    restart_at: float | None = None
    restarts: int = 0
    env: dict[str, str] | None = field(default=None, repr=False)
    log_file: Path | None = None  # None: the child writes to the console as it likes
    echo: bool = False  # also copy the child's output to the console
    _log: logging.Logger | None = field(default=None, repr=False)

    def start(self) -> None:
        if self.log_file is None:
            self.process = subprocess.Popen(self.command, env=self.env, process_group=0)
        else:
            self.process = subprocess.Popen(
                self.command, env=self.env, process_group=0, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            threading.Thread(target=self._copy_output, args=(self.process,), daemon=True).start()
        self.started_at = time.monotonic()
        self.restart_at = None

    def _logger(self) -> logging.Logger:
        if self._log is None:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(
                self.log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
            )
            handler.setFormatter(logging.Formatter("%(message)s"))
            self._log = logging.getLogger(f"certcenter.serve.{self.log_file.stem}")
            self._log.propagate = False
            self._log.setLevel(logging.INFO)
            self._log.addHandler(handler)
        return self._log

    def _copy_output(self, process: subprocess.Popen) -> None:
        """Line by line into the rotated log file (and the console when echoing), until the child's pipe closes."""
        log = self._logger()
        for raw in iter(process.stdout.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            log.info(line)
            if self.echo:
                sys.stdout.write(f"{self.name}: {line}\n")
                sys.stdout.flush()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def end_group(self, sig: int = signal.SIGKILL) -> None:
        """Signal what is left of the child's process group."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, sig)


class Supervisor:
    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.stopping = False

    def start(self) -> None:
        for child in self.children:
            child.start()
            log(f"{child.name} started (pid {child.process.pid})")

    def watch_once(self) -> None:
        """Notice deaths and make due restarts; called every half second."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at and not self.stopping:
                    child.start()
                    child.restarts += 1
                    log(f"{child.name} restarted (pid {child.process.pid}, restart {child.restarts})")
                continue
            if child.running or self.stopping:
                continue
            code = child.process.returncode
            child.end_group()
            if now - child.started_at >= STEADY_SECONDS:
                child.pause = FIRST_PAUSE_SECONDS
            log(f"{child.name} (pid {child.process.pid}) exited with code {code}; restarting in {child.pause:.0f} s")
            if child.on_death is not None:
                try:
                    child.on_death(child, code)
                except Exception as exc:  # the supervisor goes on whatever a hook does
                    log(f"after the death of {child.name}: {type(exc).__name__}: {exc}")
            child.restart_at = now + child.pause
            child.pause = min(child.pause * 2, LONGEST_PAUSE_SECONDS)

    def run(self, interval: float = 0.5) -> None:
        while not self.stopping:
            self.watch_once()
            time.sleep(interval)

    def stop(self, timeout: float = 20) -> None:
        self.stopping = True
        for child in self.children:
            if child.running:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
            child.end_group()
