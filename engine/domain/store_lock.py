"""One ``docket run`` per SQLite database: an OS lock on a file beside it.

SQLite lets one transaction write at a time. Two services on one file answer each other's
writes with "database is locked", run every scheduler job twice and relay side by side; so
``docket run`` holds an exclusive ``flock`` on ``<database>.lock`` for as long as it runs. The
kernel drops the lock when the process ends, however it ends: a crash or a SIGKILL never
leaves a stale lock behind (the file stays, unlocked, naming the last holder). PostgreSQL
needs none of this: several processes share it by design (``docket worker``).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from engine.domain.errors import StoreInUse
from engine.domain.store import normalize_url


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL or an in-memory database."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).resolve()


class StoreLock:
    """The exclusive lock of one serving process on one SQLite file (``take``/``release``)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def take(cls, url: str, what: str = "docket run") -> StoreLock | None:
        """Lock the database of ``url`` for this process; StoreInUse when another holds it.
        None when there is nothing to lock (PostgreSQL, memory)."""
        database = sqlite_file(url)
        if database is None:
            return None
        path = database.with_name(database.name + ".lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise StoreInUse(
                f"{database} is already served by {holder}: one process per SQLite database. "
                f"Stop that one first, or use PostgreSQL for several processes "
                f"(docs/deployment.md)"
            ) from None
        facts = {
            "what": what,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(facts).encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        """Let another process take the database (the kernel does it too, on exit)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _holder(fd: int) -> str:
    """Who holds the lock, as the holder wrote it."""
    try:
        facts = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"`{facts['what']}` (pid {facts['pid']} on {facts['host']}, since {facts['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
