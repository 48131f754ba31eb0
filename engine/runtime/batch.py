"""What a batch of events reads once instead of once per event.

Processing an event asks the store the same small questions every time: the subject and its
parties, its client, whether the ledger already holds (event, trigger), whether the subject
has runs waiting or queued. A batch asks them once for all its events, in the batch's own
transaction. Every cached answer is conservative: "maybe" falls back to the per-event
query, and what the batch itself changes (a run starting to wait) is recorded as it happens.
Events outside the batch (and sessions without one, such as the scheduler's) take the query.

A derived event no trigger listens to, about an account that is quiet (it exists, has no run
waiting or queued) and has no other event to come before it (none later in the batch, none
pending beyond it, none of its derived events left pending), is *settled* as it is written:
stored processed, with the trace processing it would have given (nothing considered). Taking
it later would find the same: no trigger, nothing to resume. This saves reading it back,
dispatching it and updating its status, for most derived events (the history-like ones).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, count
from typing import Any

from sqlalchemy import Row, Table, bindparam, event, func, select, text, update
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from engine.domain import models as m
from engine.runtime import bulk
from engine.runtime.tracedoc import row_snapshot, trace_head

_KEY = "docket.batch"
_IN_CHUNK = 500  # ids per IN (...): well under every backend's parameter limit
_RUN_IDS = 64  # run ids taken from PostgreSQL's sequence per query
# Rows whose change (new, changed or deleted in the batch) voids the cached answers that
# depend on them: each account's newest case, and the open suspending follow-ups.
WATCHED: tuple[type[Any], ...] = (m.Case, m.CaseAccount, m.FollowUp)
# An inbox event as a batch reads it: the ORM object, or (an optimistic batch) its plain row.
Event = m.InboxEvent | Row[Any]
# Whether the ruleset lets a derived event (its inbox row) be settled as it is written: no
# trigger listens to it and it is within the depth guard. The batch checks the subject.
Unheard = Callable[[dict[str, Any]], bool]


@dataclass(slots=True)
class Claim:
    """A ledger row of the current event, kept as plain values until the batch writes it."""

    event_id: str
    trigger_id: str
    outcome: str


@dataclass(slots=True)
class BatchCache:
    """The answers for one batch, kept in ``session.info`` while the batch runs."""

    events: frozenset[str] = frozenset()  # ids of the batch's events
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
    # Answers of the suspension check, kept by ``engine.runtime.suspension`` (None: unread).
    suspending: Any = None
    run_ids: list[int] = field(default_factory=list)  # allocated, not yet used (ascending)
    next_run_id: int | None = None  # SQLite: the next id after the batch's own (max + 1)
    # Loaded rows are held here by (model, key): the session's identity map only keeps them
    # weakly, and a ``session.get`` for a held row needs no query (``get``: not even that).
    held: dict[tuple[type[Any], str], Any] = field(default_factory=dict)
    # The bookkeeping of processed events (ledger claims, traces, inbox statuses) is written
    # once for the whole batch, in its transaction; the current event's claims wait in
    # ``claims`` until its savepoint is released (a rolled-back event drops them).
    claims: list[Claim] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    traces: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    # Append-only rows (see ``bulk``) in the order they were added, the ORM objects' and the
    # plain rows' alike: a stamp per object (by id, as it is added to the session), and the
    # plain rows with theirs; the current event's plain rows wait in ``event_rows`` until
    # its savepoint is released, as its claims do.
    order: dict[int, int] = field(default_factory=dict)
    stamps: Iterator[int] = field(default_factory=count)
    event_rows: list[bulk.Stamped] = field(default_factory=list)
    rows: list[bulk.Stamped] = field(default_factory=list)
    # Settling derived events (module docstring). None: the batch settles nothing.
    unheard: Unheard | None = None
    last: dict[str, int] = field(default_factory=dict)  # account -> index of its last event
    position: int = -1  # index of the event being processed
    later: set[str] = field(default_factory=set)  # accounts with pending events beyond the batch
    held_back: set[str] = field(default_factory=set)  # keys of subjects with derived events left
    settled: int = 0

    def claimed(self, event_id: str, trigger_id: str) -> bool | None:
        """Whether the ledger holds (event, trigger); None when the batch cannot tell."""
        if event_id not in self.events:
            return None
        return (event_id, trigger_id) in self.fired

    def idle(self, kind: str, subject_id: str) -> bool:
        """True when the subject surely has no waiting or queued run (no query needed)."""
        key = (kind, subject_id)
        return key in self.subjects and key not in self.busy

    def quiet(self, kind: str, subject_id: str) -> bool:
        """True for an existing account with no waiting or queued run: an event about it that
        fires no trigger has nothing to do, so its subject need not be loaded."""
        return kind == "account" and subject_id in self.existing and self.idle(kind, subject_id)

    def mark_busy(self, kind: str, subject_id: str) -> None:
        self.busy.add((kind, subject_id))

    def claim(self, event_id: str, trigger_id: str, outcome: str) -> Claim:
        """A ledger row for the current event, stored with the batch if the event commits."""
        row = Claim(event_id, trigger_id, outcome)
        self.claims.append(row)
        return row

    def begin_event(self) -> None:
        self.claims.clear()
        self.event_rows.clear()
        self.position += 1

    def add_row(self, model: type[Any], row: dict[str, Any]) -> None:
        """A plain append-only row of the current event (a ``Unit.sink``)."""
        self.event_rows.append((next(self.stamps), *bulk.plain(model, row)))

    def processed(
        self, inbox: Event, trace: dict[str, Any], ruleset_hash: str, now: datetime
    ) -> None:
        """The event's savepoint was released: queue its ledger rows, trace and status."""
        self.ledger.extend(
            {"event_id": c.event_id, "trigger_id": c.trigger_id, "outcome": c.outcome}
            for c in self.claims
        )
        self.claims.clear()
        self.traces.append({"event_id": inbox.id, "ruleset_hash": ruleset_hash, "doc": trace})
        for _, table, row in self.event_rows:
            if table is _INBOX:
                self._settle(row, ruleset_hash, now)
        self.rows.extend(self.event_rows)
        self.event_rows.clear()
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
        rows = bulk.take_new(session, self.order)
        session.flush()
        bulk.insert_rows(session, sorted(rows + self.rows, key=_first))
        self.rows, self.order = [], {}
        connection = session.connection()
        bulk.insert_many(connection, _table(m.FiredEvent), self.ledger)
        bulk.insert_many(connection, _table(m.EventTrace), self.traces)
        if self.statuses:
            inbox = _table(m.InboxEvent)
            mark = (
                update(inbox)
                .where(inbox.c.seq == bindparam("key"))
                .values(
                    status=bindparam("status"),
                    processed_at=bindparam("at"),
                    ruleset_hash=bindparam("ruleset"),
                )
            )
            connection.execute(mark, self.statuses)
        self.ledger, self.traces, self.statuses = [], [], []

    def open_case(self, session: Session, account_id: str) -> tuple[bool, m.Case | None]:
        """(known, the account's newest case); known is False when the query must answer."""
        if self.cases is None or account_id not in self.cases:
            return False, None
        if m.Case in self.touched or m.CaseAccount in self.touched:
            self.cases = None
            return False, None
        return True, self.cases[account_id]

    def run_id(self, session: Session) -> int:
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

    def _before_flush(self, session: Session, *_: Any) -> None:
        # Deletions have no earlier hook; additions and changes were seen as they happened.
        pending = chain(session.new, session.deleted, session.dirty)
        self.touched.update(type(obj) for obj in pending if isinstance(obj, WATCHED))

    def _before_attach(self, session: Session, instance: Any) -> None:
        if type(instance) in bulk.SHAPES:
            self.order[id(instance)] = next(self.stamps)
        elif isinstance(instance, WATCHED):
            self.touched.add(type(instance))


