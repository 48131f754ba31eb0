"""The batched ``Scope``: what a batch of events reads once instead of once per event.

Processing an event asks the store the same small questions every time: the subject and its
parties, its client, whether the ledger already holds (event, trigger), whether the subject
has runs waiting or queued, its newest case, the follow-ups that suspend it. A batch asks
them once for all its events, in the batch's own transaction. Every cached answer is
conservative: "maybe" falls back to the plain scope's query, and what the batch itself
changes (a run starting to wait, a case opened) is recorded as it happens. Writes go to the
batch's ``BatchWriter``: runs that end within their event, ledger rows, traces and history
are written as plain rows at the batch's end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import Row, event, func, select, text
from sqlalchemy.orm import Session, object_session, selectinload

from engine.domain import ONE_EVENT, LedgerEntry, RunRecord
from engine.domain import models as m
from engine.runtime.batching import rows
from engine.runtime.batching.drafts import RunDraft
from engine.runtime.batching.writer import BatchWriter, Unheard

_KEY = "docket.batch"
_IN_CHUNK = 500  # ids per IN (...): well under every backend's parameter limit
_RUN_IDS = 64  # run ids taken from PostgreSQL's sequence per query
# Rows whose change (new, changed or deleted in the batch) voids the cached answers that
# depend on them: each account's newest case, and the open suspending follow-ups.
WATCHED: tuple[type[Any], ...] = (m.Case, m.CaseAccount, m.FollowUp)
# An inbox event as a batch reads it: the ORM object, or (an optimistic batch) its plain row.
Event = m.InboxEvent | Row[Any]


@dataclass(slots=True)
class Suspending:
    """A batch's open suspending follow-ups on its accounts and their cases, oldest first."""

    accounts: frozenset[str]  # the batch's accounts (their case links are known too)
    cases: frozenset[str]  # every case those accounts belong to
    found: list[m.FollowUp]

    def answer(
        self, links: dict[str, set[str]], accounts: Sequence[str], cases: Sequence[str]
    ) -> tuple[bool, m.FollowUp | None]:
        """(known, the oldest suspending follow-up); known is False when the query must answer."""
        if not set(accounts) <= self.accounts or not set(cases) <= self.cases:
            return False, None
        covered = set(cases).union(*(links[a] for a in accounts))
        for follow_up in self.found:
            if follow_up.account_id in accounts or follow_up.case_id in covered:
                return True, follow_up
        return True, None


