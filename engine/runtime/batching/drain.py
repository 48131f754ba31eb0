"""Drain the inbox: batches commit together, each event as if in its own savepoint.

A failing event rolls back alone (its state changes, runs, outbox rows and derived events),
then its failure is recorded; the rest of the batch commits. A batch is first tried without
savepoints (optimistic); one that meets a failure is redone with a savepoint per event, and
one per trigger inside it (a failing trigger rolls back alone: ``dispatch.events``).
``batched=False`` drains one event per transaction with the plain scope: the twin the
batched scope is tested against.
"""

from __future__ import annotations

import gc
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Table, select
from sqlalchemy.orm import Session, sessionmaker

from engine.config.model import RuleSet
from engine.domain import Clock
from engine.domain import models as m
from engine.errors import DocketError
from engine.runtime.batching import scope as batch
from engine.runtime.batching.rows import table
from engine.runtime.dispatch.dispatcher import Dispatcher
from engine.runtime.dispatch.events import event_unit, process_one


@dataclass(slots=True)
class ProcessStats:
    processed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {"processed": self.processed, "outcomes": dict(self.outcomes)}


# A batch allocates many short-lived objects (ORM rows, views, trace documents) that reference
# each other; at the default threshold (700) the young generation is collected every few
# events, which cost about an eighth of the processing time. While any batch runs, collect
# young objects less often (fewer young passes also mean fewer full ones: about 4% of a
# batch's time at 50,000 against 10,000); the memory this keeps waiting is some 50,000
# objects at most, a few megabytes.
_GC_YOUNG = 50_000
_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, ...] = ()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_GC_YOUNG, _gc_saved[0]), *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)


class _Retry(DocketError):
    """An optimistic batch met an event that did not simply succeed: redo it event by event."""


_INBOX: Table = table(m.InboxEvent)


def drain(
    sessions: sessionmaker[Session],
    dispatcher: Dispatcher,
    ruleset: RuleSet,
    clock: Clock,
    *,
    limit: int | None = None,
    batch_size: int = 200,
    subject_key: str | None = None,
    optimistic: bool = True,
    batched: bool = True,
) -> ProcessStats:
    """Process pending events in batches; return what happened to them.

    A batch first runs optimistically: its events one after the other without savepoints,
    which saves a flush and a savepoint per event. If any event fails or is rejected, the
    whole batch is rolled back and done again in the safe mode, each event (and each of its
    triggers) in its own savepoint, so what commits is exactly what the safe mode alone would
    have committed.
    """
    stats = ProcessStats()
    if not batched:
        batch_size, optimistic = 1, False
    with _fewer_collections(), sessions() as session:
        while limit is None or stats.processed < limit:
            size = batch_size if limit is None else min(batch_size, limit - stats.processed)
            args = (session, dispatcher, ruleset, clock, size, subject_key)
            done: tuple[Counter[str], bool] | None = None
            if not batched:
                done = _one(*args)
            elif optimistic:
                try:
                    done = _batch(*args, True)
                except _Retry:
                    done = None  # rolled back: the safe mode below does the batch
            if done is None:
                done = _batch(*args, False)
            outcomes, more = done
            stats.processed += sum(outcomes.values())
            stats.outcomes.update(outcomes)
            if not more:
                break
    return stats


def _pending(subject_key: str | None, optimistic: bool) -> Select[Any]:
    pending = (select(_INBOX) if optimistic else select(m.InboxEvent)).where(
        _INBOX.c.status == "pending"
    )
    if subject_key is not None:
        pending = pending.where(_INBOX.c.subject_key == subject_key)
    return pending.order_by(_INBOX.c.seq)


def _one(
    session: Session,
    dispatcher: Dispatcher,
    ruleset: RuleSet,
    clock: Clock,
    size: int,
    subject_key: str | None,
) -> tuple[Counter[str], bool]:
    """The oldest pending event in a transaction of its own, with the plain scope."""
    with session.begin():
        session.info["today"] = clock.today()
        event = session.scalars(_pending(subject_key, False).limit(1)).first()
        if event is None:
            return Counter(), False
        return Counter([process_one(session, dispatcher, ruleset, clock, event)]), True