def _changed(target: Any, *_: Any) -> None:
    """A watched row's attribute was set: the batch it belongs to stops trusting its cache."""
    session = object_session(target)
    cache = current(session) if session is not None else None
    if cache is not None:
        cache.touched.add(type(target))


for _model in WATCHED:
    for _column in _model.__table__.columns:
        event.listen(getattr(_model, _column.key), "set", _changed)


def current(session: Session) -> BatchCache | None:
    """The cache of the batch this session is processing, if any."""
    found = session.info.get(_KEY)
    return found if isinstance(found, BatchCache) else None


def get(session: Session, model: type[Any], key: str) -> Any:
    """``session.get``, answered from the batch's loaded accounts and clients when it can
    (rows a batch never deletes)."""
    cache = current(session)
    found = cache.held.get((model, key)) if cache is not None else None
    return found if found is not None else session.get(model, key)


def start(
    session: Session,
    events: Sequence[Event],
    fires: Callable[[Event], bool] = lambda _: True,
    unheard: Unheard | None = None,
    complete: bool = False,
) -> BatchCache:
    """Read what the batch's events will ask for, and install the cache on the session.

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
    cache = BatchCache(events=frozenset(ids), subjects=subjects, unheard=unheard)
    cache.last = {str(e.subject_id): i for i, e in enumerate(events) if e.subject_kind == "account"}
    for chunk in _chunks(ids):
        query = select(m.FiredEvent.event_id, m.FiredEvent.trigger_id).where(
            m.FiredEvent.event_id.in_(chunk)
        )
        cache.fired.update((row.event_id, row.trigger_id) for row in session.execute(query))
    by_id = sorted({subject_id for _, subject_id in subjects})
    for chunk in _chunks(by_id):
        query = select(m.Run.subject_kind, m.Run.subject_id).where(
            m.Run.status.in_(("waiting", "queued")), m.Run.subject_id.in_(chunk)
        )
        cache.busy.update((row.subject_kind, row.subject_id) for row in session.execute(query))
    accounts = sorted({subject_id for kind, subject_id in subjects if kind == "account"})
    with_parties = {str(e.subject_id) for e in firing if e.subject_kind == "account"}
    clients: set[str] = set()
    for chunk in _chunks(sorted(with_parties)):
        loaded = select(m.Account).options(selectinload(m.Account.parties))
        for account in session.scalars(loaded.where(m.Account.id.in_(chunk))):
            cache.held[m.Account, account.id] = account
            cache.existing.add(account.id)
            clients.add(account.client_code)
    for chunk in _chunks([a for a in accounts if a not in with_parties]):
        ids_only = select(m.Account.id).where(m.Account.id.in_(chunk))
        cache.existing.update(session.scalars(ids_only))
    if unheard is not None and not complete:
        ours = {e.seq for e in events}
        for chunk in _chunks(accounts):
            query = select(_INBOX.c.subject_id, _INBOX.c.seq).where(
                _INBOX.c.status == "pending",
                _INBOX.c.subject_kind == "account",
                _INBOX.c.subject_id.in_(chunk),
            )
            found = session.execute(query)
            cache.later.update(str(row.subject_id) for row in found if row.seq not in ours)
    for chunk in _chunks(sorted(clients)):
        for client in session.scalars(select(m.Client).where(m.Client.code.in_(chunk))):
            cache.held[m.Client, client.code] = client
    cache.cases = dict.fromkeys(accounts)
    cache.links = {account_id: set() for account_id in accounts}
    for chunk in _chunks(accounts):
        newest_first = (
            select(m.CaseAccount.account_id, m.Case)
            .join(m.Case, m.Case.id == m.CaseAccount.case_id)
            .where(m.CaseAccount.account_id.in_(chunk))
            .order_by(m.Case.created_at.desc())
        )
        for account_id, case in session.execute(newest_first):
            cache.links[account_id].add(case.id)
            if cache.cases[account_id] is None:
                cache.cases[account_id] = case
                cache.held[m.Case, case.id] = case
    event.listen(session, "before_flush", cache._before_flush)
    event.listen(session, "before_attach", cache._before_attach)
    session.info[_KEY] = cache
    return cache


def finish(session: Session) -> None:
    """Drop the batch's cache (and the rows it held)."""
    cache = session.info.pop(_KEY, None)
    if isinstance(cache, BatchCache):
        event.remove(session, "before_flush", cache._before_flush)
        event.remove(session, "before_attach", cache._before_attach)


def _first(item: bulk.Stamped) -> int:
    return item[0]


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


_INBOX = _table(m.InboxEvent)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for index in range(0, len(items), _IN_CHUNK):
        yield items[index : index + _IN_CHUNK]
