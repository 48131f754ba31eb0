"""Shared fixtures: a database URL per backend (SQLite always, PostgreSQL when it answers).

PostgreSQL tests get a schema of their own (``search_path``) so parallel workers never clash.
Locally they skip with the reason when no server answers; with DOCKET_REQUIRE_PG=1 (CI) a
missing server is a failure, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("DOCKET_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect is the reason we report
        return f"PostgreSQL at {PG_URL} does not answer: {type(exc).__name__}: {exc}"


@pytest.fixture(scope="session")
def pg_reason() -> str | None:
    return _pg_available()


def _pg_schema_url(pg_reason: str | None) -> Iterator[str]:
    if pg_reason is not None:
        if os.environ.get("DOCKET_REQUIRE_PG") == "1":
            pytest.fail(pg_reason)
        pytest.skip(pg_reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_reason: str | None) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'docket.db'}"
        return
    yield from _pg_schema_url(pg_reason)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'docket.db'}"


@pytest.fixture
def sample_root() -> Path:
    """The sample agency configuration at the repository root."""
    return REPO
