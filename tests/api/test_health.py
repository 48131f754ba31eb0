"""Issue 16, finding 8: ``/health`` says ``degraded`` and why; 503 answers name their cause.

The store is a real SQLite file: "full" is SQLite's own ``max_page_count`` limit (the same
SQLITE_FULL a full disk gives), "busy" a real write lock held by another connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from engine.api import ApiSettings, create_app
from engine.config import load_ruleset
from engine.domain.clock import SimulatedClock
from engine.runtime.engine import Engine
from tests.api.conftest import TODAY, Place

PATHS = Path("action_paths/paths.yaml")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:  # these tests hold SQLite's own locks and limits
    return f"sqlite:///{tmp_path / 'docket.db'}"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


class PageLimit:
    """Every connection of the engine may grow the file to ``pages`` pages (None: no limit)."""

    def __init__(self, engine: Engine) -> None:
        self.db = engine.db
        self.pages: int | None = None
        event.listen(self.db, "checkout", self._apply)

    def _apply(self, dbapi_connection: Any, *_: Any) -> None:
        limit = self.pages if self.pages is not None else 1_073_741_823
        dbapi_connection.execute(f"PRAGMA max_page_count = {limit}")

    def full_now(self) -> None:
        """No page more than the file has now (it cannot shrink below that)."""
        with self.db.connect() as conn:
            self.pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())

    def lift(self) -> None:
        self.pages = None

    def close(self) -> None:
        event.remove(self.db, "checkout", self._apply)


@pytest.fixture
def limit(engine: Engine) -> Iterator[PageLimit]:
    found = PageLimit(engine)
    yield found
    found.close()


def test_health_is_ok_and_lists_no_problems(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["problems"] == []


def test_a_full_store_answers_503_naming_it_and_health_is_degraded_until_a_write_commits(
    client: TestClient, headers: dict[str, dict[str, str]], limit: PageLimit, place: Place
) -> None:
    h = headers["integrator"]
    place("A1")
    limit.full_now()
    big = {"name": "onDispute", "account": "A1", "data": {"note": "x" * 200_000}}

    refused = client.post("/events", json=big, headers=h)

    assert refused.status_code == 503
    problem = refused.json()
    assert problem["type"].endswith("/storage-full")
    assert "the disk is full or the database reached its size limit" in problem["detail"]
    assert "database or disk is full" in problem["detail"]
    assert "busy" not in problem["detail"]
    health = client.get("/health").json()
    assert health["status"] == "degraded"
    [storage] = health["problems"]
    assert storage["area"] == "storage" and "database or disk is full" in storage["reason"]

    limit.lift()  # space freed: the next write commits and the service is well again
    assert client.post("/events", json=big, headers=h).status_code == 202
    assert client.get("/health").json() == {**health, "status": "ok", "problems": []}


def test_a_write_lock_held_elsewhere_answers_503_busy(
    client: TestClient, headers: dict[str, dict[str, str]], engine: Engine, sqlite_url: str
) -> None:
    # A short busy timeout for the API's connections, so the lock is not waited out.
    def impatient(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 50")

    event.listen(engine.db, "checkout", impatient)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process's writer, holding the lock
        answer = client.put("/parties/P9", json={"name": "Ann Lee"}, headers=headers["admin"])
    finally:
        other.execute("ROLLBACK")
        other.close()
        event.remove(engine.db, "checkout", impatient)

    assert answer.status_code == 503
    problem = answer.json()
    assert problem["type"].endswith("/busy")
    assert "another writer holds SQLite's lock (database is locked)" in problem["detail"]
    assert answer.headers["Retry-After"] == "1"
    assert client.get("/health").json()["status"] == "ok"  # busy is a moment, not a state


def test_a_refused_reload_degrades_health_until_a_configuration_applies(
    engine: Engine, headers: dict[str, dict[str, str]], config_copy: Path
) -> None:
    ruleset = load_ruleset(config_copy)
    clock = SimulatedClock(TODAY, ruleset.agency.timezone)
    live = Engine(ruleset, engine.db_url, clock=clock)
    app = create_app(live, ApiSettings(token_cache_seconds=0, access_log=False))
    paths = config_copy / PATHS
    good = paths.read_text()
    try:
        with TestClient(app) as client:
            paths.write_text(good.replace("- wait: 10 days", "- wait: 1O days"))
            assert client.post("/config/reload", headers=headers["admin"]).status_code == 422

            health = client.get("/health").json()
            assert health["status"] == "degraded"
            [problem] = health["problems"]
            assert problem["area"] == "configuration"
            assert problem["reason"].startswith(
                "a changed configuration was refused: action_paths/paths.yaml:"
            )
            assert "keeps running" in problem["reason"]

            paths.write_text(good)
            assert client.post("/config/reload", headers=headers["admin"]).status_code == 200
            assert client.get("/health").json()["status"] == "ok"
    finally:
        live.close()
