"""Configuration: the running version, validating a candidate, and safe reload (API and watch)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.api import ApiSettings, create_app
from engine.api.tokens import create_token
from engine.config import load_ruleset
from engine.domain.clock import SimulatedClock
from engine.domain.operations.accounts import upsert_party
from engine.runtime.engine import Engine
from tests.api.conftest import CONFIG, TODAY, bearer

PATHS = Path("action_paths/paths.yaml")


@pytest.fixture
def live(db_url: str, config_copy: Path) -> Iterator[tuple[Engine, dict[str, str]]]:
    """An engine on a writable copy of the configuration, with an admin token."""
    ruleset = load_ruleset(config_copy)
    engine = Engine(ruleset, db_url, clock=SimulatedClock(TODAY, ruleset.agency.timezone))
    with engine.unit("test") as unit:
        text, _ = create_token(unit.session, "admin", "admin", unit.now)
        upsert_party(unit, {"id": "P1", "name": "Dana Reyes"})
    yield engine, bearer(text)
    engine.close()


def _place_and_dispute(client: TestClient, h: dict[str, str], engine: Engine) -> int:
    """A1 placed and disputed: the dispute review waits ten days. Its run id."""
    placed = client.post(
        "/operations/place_account",
        json={
            "account": "A1",
            "client": "ACME",
            "parties": ["P1"],
            "balances": {"principal": "50"},
        },
        headers=h,
    )
    assert placed.status_code == 200, placed.text
    event = client.post("/events", json={"name": "onDispute", "account": "A1"}, headers=h).json()
    engine.process()
    trace = client.get(f"/events/{event['id']}", headers=h).json()
    run = int(trace["triggers"][0]["runs"][0])
    assert client.get(f"/runs/{run}", headers=h).json()["status"] == "waiting"
    return run


def test_config_reads_and_validate(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    current = client.get("/config", headers=headers["viewer"]).json()
    assert current["agency"] == "API Test Recovery" and current["triggers"] == 2
    assert current["hash"] == client.get("/health").json()["ruleset"]

    good = client.post("/config/validate", json={"root": str(CONFIG)}, headers=headers["admin"])
    assert good.status_code == 200
    assert good.json()["valid"] is True and good.json()["hash"] == current["hash"]
    nowhere = client.post("/config/validate", json={"root": "/no/such"}, headers=headers["admin"])
    assert nowhere.status_code == 422
    assert nowhere.json()["errors"] == [
        {"field": "body.root", "message": "not a folder on the server"}
    ]


def test_validate_reports_findings_with_places(
    client: TestClient, headers: dict[str, dict[str, str]], config_copy: Path
) -> None:
    paths = config_copy / PATHS
    paths.write_text(paths.read_text().replace("set_status: DISPUTED", "set_status: DISPUTD"))
    answer = client.post(
        "/config/validate", json={"root": str(config_copy)}, headers=headers["admin"]
    )
    result = answer.json()
    assert answer.status_code == 200 and result["valid"] is False
    assert any(
        e["file"] == "action_paths/paths.yaml" and "DISPUTD" in e["message"]
        for e in result["errors"]
    )
    assert all(
        e["text"].startswith(f"{e['file']}:{e['line']}:{e['col']}: error:")
        for e in result["errors"]
    )


def test_reload_refuses_a_bad_config_and_keeps_running_then_applies_a_good_one(
    live: tuple[Engine, dict[str, str]], config_copy: Path
) -> None:
    engine, h = live
    app = create_app(engine, ApiSettings(token_cache_seconds=0, access_log=False))
    with TestClient(app) as client:
        waiting = _place_and_dispute(client, h, engine)
        before = client.get("/config", headers=h).json()["hash"]

        paths = config_copy / PATHS
        good_text = paths.read_text()
        paths.write_text(
            good_text.replace("run: ", "run: ").replace("- wait: 10 days", "- wait: 1O days")
        )
        refused = client.post("/config/reload", headers=h)
        assert refused.status_code == 422
        problem = refused.json()
        assert problem["type"].endswith("/config-invalid")
        assert problem["running"] == before
        assert problem["errors"] and all(
            e["field"].startswith("action_paths/paths.yaml:") for e in problem["errors"]
        )
        assert problem["findings"][0].startswith("action_paths/paths.yaml:")
        # The running version keeps working.
        assert client.get("/config", headers=h).json()["hash"] == before
        assert client.get(f"/runs/{waiting}", headers=h).json()["status"] == "waiting"
        sent = client.post("/events", json={"name": "onDispute", "account": "A1"}, headers=h)
        assert sent.status_code == 202
        engine.process()
        assert client.get(sent.json()["trace"], headers=h).json()["status"] == "processed"

        # A valid change is applied; the waiting run follows on_change: cancel.
        paths.write_text(good_text.replace("Dispute review over.", "Review finished."))
        applied = client.post("/config/reload", headers=h)
        assert applied.status_code == 200, applied.text
        result = applied.json()
        assert result["changed"] is True and result["previous"] == before
        assert waiting in result["version_change"]["cancelled"]
        assert client.get("/config", headers=h).json()["hash"] == result["current"] != before
        run = client.get(f"/runs/{waiting}", headers=h).json()
        assert run["status"] == "cancelled" and "on_change: cancel" in run["error"]

        unchanged = client.post("/config/reload", headers=h).json()
        assert unchanged["changed"] is False


def _wait_for(check: object, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_watch_reloads_good_changes_and_ignores_bad_ones(
    live: tuple[Engine, dict[str, str]], config_copy: Path
) -> None:
    engine, h = live
    settings = ApiSettings(
        token_cache_seconds=0,
        access_log=False,
        watch=True,
        watch_interval=0.1,
        process_inbox=True,
        inbox_idle_seconds=0.05,
    )
    app = create_app(engine, settings)
    with TestClient(app) as client:
        before = client.get("/config", headers=h).json()["hash"]
        paths = config_copy / PATHS
        good_text = paths.read_text()
        paths.write_text(good_text.replace("set_status: DISPUTED", "set_status: DISPUTD"))
        time.sleep(1.0)  # several polls: the bad version is refused
        assert client.get("/config", headers=h).json()["hash"] == before
        metrics = client.get("/metrics", headers=h).text
        assert 'docket_config_reloads_total{outcome="refused"} 1.0' in metrics

        paths.write_text(good_text.replace("Dispute review over.", "Review done."))
        assert _wait_for(lambda: client.get("/config", headers=h).json()["hash"] != before)
        # The inbox loop processes what arrives, on the new version.
        placed = client.post(
            "/operations/place_account",
            json={
                "account": "W1",
                "client": "ACME",
                "parties": ["P1"],
                "balances": {"principal": "9"},
            },
            headers=h,
        )
        assert placed.status_code == 200
        sent = client.post("/events", json={"name": "onDispute", "account": "W1"}, headers=h).json()
        assert _wait_for(
            lambda: client.get(sent["trace"], headers=h).json()["status"] == "processed"
        )
