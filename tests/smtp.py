"""A real SMTP server on loopback for the tests (aiosmtpd, in a thread): it keeps every message it accepts, and can
be told to refuse (a 4xx for now, a 5xx for good). The ``smtp`` fixture points the test app's mail at it."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """aiosmtpd handler: ``refuse_data`` / ``refuse_rcpt`` are lists of replies given before accepting."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_data: list[str] = []
        self.refuse_rcpt: list[str] = []
        self.received = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data.pop(0)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.received.set()
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def header(message: EmailMessage, name: str) -> str:
    """A header as a mail program shows it: RFC 2047 encoded words joined (Python's address parser puts a space
    between two encoded words that split a word)."""
    return str(make_header(decode_header(dict(message.raw_items())[name])))


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text_of(message))


PUBLIC = "https://certs.example.kz"


@pytest.fixture
def smtp(app, monkeypatch) -> Iterator[SMTPServer]:
    """The session's app sends its mail over SMTP to a server on loopback, and its links point at PUBLIC."""
    server = SMTPServer().start()
    monkeypatch.setitem(app.config, "MAIL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_SMTP_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_SMTP_SECURITY", "none")
    monkeypatch.setitem(app.config, "MAIL_SMTP_TIMEOUT_SECONDS", 5)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC)
    try:
        yield server
    finally:
        server.stop()


def path_of(link: str) -> str:
    """A mailed link, as the test client follows it (it must point at the public address)."""
    assert link.startswith(PUBLIC + "/"), link
    return link[len(PUBLIC) :]
