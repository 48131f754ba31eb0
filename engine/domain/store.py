"""Database access: engines with the right pragmas, sessions, and migrations (Alembic)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine.domain.date_changes import track
from engine.domain.models.base import json_default

MIGRATIONS = Path(__file__).with_name("migrations")
DEFAULT_URL = "sqlite:///docket.db"


def normalize_url(url: str) -> str:
    """Accept a bare file path or ``postgresql://`` and return a SQLAlchemy URL."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


# What SQLite (and PostgreSQL) say when a write cannot happen now, and why.
BUSY = ("database is locked", "database table is locked", "database is busy")
FULL = ("database or disk is full", "no space left on device")


def _says(exc: BaseException, marks: tuple[str, ...]) -> bool:
    if not isinstance(exc, OperationalError | sqlite3.OperationalError):
        return False
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc).lower()
    return any(mark in text for mark in marks)


def is_busy(exc: BaseException) -> bool:
    """Another connection holds SQLite's write lock (or committed under our read): retry."""
    return _says(exc, BUSY)


def is_full(exc: BaseException) -> bool:
    """The store cannot grow: the disk is full, or SQLite's ``max_page_count`` is reached."""
    return _says(exc, FULL)


def _dumps(value: Any) -> str:
    return json.dumps(value, default=json_default)


def make_engine(url: str) -> Engine:
    """An engine for the store; SQLite runs in WAL mode with a busy timeout."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, json_serializer=_dumps, connect_args={"timeout": 30, "check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's recipe.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, json_serializer=_dumps, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database to the newest schema (``docket db upgrade``)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the store; each notes the subjects whose dates it writes (for sweeps)."""
    factory = sessionmaker(engine, expire_on_commit=False, autoflush=True)
    track(factory)
    return factory


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
