"""Real servers for the hostile tests, each on a free port with folders of its own: a Redis server the test can
freeze (SIGSTOP) or kill, gunicorn serving the app, and a small HTTP client that never raises on an error status."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from certcenter.core import gunicorn_config
from tests.conftest import require_service

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent
# gunicorn's own answer when the app raises (what the centre must never send)
GUNICORN_500 = "<h1><p>Internal Server Error</p></h1>"
TIMEOUT = ("--timeout", "60")


def wait_until(condition, seconds: float, interval: float = 0.2):
    """The condition's first true value within ``seconds``, else None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """``redis-server`` on a free port, without persistence, stopped at the end of the test."""

    def __init__(self, folder: Path) -> None:
        require_service(shutil.which("redis-server") is not None, "redis-server is missing (apt-get install redis)")
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def freeze(self) -> None:
        """It keeps accepting connections (the kernel does) but never answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.thaw()
        self.process.kill()
        self.process.wait(timeout=10)


@dataclass
class Answer:
    status: int
    body: str
    headers: dict
    seconds: float

    def json(self):
        return json.loads(self.body)


class Browser:
    """A cookie-keeping HTTP client that follows no redirects and returns every status instead of raising."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None, timeout=30):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, content, found = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, content, found = error.code, error.read(), dict(error.headers)
        return Answer(status, content.decode("utf-8", "replace"), found, time.monotonic() - started)

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Answer:
        return self.request("POST", path, data=data, **kwargs)

    def form_token(self, path: str) -> str:
        page = self.get(path).body
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def login(self, email: str, password: str) -> Answer:
        token = self.form_token("/login")
        return self.post("/login", {"csrf_token": token, "email": email, "password": password})


def app_environment(instance: Path, database_url: str, **settings: str) -> dict:
    """The environment of a process that builds the app with ``create_app()`` (gunicorn, celery, serve)."""
    env = dict(os.environ, CERTCENTER_ENV="development", CERTCENTER_INSTANCE_PATH=str(instance))
    env["CERTCENTER_DATABASE_URL"] = database_url
    env.pop("CERTCENTER_REDIS_URL", None)
    env.update({f"CERTCENTER_{name}": value for name, value in settings.items()})
    return env


class Gunicorn:
    """The web server as production starts it (``core/gunicorn_config.py``), answering once every worker process
    has warmed up."""

    def __init__(self, env: dict, log_path: Path, workers: int = 2, threads: int = 4) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process = subprocess.Popen(
            gunicorn_config.command(f"127.0.0.1:{self.port}", workers=workers, threads=threads, options=TIMEOUT),
            env=env,
            cwd=ROOT,
            stdout=log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-3000:]}")
            if len(set(gunicorn_config.READY_LINE.findall(self.log()))) >= workers:
                try:
                    urllib.request.urlopen(self.base + "/api/v1/openapi.json", timeout=2).close()
                    return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer: {log_path.read_text()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def is_the_apps_error_page(answer: Answer) -> bool:
    """The centre's own error page (HTML) or JSON problem, not the web server's."""
    if GUNICORN_500 in answer.body:
        return False
    content_type = answer.headers.get("Content-Type", "")
    if content_type.startswith("application/problem+json"):  # the API's RFC 9457 problem
        problem = answer.json()
        return problem.get("status") == answer.status and "/problems/" in problem.get("type", "")
    if content_type.startswith("application/json"):
        return "error" in answer.json()
    return 'class="error-page"' in answer.body
