"""The console over the demo's judgment story plus a worklist long enough to page, served on
loopback by a real uvicorn (for the browser) and through TestClient (for plain HTTP checks)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from engine.api import ApiSettings, create_app
from engine.api.tokens import create_token
from engine.config import load_ruleset
from engine.domain import models as m
from engine.domain.operations import accounts
from engine.runtime import Engine
from engine.scenario.model import load_scenario
from engine.scenario.runner import ScenarioResult, Simulation

REPO = Path(__file__).resolve().parents[2]
STORY = REPO / "engine" / "cli" / "demo" / "03-judgment-and-payment.yaml"
ROLES = ("viewer", "integrator", "admin")


def pytest_configure(config: pytest.Config) -> None:
    # Starlette's TestClient would rather use httpx2; httpx is what FastAPI documents.
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient`")


@dataclass
class Desk:
    engine: Engine
    tokens: dict[str, str]
    url: str = ""


def _story(folder: Path) -> Engine:
    """The demo's judgment story, then 30 more accounts (a worklist of two pages), a task,
    a dead letter and a failed event."""
    story = folder / STORY.name
    story.write_text(f"config: {REPO}\n" + STORY.read_text(encoding="utf-8"), encoding="utf-8")
    scenario = load_scenario(story)
    db_url = f"sqlite:///{folder / 'console.sqlite'}"
    simulation = Simulation(scenario, load_ruleset(REPO), db_url, None)
    result = ScenarioResult(story)
    simulation.run(result)
    assert result.error is None, result.error
    engine = simulation.engine
    with engine.unit("test") as unit:
        for n in range(30):
            accounts.upsert_party(
                unit,
                {
                    "id": f"Q{n}",
                    "name": f"Sam Lee {n}",
                    "address": f"{n} Oak Road\nSpringfield, IL 62701",
                },
            )
            accounts.place_account(
                unit,
                id=f"W{n:02d}",
                client="ACME",
                parties=[f"Q{n}"],
                balances={"principal": f"{100 + n}.00"},
            )
    engine.process()
    with engine.unit("test") as unit:
        unit.session.add(
            m.Task(
                account_id="A1",
                title="Call the court clerk",
                status="open",
                created_on=unit.today,
                created_at=unit.now,
            )
        )
        letter = unit.session.scalars(select(m.OutboxMessage).order_by(m.OutboxMessage.id)).first()
        assert letter is not None
        letter.status, letter.last_error = "dead", "printer: paper jam"
        event = unit.session.scalars(select(m.InboxEvent).order_by(m.InboxEvent.seq)).first()
        assert event is not None
        event.status, event.reason = "failed", "trigger x: the printer caught fire"
    return engine


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    engine = _story(tmp_path)
    made = {}
    with engine.unit("test") as unit:
        for role in ROLES:
            made[role], _ = create_token(unit.session, role, f"console-{role}", unit.now)
    yield Desk(engine, made)
    engine.close()


@pytest.fixture
def client(desk: Desk) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    app = create_app(desk.engine, ApiSettings(token_cache_seconds=0, access_log=False))
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def served(desk: Desk) -> Iterator[Desk]:
    """The app on a loopback port, in a thread of this process."""
    app = create_app(desk.engine, ApiSettings(token_cache_seconds=0, access_log=False))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the console did not start"
        time.sleep(0.05)
    desk.url = f"http://127.0.0.1:{port}"
    yield desk
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium from the system's packages, driven by Playwright."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not installed: run `bash .ci/setup test`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()
