"""Issue 16, finding 8: ``/health`` is ``degraded``, with the reason, while the relay of
``docket run`` cannot send, and ``ok`` again once it can. A real SMTP server on loopback
(absent, then present); the app runs its scheduler and relay jobs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from engine.api import ApiSettings, create_app
from tests.outbox.conftest import Desk, MakeDesk
from tests.outbox.servers import free_port
from tests.outbox.test_smtp import smtp_connector

if TYPE_CHECKING:  # imported where used, after the warning filter below is in place
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


@contextmanager
def serving(one: Desk) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    settings = ApiSettings(
        access_log=False, scheduler=True, relay=True, relay_interval=0.1, scheduler_interval=3600
    )
    with TestClient(create_app(one.engine, settings)) as client:
        yield client


def health_when(client: TestClient, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first ``/health`` answer that passes ``check`` (the relay runs every 0.1 s)."""
    deadline = time.monotonic() + 30
    while not check(body := client.get("/health").json()):
        assert time.monotonic() < deadline, f"health stayed {body}"
        time.sleep(0.05)
    return body


def test_health_is_degraded_while_the_mail_server_is_unreachable_then_ok(
    desk: MakeDesk, smtp_server
) -> None:
    port = free_port()  # nothing listens there yet
    one = desk(
        f"""
        - id: mail
          type: smtp
          settings:
            host: 127.0.0.1
            port: {port}
            security: none
            from: "Outbox Test Recovery <noreply@outbox-test.example>"
            retry: {{max_attempts: 1000, backoff_seconds: 0}}
        """
    )
    one.place(send=("email",))
    with serving(one) as client:
        body = health_when(client, lambda b: b["status"] == "degraded")
        [problem] = body["problems"]
        assert problem["area"] == "outbox"
        assert problem["reason"].startswith("the outbox relay cannot send: 1 message(s) failed")
        assert f"cannot reach 127.0.0.1:{port}" in problem["reason"]

        server = smtp_server(port)
        health_when(client, lambda b: b["status"] == "ok" and b["problems"] == [])
        assert one.row().status == "sent" and len(server.received) == 1


def test_health_is_degraded_while_the_relay_cannot_start_its_connectors(
    desk: MakeDesk, smtp_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server()
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret-Pa55word")
    one = desk(
        smtp_connector(server.port, extra="username: docket\n        password: ${SMTP_PASSWORD}")
    )
    with serving(one) as client:
        assert client.get("/health").json()["status"] == "ok"
        monkeypatch.delenv("SMTP_PASSWORD")  # the relay reads its secrets on every pass

        body = health_when(client, lambda b: b["status"] == "degraded")
        [problem] = body["problems"]
        assert problem["area"] == "outbox"
        assert problem["reason"].startswith("the outbox relay fails: ")
        assert "SMTP_PASSWORD, which is unset" in problem["reason"]

        monkeypatch.setenv("SMTP_PASSWORD", "s3cret-Pa55word")
        health_when(client, lambda b: b["status"] == "ok")
