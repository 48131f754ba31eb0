"""What a batch writes once, at its end: ledger rows, traces, inbox statuses and new rows.

The bookkeeping of processed events is written once for the whole batch, in its
transaction; the current event's claims and plain rows wait until its savepoint is released
(a rolled-back event drops them).

A derived event no trigger listens to, about an account that is quiet (it exists, has no run
waiting or queued) and has no other event to come before it (none later in the batch, none
pending beyond it, none of its derived events left pending), is *settled* as it is written:
stored processed, with the trace processing it would have given (nothing considered). Taking
it later would find the same: no trigger, nothing to resume. This saves reading it back,
dispatching it and updating its status, for most derived events (the history-like ones).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.domain import models as m
from engine.runtime.batching import rows
from engine.runtime.traces.document import row_snapshot, trace_head

# Whether the ruleset lets a derived event (its inbox row) be settled as it is written: no
# trigger listens to it and it is within the depth guard. The writer checks the subject.
Unheard = Callable[[dict[str, Any]], bool]
_INBOX: Table = rows.table(m.InboxEvent)


@dataclass(slots=True)
class Claim:
    """A ledger row of the current event, kept as plain values until the batch writes it."""

    event_id: str
    trigger_id: str
    outcome: str


@dataclass(slots=True)
class BatchWriter:
    """The rows of one batch, queued in the order they were added and written by ``write``."""

    unheard: Unheard | None = None  # None: the batch settles nothing
    last: dict[str, int] = field(default_factory=dict)  # account -> index of its last event
    # The batch's answer: an existing account with no run waiting or queued.
    quiet: Callable[[str, str], bool] = field(default=lambda kind, subject_id: False)
    later: set[str] = field(default_factory=set)  # accounts with pending events beyond the batch
    position: int = -1  # index of the event being processed
    held_back: set[str] = field(default_factory=set)  # keys of subjects with derived events left
    settled: int = 0
    claims: list[Claim] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    traces: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    # Append-only rows (see ``rows``) in the order they were added, the ORM objects' and the
    # plain rows' alike: a stamp per object (by id, as it is added to the session), and the
    # plain rows with theirs (``queued``); the current event's plain rows wait in ``event_rows``.
    order: dict[int, int] = field(default_factory=dict)
    stamps: Iterator[int] = field(default_factory=count)
    event_rows: list[rows.Stamped] = field(default_factory=list)
    queued: list[rows.Stamped] = field(default_factory=list)
    # Where the current run began in ``claims`` and ``event_rows`` (``begin_run``).
    run_mark: tuple[int, int] = (0, 0)

    def begin_event(self) -> None:
        self.claims.clear()
        self.event_rows.clear()
        self.position += 1

    def begin_run(self) -> None:
        """A run starts in its own savepoint: mark what the event queued before it."""
        self.run_mark = (len(self.claims), len(self.event_rows))

    def run_failed(self) -> None:
        """The run's savepoint was rolled back: drop the claims and rows it queued."""
        claims, event_rows = self.run_mark
        del self.claims[claims:]
        del self.event_rows[event_rows:]

    def claim(self, event_id: str, trigger_id: str, outcome: str) -> Claim:
        """A ledger row for the current event, stored with the batch if the event commits."""
        row = Claim(event_id, trigger_id, outcome)
        self.claims.append(row)
        return row

    def add_row(self, model: type[Any], row: dict[str, Any]) -> None:
        """A plain append-only row of the current event."""
        self.event_rows.append((next(self.stamps), *rows.plain(model, row)))

    def stamp(self, obj: Any) -> None:
        """An append-only object joined the session: its place in the order of rows."""
        self.order[id(obj)] = next(self.stamps)

    def processed(
        self,
        inbox: Any,
        trace: dict[str, Any],
        ruleset_hash: str,
        now: datetime,
        failed: str | None = None,
    ) -> None:
        """The event's savepoint was released: queue its ledger rows, trace and status
        (``failed``: the reason, when some of its triggers failed alone)."""
        self.ledger.extend(
            {"event_id": c.event_id, "trigger_id": c.trigger_id, "outcome": c.outcome}
            for c in self.claims
        )
        self.claims.clear()
        self.traces.append({"event_id": inbox.id, "ruleset_hash": ruleset_hash, "doc": trace})
        for _, table, row in self.event_rows:
            if table is _INBOX:
                self._settle(row, ruleset_hash, now)
        self.queued.extend(self.event_rows)
        self.event_rows.clear()
        if failed is not None:
            # Only the safe mode records a failure, and it loads its events as objects: the
            # flush in ``write`` stores this one.
            inbox.status, inbox.reason, inbox.processed_at = "failed", failed, now
            inbox.ruleset_hash = ruleset_hash
            return
        self.statuses.append(
            {"key": inbox.seq, "status": "processed", "at": now, "ruleset": ruleset_hash}
        )
        if not isinstance(inbox, m.InboxEvent):  # read as a plain row: nothing to update
            return
        # The row is written by ``write``; the loaded object shows the same values now.
        for name, value in (("status", "processed"), ("processed_at", now)):
            set_committed_value(inbox, name, value)
        set_committed_value(inbox, "ruleset_hash", ruleset_hash)

    def _settle(self, row: dict[str, Any], ruleset_hash: str, now: datetime) -> None:
        """Store a derived event processed, with its trace, when taking it later could do
        nothing (module docstring); else its account's later derived events wait too."""
        account, key = str(row.get("subject_id")), str(row.get("subject_key"))
        if not (
            self.unheard is not None
            and row.get("subject_kind") == "account"
            and self.unheard(row)
            and self.quiet("account", account)
            and self.last.get(account, -1) <= self.position
            and account not in self.later
            and key not in self.held_back
        ):
            self.held_back.add(key)
            return
        row.update(status="processed", processed_at=now, ruleset_hash=ruleset_hash)
        doc = trace_head(row_snapshot(row), ruleset_hash)
        self.traces.append({"event_id": row["id"], "ruleset_hash": ruleset_hash, "doc": doc})
        self.settled += 1

    def write(self, session: Session) -> None:
        """Store the queued bookkeeping (executemany), before the batch commits."""
        taken = rows.take_new(session, self.order)
        session.flush()
        rows.insert_rows(session, sorted(taken + self.queued, key=_first))
        self.queued, self.order = [], {}
        connection = session.connection()
        rows.insert_many(connection, rows.table(m.FiredEvent), self.ledger)
        rows.insert_many(connection, rows.table(m.EventTrace), self.traces)
        if self.statuses:
            mark = (
                update(_INBOX)
                .where(_INBOX.c.seq == bindparam("key"))
                .values(
                    status=bindparam("status"),
                    processed_at=bindparam("at"),
                    ruleset_hash=bindparam("ruleset"),
                )
            )
            connection.execute(mark, self.statuses)
        self.ledger, self.traces, self.statuses = [], [], []


def _first(item: rows.Stamped) -> int:
    return item[0]
