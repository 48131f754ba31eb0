"""A relay killed with SIGKILL between a send and its record, then started again.

The relay is a real ``docket outbox relay --once`` process; the servers are real. A connector
that deduplicates (webhook: Idempotency-Key) gets the message again with the same key; one
that cannot (the fax plug-in) leaves it in doubt, and its reconcile hook decides.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.outbox.conftest import Desk, MakeDesk

pytestmark = pytest.mark.slow

DOCKET = str(Path(sys.executable).with_name("docket"))


def start_relay(one: Desk, cwd: Path, pythonpath: str | None = None) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    command = [DOCKET, "outbox", "relay", "--once", "--config", str(one.root), "--db", one.db_url]
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def wait_until(check: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not check():
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise AssertionError(f"the relay exited early ({process.returncode}):\n{output}")
        assert time.monotonic() < deadline, "the relay never got to send"
        time.sleep(0.05)


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL


def test_killed_after_sending_a_webhook_it_is_sent_again_with_the_same_key(
    desk: MakeDesk, http_server, tmp_path: Path
) -> None:
    server = http_server(hold_first=True)  # receives the first call, then never answers it
    one = desk(
        f"""
        - id: hooks
          type: webhook
          settings: {{url: "{server.url}/hook", timeout: 60}}
        """
    )
    one.place(send=("webhook",))

    relay = start_relay(one, tmp_path)
    wait_until(server.received.is_set, relay)
    kill(relay)

    row = one.row()
    assert (row.status, row.attempts) == ("sending", 1)  # sent, never recorded
    report = one.relay()  # the relay starts again

    assert report.recovered == [1] and report.sent == [1]
    row = one.row()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(server.requests) == 2
    assert len(set(server.keys())) == 1  # the server sees one distinct key


@pytest.mark.parametrize("faxed", [True, False], ids=["faxed", "not-faxed"])
def test_killed_around_a_fax_the_message_is_in_doubt_and_reconcile_decides(
    desk: MakeDesk,
    tmp_path: Path,
    fax_plugin: Path,
    monkeypatch: pytest.MonkeyPatch,
    faxed: bool,
) -> None:
    monkeypatch.syspath_prepend(str(fax_plugin))
    stage = "after" if faxed else "before"
    one = desk(
        f"""
        - id: fax
          type: fax
          settings: {{journal: fax.log, hang_file: hang, hang_stage: {stage}}}
        """
    )
    one.place(send=("letter",))
    hang, journal = tmp_path / "hang", tmp_path / "fax.log"
    hang.touch()

    relay = start_relay(one, tmp_path, str(fax_plugin))
    # Hanging after faxing: wait for the journal line; before: for the send to begin.
    marker = journal if faxed else tmp_path / "fax.started"
    wait_until(marker.exists, relay)
    kill(relay)
    hang.unlink()
    assert one.row().status == "sending"

    report = one.relay()

    assert report.in_doubt == [1]
    row = one.row()
    lines = journal.read_text().splitlines() if journal.exists() else []
    assert len(lines) == 1  # faxed exactly once, before or after the crash
    assert row.status == "sent"
    if faxed:
        assert report.sent == [1] and report.recovered == []
        assert row.payload["_delivery"]["detail"] == "found in the fax journal"
    else:
        assert report.recovered == [1] and report.sent == [1]
        assert row.payload["_delivery"]["detail"] == "faxed"