@dataclass(slots=True)
class BatchScope:
    """The answers for one batch, and its writer; installed on the session while it runs."""

    writer: BatchWriter
    events: frozenset[str] = frozenset()  # ids of the batch's events that may fire
    fired: set[tuple[str, str]] = field(default_factory=set)  # ledger rows already stored
    subjects: frozenset[tuple[str, str]] = frozenset()  # (kind, id) of the batch's events
    busy: set[tuple[str, str]] = field(default_factory=set)  # subjects with runs waiting/queued
    # Accounts seen to exist when the batch started (accounts are never deleted).
    existing: set[str] = field(default_factory=set)
    # Each batch account's newest case (None: no case); None once the batch changes any case
    # or case link, after which every lookup queries again.
    cases: dict[str, m.Case | None] | None = None
    links: dict[str, set[str]] = field(default_factory=dict)  # account -> all its case ids
    # Which WATCHED models the batch changed (seen as they are added or set, not at flush).
    touched: set[type[Any]] = field(default_factory=set)
    suspended: Suspending | None = None  # read on first use
    run_ids: list[int] = field(default_factory=list)  # allocated, not yet used (ascending)
    next_run_id: int | None = None  # SQLite: the next id after the batch's own (max + 1)
    # Loaded rows are held here by (model, key): the session's identity map only keeps them
    # weakly, and a ``session.get`` for a held row needs no query (``get``: not even that).
    held: dict[tuple[type[Any], str], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.writer.quiet = self.quiet  # a derived event is settled only about a quiet account

    # --- the event's lifecycle -----------------------------------------------------------

    def begin_event(self) -> None:
        self.writer.begin_event()

    def processed(
        self,
        session: Session,
        event: Any,
        trace: dict[str, Any],
        ruleset_hash: str,
        now: datetime,
        failed: str | None = None,
    ) -> None:
        self.writer.processed(event, trace, ruleset_hash, now, failed)

    def begin_run(self) -> None:
        self.writer.begin_run()

    def run_failed(self) -> None:
        self.writer.run_failed()

    # --- reads ---------------------------------------------------------------------------

    def get(self, session: Session, model: type[Any], key: str) -> Any:
        found = self.held.get((model, key))
        return found if found is not None else session.get(model, key)

    def newest_case(self, session: Session, account_id: str) -> m.Case | None:
        known = self.cases is not None and account_id in self.cases
        if known and (m.Case in self.touched or m.CaseAccount in self.touched):
            self.cases, known = None, False
        if known and self.cases is not None:
            return self.cases[account_id]
        return ONE_EVENT.newest_case(session, account_id)

    def suspending(
        self, session: Session, accounts: Sequence[str], cases: Sequence[str]
    ) -> m.FollowUp | None:
        if m.FollowUp not in self.touched and m.CaseAccount not in self.touched:
            if self.suspended is None:
                self.suspended = _read_suspending(session, self.links)
            known, found = self.suspended.answer(self.links, accounts, cases)
            if known:
                return found
        return ONE_EVENT.suspending(session, accounts, cases)

    def quiet(self, kind: str, subject_id: str) -> bool:
        return kind == "account" and subject_id in self.existing and self._idle(kind, subject_id)

    def may_have_runs(self, kind: str, subject_id: str) -> bool:
        return not self._idle(kind, subject_id)

    def _idle(self, kind: str, subject_id: str) -> bool:
        """True when the subject surely has no waiting or queued run (no query needed)."""
        key = (kind, subject_id)
        return key in self.subjects and key not in self.busy

    # --- writes --------------------------------------------------------------------------

    def add_row(self, session: Session, model: type[Any], row: dict[str, Any]) -> None:
        self.writer.add_row(model, row)

    def claim(
        self, session: Session, event_id: str, trigger_id: str, outcome: str
    ) -> LedgerEntry | None:
        if event_id not in self.events:
            return ONE_EVENT.claim(session, event_id, trigger_id, outcome)
        if (event_id, trigger_id) in self.fired:
            return None
        return self.writer.claim(event_id, trigger_id, outcome)

    def start_run(self, session: Session, values: dict[str, Any]) -> RunRecord:
        # A run is a draft while it runs: one that ends is written as a plain row at the
        # batch's end, one that waits or queues (later events look for it) becomes an object.
        return RunDraft(id=self._run_id(session), **values)

    def keep_run(self, session: Session, run: RunRecord) -> None:
        if not isinstance(run, RunDraft):
            return
        if run.stays():
            session.add(m.Run(**run.values()))
        else:
            self.writer.add_row(m.Run, run.values())

    def add_run(self, session: Session, run: m.Run) -> None:
        run.id = self._run_id(session)
        session.add(run)

    def runs_open(self, kind: str, subject_id: str) -> None:
        self.busy.add((kind, subject_id))

    def _run_id(self, session: Session) -> int:
        """A new run's id, given before it is inserted, so no flush is needed to learn it.

        PostgreSQL draws from the column's own sequence (safe with concurrent writers, and
        shared with runs inserted elsewhere); SQLite counts on from the largest id, read in
        the batch's transaction (SQLite has one writer: a stale read cannot commit). Every
        run the batch inserts takes its id here.
        """
        if session.get_bind().dialect.name == "postgresql":
            if not self.run_ids:
                query = text(
                    "select nextval(pg_get_serial_sequence('runs', 'id')) "
                    "from generate_series(1, :n)"
                )
                self.run_ids = sorted(session.scalars(query, {"n": _RUN_IDS}), reverse=True)
            return int(self.run_ids.pop())
        if self.next_run_id is None:
            largest = session.scalar(select(func.max(m.Run.id)).execution_options(autoflush=False))
            self.next_run_id = int(largest or 0) + 1
        self.next_run_id += 1
        return self.next_run_id - 1

    # --- watching the session ------------------------------------------------------------

    def _before_flush(self, session: Session, *_: Any) -> None:
        # Deletions have no earlier hook; additions and changes were seen as they happened.
        pending = chain(session.new, session.deleted, session.dirty)
        self.touched.update(type(obj) for obj in pending if isinstance(obj, WATCHED))

    def _before_attach(self, session: Session, instance: Any) -> None:
        if type(instance) in rows.SHAPES:
            self.writer.stamp(instance)
        elif isinstance(instance, WATCHED):
            self.touched.add(type(instance))


def _changed(target: Any, *_: Any) -> None:
    """A watched row's attribute was set: the batch it belongs to stops trusting its answers."""
    session = object_session(target)
    scope = session.info.get(_KEY) if session is not None else None
    if isinstance(scope, BatchScope):
        scope.touched.add(type(target))


for _model in WATCHED:
    for _column in _model.__table__.columns:
        event.listen(getattr(_model, _column.key), "set", _changed)


def start(
    session: Session,
    events: Sequence[Event],
    fires: Callable[[Event], bool] = lambda _: True,
    unheard: Unheard | None = None,
    complete: bool = False,
) -> BatchScope:
    """Read what the batch's events will ask for, and install the scope on the session.

    ``fires`` tells which events may fire a trigger: only those read their ledger rows and
    load their accounts (with parties) here; for the others the batch only learns which
    accounts exist (whatever they ask beyond that, they query). ``unheard`` lets the batch
    settle derived events; ``complete`` says no pending event was left beyond ``events``.
    """
    firing = [e for e in events if fires(e)]
    ids = [e.id for e in firing]
    subjects = frozenset(
        (str(e.subject_kind), str(e.subject_id)) for e in events if e.subject_id is not None
    )
    last = {str(e.subject_id): i for i, e in enumerate(events) if e.subject_kind == "account"}
    scope = BatchScope(BatchWriter(unheard, last), frozenset(ids), subjects=subjects)
    for chunk in _chunks(ids):
        query = select(m.FiredEvent.event_id, m.FiredEvent.trigger_id).where(
            m.FiredEvent.event_id.in_(chunk)
        )
        scope.fired.update((row.event_id, row.trigger_id) for row in session.execute(query))
    by_id = sorted({subject_id for _, subject_id in subjects})
    for chunk in _chunks(by_id):
        query = select(m.Run.subject_kind, m.Run.subject_id).where(
            m.Run.status.in_(("waiting", "queued")), m.Run.subject_id.in_(chunk)
        )
        scope.busy.update((row.subject_kind, row.subject_id) for row in session.execute(query))
    accounts = sorted({subject_id for kind, subject_id in subjects if kind == "account"})
    firing_accounts = {str(e.subject_id) for e in firing if e.subject_kind == "account"}
    _read_accounts(session, scope, accounts, firing_accounts)
    if unheard is not None and not complete:
        ours = {e.seq for e in events}
        inbox = rows.table(m.InboxEvent)
        for chunk in _chunks(accounts):
            query = select(inbox.c.subject_id, inbox.c.seq).where(
                inbox.c.status == "pending",
                inbox.c.subject_kind == "account",
                inbox.c.subject_id.in_(chunk),
            )
            found = session.execute(query)
            scope.writer.later.update(str(row.subject_id) for row in found if row.seq not in ours)
    _read_cases(session, scope, accounts)
    event.listen(session, "before_flush", scope._before_flush)
    event.listen(session, "before_attach", scope._before_attach)
    session.info[_KEY] = scope
    return scope


def finish(session: Session) -> None:
    """Take the batch's scope off the session (and drop the rows it held)."""
    scope = session.info.pop(_KEY, None)
    if isinstance(scope, BatchScope):
        event.remove(session, "before_flush", scope._before_flush)
        event.remove(session, "before_attach", scope._before_attach)


def _read_accounts(
    session: Session, scope: BatchScope, accounts: list[str], firing: set[str]
) -> None:
    """Accounts that may fire are loaded with their parties and clients; the others are
    only known to exist."""
    with_parties = sorted(a for a in accounts if a in firing)
    clients: set[str] = set()
    for chunk in _chunks(with_parties):
        loaded = select(m.Account).options(selectinload(m.Account.parties))
        for account in session.scalars(loaded.where(m.Account.id.in_(chunk))):
            scope.held[m.Account, account.id] = account
            scope.existing.add(account.id)
            clients.add(account.client_code)
    for chunk in _chunks([a for a in accounts if a not in firing]):
        ids_only = select(m.Account.id).where(m.Account.id.in_(chunk))
        scope.existing.update(session.scalars(ids_only))
    for chunk in _chunks(sorted(clients)):
        for client in session.scalars(select(m.Client).where(m.Client.code.in_(chunk))):
            scope.held[m.Client, client.code] = client


def _read_cases(session: Session, scope: BatchScope, accounts: list[str]) -> None:
    """Each account's newest case and every case it belongs to."""
    newest: dict[str, m.Case | None] = dict.fromkeys(accounts)
    scope.links = {account_id: set() for account_id in accounts}
    for chunk in _chunks(accounts):
        newest_first = (
            select(m.CaseAccount.account_id, m.Case)
            .join(m.Case, m.Case.id == m.CaseAccount.case_id)
            .where(m.CaseAccount.account_id.in_(chunk))
            .order_by(m.Case.created_at.desc())
        )
        for account_id, case in session.execute(newest_first):
            scope.links[account_id].add(case.id)
            if newest[account_id] is None:
                newest[account_id] = case
                scope.held[m.Case, case.id] = case
    scope.cases = newest


def _read_suspending(session: Session, links: dict[str, set[str]]) -> Suspending:
    """The open suspending follow-ups on the batch's accounts and their cases."""
    accounts = frozenset(links)
    cases = frozenset(case for linked in links.values() for case in linked)
    found: dict[str, m.FollowUp] = {}
    for column, ids in ((m.FollowUp.account_id, accounts), (m.FollowUp.case_id, cases)):
        for chunk in _chunks(sorted(ids)):
            query = select(m.FollowUp).where(
                m.FollowUp.status == "open",
                m.FollowUp.suspends_automation.is_(True),
                column.in_(chunk),
            )
            found.update((f.id, f) for f in session.scalars(query))
    oldest_first = sorted(found.values(), key=lambda f: (f.created_at, f.id))
    return Suspending(accounts, cases, oldest_first)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for index in range(0, len(items), _IN_CHUNK):
        yield items[index : index + _IN_CHUNK]
