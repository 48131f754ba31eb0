"""Fixtures for the HTTP API tests: an engine on the API test agency, the app, a token per role."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from engine.api import ApiSettings, create_app
from engine.api.tokens import create_token
from engine.config import load_ruleset
from engine.config.model import RuleSet
from engine.domain.clock import SimulatedClock
from engine.domain.operations.accounts import upsert_party
from engine.runtime.engine import Engine

if TYPE_CHECKING:  # imported in the fixture, after the warning filter below is in place
    from fastapi.testclient import TestClient

CONFIG = Path(__file__).with_name("config")
TODAY = date(2026, 5, 4)  # a Monday
ROLES = ("viewer", "integrator", "admin")


def pytest_configure(config: pytest.Config) -> None:
    # Starlette's TestClient would rather use httpx2; httpx is what FastAPI documents.
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient`")


@pytest.fixture(scope="session")
def api_ruleset() -> RuleSet:
    return load_ruleset(CONFIG)


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    """A writable copy of the API test configuration (for reload tests)."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    return target


@pytest.fixture
def engine(db_url: str, api_ruleset: RuleSet) -> Iterator[Engine]:
    made = Engine(api_ruleset, db_url, clock=SimulatedClock(TODAY, api_ruleset.agency.timezone))
    with made.unit("test") as unit:
        upsert_party(unit, {"id": "P1", "name": "Dana Reyes", "email": "dana@example.test"})
    yield made
    made.close()


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    """A token text per role."""
    made = {}
    with engine.unit("test") as unit:
        for role in ROLES:
            made[role], _ = create_token(unit.session, role, f"test-{role}", unit.now)
    return made


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def headers(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    """Authorization headers per role."""
    return {role: bearer(text) for role, text in tokens.items()}


@pytest.fixture
def client(engine: Engine, tokens: dict[str, str]) -> Iterator[TestClient]:
    """The app over the engine, no background workers (tests call ``engine.process()``)."""
    from fastapi.testclient import TestClient

    app = create_app(engine, ApiSettings(token_cache_seconds=0, access_log=False))
    with TestClient(app) as test_client:
        yield test_client


Place = Callable[..., dict[str, Any]]


@pytest.fixture
def place(client: TestClient, headers: dict[str, dict[str, str]], engine: Engine) -> Place:
    """Place an account through the API and process its placement events."""

    def go(account: str = "A1", principal: str = "1200.00", **extra: Any) -> dict[str, Any]:
        body = {
            "account": account,
            "client": "ACME",
            "parties": ["P1"],
            "balances": {"principal": principal},
            **extra,
        }
        answer = client.post("/operations/place_account", json=body, headers=headers["admin"])
        assert answer.status_code == 200, answer.text
        engine.process()
        return dict(answer.json())

    return go
