"""``docket token`` and ``docket run``: a live service on loopback, stopped by SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine.cli.main import _register, cli
from engine.domain.store import make_engine
from tests.api.conftest import CONFIG


def _docket(*args: str) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_token_create_list_revoke(db_url: str) -> None:
    code, out, err = _docket(
        "token", "create", "--role", "integrator", "--name", "crm", "--db", db_url
    )
    assert code == 0
    token = out.strip()
    assert token.startswith("dkt_") and "not shown again" in err
    code, out, _ = _docket("token", "list", "--db", db_url, "--json")
    listed = json.loads(out)
    assert [(t["name"], t["role"]) for t in listed] == [("crm", "integrator")]
    assert token not in out  # never the secret
    code, out, _ = _docket("token", "revoke", "crm", "--db", db_url)
    assert code == 0 and "revoked" in out
    code, out, _ = _docket("token", "list", "--db", db_url, "--json")
    assert json.loads(out) == []
    code, out, _ = _docket("token", "list", "--all", "--db", db_url, "--json")
    assert json.loads(out)[0]["revoked_at"] is not None
    code, _, err = _docket("token", "revoke", "nobody", "--db", db_url)
    assert code == 1
    code, _, _ = _docket("token", "create", "--role", "root", "--db", db_url)
    assert code == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_docket_run_serves_processes_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'docket.db'}"
    code, out, _ = _docket("token", "create", "--role", "admin", "--db", db)
    assert code == 0
    auth = {"Authorization": f"Bearer {out.strip()}"}
    port = _free_port()
    command = [sys.executable, "-c", "from engine.cli.main import main; main()", "run"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--config", str(CONFIG), "--db", db],
        cwd=tmp_path,  # the outbox relay's letter folder goes here
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "docket run did not start"
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.1)
        with httpx.Client(base_url=base, headers=auth, timeout=10) as http:
            missing = http.post("/events", json={"name": "onDispute", "account": "A1"})
            assert missing.status_code == 422  # no such account yet; kept as rejected
            assert http.put("/parties/P1", json={"name": "Dana Reyes"}).status_code == 200
            placed = http.post(
                "/operations/place_account",
                json={"account": "A1", "client": "ACME", "parties": ["P1"]},
            )
            assert placed.status_code == 200, placed.text
            for n in range(60):  # the inbox loop is busy with these when SIGTERM arrives
                sent = http.post(
                    "/events",
                    json={"name": "onDispute", "account": "A1"},
                    headers={"Idempotency-Key": f"k{n}"},
                )
                assert sent.status_code == 202
            metrics = http.get("/metrics").text
            # The scheduler caught up at start-up: one daily cycle, measured.
            assert 'docket_sweep_duration_seconds_count{job="daily"} 1.0' in metrics
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    logs = server.stderr.read() if server.stderr else ""
    assert code == 0, logs
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    messages = [entry["message"] for entry in lines]
    assert "docket service started" in messages
    assert "docket service stopped" in messages
    assert any(entry.get("route") == "/events" and entry.get("status") == 422 for entry in lines)
    assert all({"ts", "level", "logger", "message"} <= set(entry) for entry in lines)
    # Nothing half-done: every event is still pending or was processed with its trace.
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT i.status, t.event_id IS NOT NULL FROM inbox i "
                    "LEFT JOIN event_traces t ON t.event_id = i.id WHERE i.name = 'onDispute'"
                )
            ).all()
    finally:
        engine.dispose()
    assert len(rows) == 61
    assert {(status, bool(traced)) for status, traced in rows} <= {
        ("pending", False),
        ("processed", True),
        ("rejected", False),
    }
