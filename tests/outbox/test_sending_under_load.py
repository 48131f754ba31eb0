"""Issue 16, finding 1: N placements → N emails through a real SMTP server, exactly once.

``docket run`` is a real process on a SQLite file; the test drives it over HTTP from 16
threads at once (parties, placements — each queues one email —, payments and events), so
the relay claims and records its sends while the API, the ingest flusher and the inbox
loop write. Then the service is stopped
and started again, as an agency does on a deploy: a message the first process sent but did
not record would be found ``sending`` with a dead pid, and sent again if the relay trusted an
ordinary mail server to drop the copy. The server counts Message-IDs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine.cli.main import _register, cli
from engine.domain.store import make_engine
from tests.outbox.conftest import make_root
from tests.outbox.servers import SmtpServer, free_port

pytestmark = pytest.mark.slow

PLACEMENTS = 400
CLIENTS = 16


def _token(db: str) -> str:
    _register()
    result = CliRunner().invoke(cli, ["token", "create", "--role", "admin", "--db", db])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


class Service:
    """``docket run`` as a subprocess, its stderr kept in a file."""

    def __init__(self, root: Path, db: str, cwd: Path, name: str) -> None:
        self.port = free_port()
        self.log = cwd / f"{name}.log"
        command = [sys.executable, "-c", "from engine.cli.main import main; main()", "run"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), "--config", str(root), "--db", db],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "docket run did not start"
            time.sleep(0.1)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        logs = self.log.read_text()
        assert code == 0, logs
        return logs


def _place(base: str, token: str, numbers: range) -> Counter[tuple[str, int]]:
    """Place accounts ``numbers`` (each with its own party; an email goes out on placement),
    post a payment and an event about each: the answers by call and status."""
    answers: Counter[tuple[str, int]] = Counter()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as h:
        for n in numbers:
            calls = {
                "party": lambda n=n: h.put(
                    f"/parties/P{n}", json={"name": f"Debtor {n}", "email": f"d{n}@x.test"}
                ),
                "place": lambda n=n: h.post(
                    "/operations/place_account",
                    json={
                        "id": f"A{n}",
                        "client": "ACME",
                        "parties": [f"P{n}"],
                        "status": "ACTIVE",
                        "balances": {"principal": "100.00"},
                        "fields": {"send": ["email"]},
                    },
                ),
                "payment": lambda n=n: h.post(
                    "/operations/post_payment", json={"account": f"A{n}", "amount": "5.00"}
                ),
                "event": lambda n=n: h.post(
                    "/events", json={"name": "onDispute", "account": f"A{n}"}
                ),
            }
            for name, call in calls.items():
                answers[(name, call().status_code)] += 1
    return answers


def _rows(db: str) -> Counter[str]:
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            found = (
                conn.execute(text("SELECT status FROM outbox WHERE channel = 'email'"))
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    return Counter(found)


def _wait_for_mail(server: SmtpServer, count: int, service: Service) -> None:
    deadline = time.monotonic() + 120
    while len(server.received) < count:
        assert service.process.poll() is None, service.log.read_text()
        assert time.monotonic() < deadline, f"{len(server.received)} of {count} emails arrived"
        time.sleep(0.1)


def test_n_placements_under_api_load_send_n_emails_once_each_across_a_restart(
    tmp_path: Path,
) -> None:
    smtp = SmtpServer().start()
    try:
        root = make_root(
            tmp_path,
            f"""
            - id: mail
              type: smtp
              settings: {{host: 127.0.0.1, port: {smtp.port}, security: none,
                          from: "Agency <agency@x.test>"}}
            """,
        )
        db = f"sqlite:///{tmp_path / 'docket.db'}"
        token = _token(db)

        first = Service(root, db, tmp_path, "first")
        per_client = PLACEMENTS // CLIENTS
        batches = [range(i * per_client, (i + 1) * per_client) for i in range(CLIENTS)]
        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = sum(pool.map(lambda r: _place(first.base, token, r), batches), Counter())
        expected = {("party", 200), ("place", 200), ("payment", 200), ("event", 202)}
        assert answers == {key: PLACEMENTS for key in expected}  # not one 503 (busy) among them
        _wait_for_mail(smtp, PLACEMENTS, first)
        first_logs = first.stop()

        # The restart: anything left ``sending`` by the first process is stale now (its pid is
        # gone). One more placement, sent by the second process, shows its relay has run.
        second = Service(root, db, tmp_path, "second")
        answers = _place(second.base, token, range(PLACEMENTS, PLACEMENTS + 1))
        assert answers == {key: 1 for key in expected}
        _wait_for_mail(smtp, PLACEMENTS + 1, second)
        second_logs = second.stop()
    finally:
        smtp.stop()

    ids = Counter(mail.message["Message-ID"] for mail in smtp.received)
    duplicates = {mid: n for mid, n in ids.items() if n > 1}
    assert duplicates == {}, f"sent twice: {duplicates}"
    assert len(ids) == PLACEMENTS + 1  # no loss
    assert _rows(db) == {"sent": PLACEMENTS + 1}
    for logs in (first_logs, second_logs):
        errors = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
        assert [e["message"] for e in errors if e["level"] in ("error", "critical")] == []
