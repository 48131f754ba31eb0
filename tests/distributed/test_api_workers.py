"""``docket run --distributed`` with a ``docket worker``: the API takes events, the worker
processes them on the version the API published, and follows a reload."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import CONFIG
from tests.api.test_docket_run import _free_port
from tests.distributed.conftest import DOCKET, StartWorker, docket, scalar


def _wait_for(what: str, check: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.mark.postgres
def test_distributed_commands_refuse_a_store_not_set_up(pg_url: str, tmp_path: Path) -> None:
    sqlite = f"sqlite:///{tmp_path / 'docket.db'}"
    refused = docket("db", "upgrade", "--distributed", "--db", sqlite)
    assert refused.returncode == 1
    assert "the distributed mode needs PostgreSQL; sqlite is embedded only" in refused.stderr
    for command in (["worker"], ["run", "--distributed", "--config", str(CONFIG)]):
        result = docket(*command, "--db", pg_url)
        assert result.returncode == 1, result.stderr
        assert "not set up for workers: run `docket db upgrade --distributed`" in result.stderr
    assert docket("db", "upgrade", "--distributed", "--db", pg_url).returncode == 0
    unpublished = docket("worker", "--db", pg_url)
    assert unpublished.returncode == 1
    assert "no configuration is published in this database" in unpublished.stderr
    embedded = docket("db", "upgrade", "--embedded", "--db", pg_url)
    assert embedded.returncode == 0 and "no longer defer jobs" in embedded.stdout
    again = docket("worker", "--db", pg_url)
    assert again.returncode == 1 and "not set up for workers" in again.stderr


@pytest.mark.postgres
@pytest.mark.slow
def test_api_takes_events_and_workers_process_them_on_the_published_version(
    pg_url: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    root = tmp_path / "config"
    shutil.copytree(CONFIG, root)
    assert docket("db", "upgrade", "--distributed", "--db", pg_url).returncode == 0
    token = docket("token", "create", "--role", "admin", "--db", pg_url).stdout.strip()
    port = _free_port()
    api = subprocess.Popen(
        [*DOCKET, "run", "--distributed", "--port", str(port), "--config", str(root)],
        cwd=tmp_path,
        env={**os.environ, "DOCKET_DB": pg_url},
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            assert api.poll() is None, api.stderr.read() if api.stderr else ""
            try:
                return httpx.get(f"{base}/health", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        _wait_for("the API", up)
        first = scalar(pg_url, "select count(*) from ruleset_versions where active")
        assert first == 1
        worker = start_worker(pg_url, "--heartbeat", "1")
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=auth, timeout=10) as http:
            assert http.put("/parties/P1", json={"name": "Dana Reyes"}).status_code == 200
            placed = http.post(
                "/operations/place_account",
                json={"account": "A1", "client": "ACME", "parties": ["P1"]},
            )
            assert placed.status_code == 200, placed.text
            sent = http.post("/events", json={"name": "onDispute", "account": "A1"})
            assert sent.status_code == 202, sent.text
            processed = "select count(*) from inbox where name='onDispute' and status='processed'"
            _wait_for("the worker", lambda: scalar(pg_url, processed) == 1)
            old = "select count(*) from runs r join ruleset_versions v on v.hash = r.ruleset_hash "
            assert scalar(pg_url, old + "where r.path_id = 'dispute-review' and v.active") == 1

            # A reload publishes the new version; the worker follows it for the next event.
            rules = root / "rules" / "agency.yaml"
            rules.write_text(rules.read_text().replace("run: dispute-review", "run: welcome"))
            reloaded = http.post("/config/reload")
            assert reloaded.status_code == 200, reloaded.text
            current = reloaded.json()["current"]
            time.sleep(1.2)  # a worker checks for a new version at most every second
            again = http.post("/events", json={"name": "onDispute", "account": "A1"})
            assert again.status_code == 202
            _wait_for("the worker again", lambda: scalar(pg_url, processed) == 2)
            metrics = http.get("/metrics").text
            assert "docket_workers 1.0" in metrics
            assert "# HELP docket_jobs Worker jobs by task and status." in metrics
        on_new = (
            "select count(*) from runs r join inbox i on i.id = r.event_id "
            f"where i.name = 'onDispute' and r.ruleset_hash = '{current}' "
            "and r.path_id = 'welcome'"
        )
        assert scalar(pg_url, on_new) == 1
        # The welcome letter leaves through the relay, a periodic job of the worker.
        sent = "select count(*) from outbox where template = 'welcome' and status = 'sent'"
        _wait_for("the relay", lambda: scalar(pg_url, sent) == 1)
        assert list((tmp_path / "docket-outbox").rglob("*.pdf"))
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        api.send_signal(signal.SIGTERM)
        code = api.wait(timeout=60)
    assert code == 0
