"""Local stand-ins for the outside world: a real SMTP server, a fake Twilio API, test senders."""

from __future__ import annotations

import base64
import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

from roadside_console.domain.notifications.service import OutgoingMessage


def free_port() -> int:
    """Return a TCP port that is free right now on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class ReceivedEmail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SmtpSink:
    """A real SMTP server (aiosmtpd) on a free local port that keeps what it receives."""

    refuse: set[str] = field(default_factory=set)
    received: list[ReceivedEmail] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.original_content, policy=default_policy)
        self.received.append(ReceivedEmail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]

    def start(self) -> Controller:
        self.port = free_port()
        controller = Controller(self, hostname=self.host, port=self.port)
        controller.start()
        return controller


@dataclass
class FakeTwilio:
    """A tiny HTTP server that answers Twilio's Messages API and records each request."""

    status: int = 201
    error: dict[str, Any] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = self.headers.get("Authorization", "")
                user = base64.b64decode(auth.removeprefix("Basic ")).decode().split(":")[0]
                fake.requests.append({"path": self.path, "form": form, "user": user})
                if fake.error is not None:
                    body = {**fake.error, "status": fake.status}
                else:
                    body = {
                        "sid": f"SM{len(fake.requests):032d}",
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "status": "queued",
                    }
                data = json.dumps(body).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class CollectingSender:
    """Accept every message and keep it."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> str | None:
        with self._lock:
            self.sent.append(message)
        return f"fake-{len(self.sent)}"


class FailingSender:
    """Fail every message with the given exception."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def send(self, message: OutgoingMessage) -> str | None:
        self.calls += 1
        raise self.error
