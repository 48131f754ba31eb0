"""What a connector did, recorded durably before anything can lease the message again.

A connector's answer is final the moment it is given: an accepted email cannot be called
back. So the relay writes it like this:

- one ``UPDATE`` that needs no prior read (``WHERE id = … AND attempts = <the claim's>``), so
  SQLite's "read, then someone committed, then write" failure cannot happen to it;
- inside the process's write gate when there is one (``docket run``: the turns the API and
  the inbox loop take), so no writer of the same process holds the lock meanwhile;
- retried with backoff when the store answers *locked* or *busy* (another process writing);
- and when it still fails (the disk full, the store away), kept in ``Unrecorded``: written
  first by the next pass of the same process, whose recovery leaves those rows alone.

Only a crash loses the memory; then the row's lease runs out ``sending`` and it becomes
``in_doubt`` (``recovery``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.domain import is_busy
from engine.domain import models as m

log = logging.getLogger("docket.outbox")

T = TypeVar("T")
Gate = Callable[[], AbstractContextManager[object]]

# A recorded outcome applies while the row is still this claim's: being sent, or found in
# doubt / made due again by a relay that took it for stale (its attempts are unchanged).
CLAIMED = ("sending", "in_doubt", "pending")


@dataclass(slots=True)
class Writer:
    """Short write transactions: in the gate's turn, retried while the store is busy."""

    sessions: Callable[[], Session]
    gate: Gate | None = None
    attempts: int = 10
    pause: float = 0.01  # seconds before the first retry; doubled each time, at most 1 s
    patience: float = 60.0  # no retry starts after this many seconds (each may wait out
    # SQLite's busy timeout); well inside the lease, and the memory covers the rest

    def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a transaction of its own; OperationalError once retries are spent."""
        started = time.monotonic()
        for attempt in range(self.attempts):
            try:
                with self._turn(), self.sessions() as session, session.begin():
                    return work(session)
            except OperationalError as exc:
                last = attempt == self.attempts - 1
                if not is_busy(exc) or last or time.monotonic() - started > self.patience:
                    raise
            time.sleep(min(1.0, self.pause * 2**attempt))  # outside the gate: others go first
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def _turn(self) -> Iterator[None]:
        with self.gate() if self.gate is not None else nullcontext():
            yield


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to record for one claim: the columns to set and where the report lists it."""

    row_id: int
    attempts: int  # the claim's attempt number: the record applies to that claim only
    values: dict[str, Any]
    kind: str  # a RelayReport list: sent, retrying, dead
    note: str  # the log line

    def apply(self, session: Session) -> bool:
        """Write it; False when the row is no longer this claim's (an admin took it over)."""
        done = session.execute(
            update(m.OutboxMessage)
            .where(
                m.OutboxMessage.id == self.row_id,
                m.OutboxMessage.attempts == self.attempts,
                m.OutboxMessage.status.in_(CLAIMED),
            )
            .values(**self.values)
            .execution_options(synchronize_session=False)
        )
        return getattr(done, "rowcount", 0) == 1


class Unrecorded:
    """Outcomes this process has not managed to write yet, by message id (thread-safe).

    The owner (the scheduler service, the relay command's loop) keeps one across passes;
    each pass writes these first, and its recovery skips their rows.
    """

    def __init__(self) -> None:
        self._items: dict[int, Outcome] = {}
        self._lock = threading.Lock()

    def add(self, outcome: Outcome) -> None:
        with self._lock:
            self._items[outcome.row_id] = outcome

    def ids(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._items)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def flush(self, writer: Writer) -> list[tuple[Outcome, bool]]:
        """Write what is kept, oldest first; stop at the first failure (the store is still
        away). Returns each written outcome and whether it still applied."""
        with self._lock:
            waiting = sorted(self._items.values(), key=lambda o: o.row_id)
        written = []
        for outcome in waiting:
            try:
                applied = writer.write(outcome.apply)
            except Exception as exc:  # still failing: keep them all for the next pass
                log.warning("outbox: %d outcomes still unrecorded: %s", len(waiting), exc)
                break
            with self._lock:
                self._items.pop(outcome.row_id, None)
            written.append((outcome, applied))
        return written
