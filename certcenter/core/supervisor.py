"""A small process supervisor for ``certcenter serve``: the web server and the Celery worker run side by side, and
one that dies is started again after a pause that doubles with each quick death (1, 2, 4 ... 30 s), while the other
keeps running. Each child runs in a process group of its own, so that the remains of a dead one (a worker's pool
processes, its embedded beat) are ended with it and do not linger beside its successor."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

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

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env, process_group=0)
        self.started_at = time.monotonic()
        self.restart_at = None

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
