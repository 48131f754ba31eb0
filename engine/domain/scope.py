"""How the work of one event reads and writes the store: the contract, and nothing else.

A ``Scope`` travels on the ``Unit``. Processing one event at a time uses the plain scope
(``engine.domain.one_event``), which asks the store every question and adds ORM objects.
A batch of events uses a scope that answers from what it read once for the whole batch and
writes append-only rows at its end (``engine.runtime.batching``). Both give the same
answers; callers never ask which one they run on.

Every answer is conservative: a hint such as ``may_have_runs`` is True when the scope cannot
tell, and a read the scope cannot answer from memory goes to the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from engine.domain import models as m


class RunRecord(Protocol):
    """A run as the dispatcher and the path runner use it: a stored ``Run``, or a batch's
    draft of one that is written when the batch ends."""

    id: int
    event_id: str
    trigger_id: str | None
    path_id: str
    ruleset_hash: str
    subject_kind: str
    subject_id: str
    status: str
    resume: dict[str, Any] | None
    vars: dict[str, Any]
    steps: list[Any]
    error: str | None
    finished_at: datetime | None
    wait_until: date | None


class LedgerEntry(Protocol):
    """A claimed (event, trigger) row of the fired-event ledger; its outcome may still change."""

    outcome: str


class Scope(Protocol):
    """What an event's work asks of the store beyond plain ORM reads and writes."""

    def begin_event(self) -> None:
        """An event starts: what it adds belongs to it until it is processed."""

    def processed(
        self,
        session: Session,
        event: Any,
        trace: dict[str, Any],
        ruleset_hash: str,
        now: datetime,
        failed: str | None = None,
    ) -> None:
        """The event's work is done and kept: store its trace and mark it processed, or
        ``failed`` with that reason when some of its triggers failed (their runs rolled back
        alone; see ``begin_run``)."""

    def begin_run(self) -> None:
        """A trigger's run starts in a savepoint of its own: what it adds from here on is
        dropped if it fails (``run_failed``)."""

    def run_failed(self) -> None:
        """The run's savepoint was rolled back: forget what it added since ``begin_run``."""

    def get(self, session: Session, model: type[Any], key: str) -> Any:
        """``session.get``: a row by primary key, or None."""

    def add_row(self, session: Session, model: type[Any], row: dict[str, Any]) -> None:
        """Add an append-only row (one nothing in this event reads back as an object)."""

    def newest_case(self, session: Session, account_id: str) -> m.Case | None:
        """The account's newest case."""

    def suspending(
        self, session: Session, accounts: Sequence[str], cases: Sequence[str]
    ) -> m.FollowUp | None:
        """The oldest open follow-up that takes these accounts or cases out of automation."""

    def claim(
        self, session: Session, event_id: str, trigger_id: str, outcome: str
    ) -> LedgerEntry | None:
        """Claim (event, trigger) in the ledger once: the entry, or None if already claimed."""

    def start_run(self, session: Session, values: dict[str, Any]) -> RunRecord:
        """A new run with its id, from a ``Run``'s column values."""

    def keep_run(self, session: Session, run: RunRecord) -> None:
        """Store a run ``start_run`` gave, once its first stretch of steps has run."""

    def add_run(self, session: Session, run: m.Run) -> None:
        """Add a new ``Run`` object and give it its id."""

    def quiet(self, kind: str, subject_id: str) -> bool:
        """True when the subject surely exists and has no waiting or queued run."""

    def may_have_runs(self, kind: str, subject_id: str) -> bool:
        """False only when the subject surely has no waiting or queued run."""

    def runs_open(self, kind: str, subject_id: str) -> None:
        """A run of the subject now waits or is queued."""
