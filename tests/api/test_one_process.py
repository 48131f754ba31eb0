"""Issue 16, finding 8: one ``docket run`` per SQLite database.

Real processes on one SQLite file: started together, one serves and the other refuses with a
message naming the first (no traceback); killed with SIGKILL, the first leaves no lock
behind that would keep the next one from starting.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import CONFIG
from tests.outbox.servers import free_port

pytestmark = pytest.mark.slow


def start(db: str, cwd: Path) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    command = [sys.executable, "-c", "from engine.cli.main import main; main()", "run"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--config", str(CONFIG), "--db", db],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    return process, port


def serves(process: subprocess.Popen[str], port: int) -> bool:
    """Wait until the process answers /health (True) or exits (False)."""
    deadline = time.monotonic() + 60
    while process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "docket run neither served nor exited"
        time.sleep(0.1)
    return False


def test_a_second_docket_run_on_one_sqlite_file_refuses_and_a_crash_leaves_no_lock(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'docket.db'}"
    first, second = start(db, tmp_path), start(db, tmp_path)  # started together
    try:
        up = [serves(*first), serves(*second)]
        assert sorted(up) == [False, True]
        (winner, port), (loser, _) = (first, second) if up[0] else (second, first)
        assert loser.wait(timeout=30) == 1
        said = loser.stderr.read() if loser.stderr else ""
        assert f"error: {tmp_path / 'docket.db'} is already served by `docket run` (pid " in said
        assert f"pid {winner.pid} on " in said
        assert "one process per SQLite database" in said
        assert "Traceback" not in said
        health = httpx.get(f"http://127.0.0.1:{port}/health").json()
        assert health["status"] == "ok"

        winner.send_signal(signal.SIGKILL)  # a crash: no clean-up of any kind
        winner.wait(timeout=30)
        after, after_port = start(db, tmp_path)
        try:
            assert serves(after, after_port), after.stderr.read() if after.stderr else ""
        finally:
            after.send_signal(signal.SIGTERM)
            assert after.wait(timeout=60) == 0
    finally:
        for process, _ in (first, second):
            if process.poll() is None:
                process.kill()
                process.wait()
