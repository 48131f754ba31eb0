"""Real servers on loopback for the connector tests: SMTP (aiosmtpd) and HTTP (http.server)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port nothing listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- SMTP ------------------------------------------------------------------------------------


@dataclass
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class MailHandler:
    """Keeps every accepted message; refuses recipients at ``refused`` with 550."""

    def __init__(self) -> None:
        self.received: list[Mail] = []
        self.refused: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Mail(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message_from_bytes(envelope.content, policy=policy.default),  # type: ignore[arg-type]
            )
        )
        return "250 OK queued"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that may require a login, STARTTLS or implicit TLS."""

    def __init__(
        self,
        port: int | None = None,
        *,
        login: tuple[str, str] | None = None,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
    ) -> None:
        self.port = port or free_port()
        self.handler = MailHandler()
        self.logins: list[str] = []
        options: dict[str, Any] = {}
        if login is not None:
            options.update(
                authenticator=self._authenticator(login),
                auth_required=True,
                # aiosmtpd does not count TLS-on-connect as TLS for AUTH; STARTTLS it does.
                auth_require_tls=starttls is not None,
            )
        if starttls is not None:
            options.update(tls_context=starttls, require_starttls=True)
        if implicit_tls is not None:
            options.update(ssl_context=implicit_tls, server_hostname="127.0.0.1")
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)

    def _authenticator(self, login: tuple[str, str]) -> Callable[..., AuthResult]:
        def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
            if not isinstance(data, LoginPassword):
                return AuthResult(success=False, handled=False)
            user, password = data.login.decode(), data.password.decode()
            self.logins.append(user)
            return AuthResult(success=(user, password) == login, handled=False)

        return check

    @property
    def received(self) -> list[Mail]:
        return self.handler.received

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpServer:
    """Records every request; answers each with the next of ``statuses`` (then 200).

    With ``hold_first``, the first request is recorded and then not answered until
    ``release`` is set: the crash test kills the relay while it waits.
    """

    statuses: list[int] = field(default_factory=list)
    hold_first: bool = False
    requests: list[Request] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    reply: dict[str, Any] = field(default_factory=lambda: {"id": "msg-1"})
    delay: float = 0.0
    error_headers: dict[str, str] = field(default_factory=dict)  # sent with non-2xx answers
    echo_auth: bool = False  # like some gateways: "invalid key <the key you sent>"

    def __post_init__(self) -> None:
        owner = self
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with owner.lock:
                    owner.requests.append(
                        Request(self.command, self.path, dict(self.headers.items()), body)
                    )
                    first = len(owner.requests) == 1
                    status = owner.statuses.pop(0) if owner.statuses else 200
                owner.received.set()
                if owner.hold_first and first:
                    owner.release.wait(60)
                if owner.delay:
                    owner.release.wait(owner.delay)
                error: dict[str, Any] = {"error": status}
                if owner.echo_auth:
                    error["message"] = f"invalid credentials: {self.headers.get('Authorization')}"
                data = json.dumps(owner.reply if status < 300 else error).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in (owner.error_headers if status >= 300 else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_PUT = do_PATCH = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def keys(self) -> list[str]:
        return [r.headers.get("Idempotency-Key", "") for r in self.requests]

    def start(self) -> HttpServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