def _batch(
    session: Session,
    dispatcher: Dispatcher,
    ruleset: RuleSet,
    clock: Clock,
    size: int,
    subject_key: str | None,
    optimistic: bool,
) -> tuple[Counter[str], bool]:
    """One batch in one transaction: the outcome of each event, and whether more may wait.

    For one subject (a worker's job), the events its first events derive for that subject
    are taken in the same transaction, up to ``size``, and the batch says when the subject
    has nothing left, so a job does not open a transaction only to find that out.
    """
    outcomes: Counter[str] = Counter()
    taken = 0
    with session.begin():
        session.info["today"] = clock.today()
        pending = _pending(subject_key, optimistic)
        while True:
            wanted = size - taken
            query = pending.limit(wanted)
            # An optimistic batch only reads its events (the batch writes their status); the
            # safe mode may record a rejection or failure on them, so it loads objects.
            found = session.execute(query) if optimistic else session.scalars(query)
            events: list[batch.Event] = list(found)
            if not events:
                return outcomes, False
            taken += len(events)
            # Nothing else pending: not at all, or (one subject) not for this subject, whose
            # key ("account:A1") every event about it carries.
            complete = len(events) < wanted
            left = _events(
                session, dispatcher, ruleset, clock, events, optimistic, complete, outcomes
            )
            if subject_key is None or len(events) == wanted:
                return outcomes, True
            if subject_key not in left:  # all taken, and its derived events settled
                return outcomes, False


def _events(
    session: Session,
    dispatcher: Dispatcher,
    ruleset: RuleSet,
    clock: Clock,
    events: list[batch.Event],
    optimistic: bool,
    complete: bool,
    outcomes: Counter[str],
) -> set[str]:
    """Process ``events`` in a batched scope, then write the batch's rows; the derived events
    the batch settles count as processed. The keys of the subjects whose derived events are
    left pending."""
    scope = batch.start(
        session,
        events,
        lambda e: bool(e.trigger_id or ruleset.triggers_for(e.name)),
        lambda row: _unheard(ruleset, row),
        complete,
    )
    try:
        for event in events:
            if optimistic:
                outcomes[_optimistic(session, dispatcher, ruleset, clock, event, scope)] += 1
            else:
                assert isinstance(event, m.InboxEvent)
                outcomes[process_one(session, dispatcher, ruleset, clock, event, scope)] += 1
        try:
            scope.writer.write(session)
        except Exception as exc:  # a write failed: the safe mode finds whose it is
            if optimistic:
                raise _Retry() from exc
            raise
        if scope.writer.settled:
            outcomes["processed"] += scope.writer.settled
        return scope.writer.held_back
    finally:
        batch.finish(session)


def _unheard(ruleset: RuleSet, row: dict[str, Any]) -> bool:
    """No trigger listens to this derived event and the depth guard lets it through."""
    return (
        not row.get("trigger_id")
        and not ruleset.triggers_for(row["name"])
        and row.get("depth", 0) <= ruleset.agency.max_event_depth
    )


def _optimistic(
    session: Session,
    dispatcher: Dispatcher,
    ruleset: RuleSet,
    clock: Clock,
    event: batch.Event,
    scope: batch.BatchScope,
) -> str:
    """Process one event with no savepoint of its own; anything but success is a _Retry."""
    unit = event_unit(session, ruleset, clock, event, scope)
    scope.begin_event()
    if event.depth > ruleset.agency.max_event_depth:
        raise _Retry()
    try:
        trace = dispatcher.process(unit, event)
    except Exception as exc:  # the safe mode records it against this event alone
        raise _Retry() from exc
    scope.processed(session, event, trace, ruleset.hash, unit.now)
    return "processed"
