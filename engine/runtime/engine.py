"""``Engine(ruleset, db_url)``: the Python API over inbox, dispatcher, operations and store."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import (
    DEFAULT_URL,
    Clock,
    SystemClock,
    Unit,
    make_engine,
    session_factory,
    upgrade,
)
from engine.domain import models as m
from engine.domain.operations import invoke
from engine.runtime.actions import builtin_registry
from engine.runtime.actions.registry import ActionRegistry
from engine.runtime.archive import record
from engine.runtime.batching.drain import ProcessStats, drain
from engine.runtime.dispatch import redrive
from engine.runtime.dispatch.dispatcher import Dispatcher
from engine.runtime.dispatch.redrive import Retried
from engine.runtime.errors import RetryRefused
from engine.runtime.inbox import SUBJECT_MODELS, accept, check
from engine.runtime.once import Once, operate_once

T = TypeVar("T")


@dataclass(slots=True)
class Submitted:
    """What happened to a submitted event: accepted (pending) or rejected with a reason."""

    id: str
    status: str
    reason: str | None = None
    replay: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "reason": self.reason, "replay": self.replay}


@dataclass
class Engine:
    """One Docket engine on one store. ``process()`` drains the inbox."""

    ruleset: RuleSet
    db_url: str = DEFAULT_URL
    clock: Clock | None = None
    registry: ActionRegistry = field(default_factory=builtin_registry)
    migrate: bool = True
    publish: bool = True  # mark its version the active one (a worker follows it instead)
    batched: bool = True  # process events in batches; False: one event per transaction

    def __post_init__(self) -> None:
        if self.migrate:
            upgrade(self.db_url)
        self.db = make_engine(self.db_url)
        self.sessions = session_factory(self.db)
        if self.clock is None:
            self.clock = SystemClock(self.ruleset.agency.timezone)
        self.dispatcher = Dispatcher(self.ruleset, self.registry)
        # process() and use_ruleset() never interleave: a batch runs on one version.
        self.lock = threading.RLock()
        self._record_version()

    # --- units of work -------------------------------------------------------------------

    @contextmanager
    def unit(self, source: str = "api") -> Iterator[Unit]:
        """A transaction with a domain unit of work at the clock's business date."""
        assert self.clock is not None
        with self.sessions() as session, session.begin():
            session.info["today"] = self.clock.today()
            yield Unit(session, self.ruleset, self.clock.today(), self.clock.now(), source=source)

    def read(self, fn: Callable[[Session], T]) -> T:
        with self.sessions() as session:
            assert self.clock is not None
            session.info["today"] = self.clock.today()
            return fn(session)

    def _record_version(self, publish: bool | None = None) -> None:
        """Archive the running version's files and, when publishing, mark it the active one."""
        with self.unit() as unit:
            publish = self.publish if publish is None else publish
            record(unit.session, self.ruleset, unit.now, publish=publish)

    def use_ruleset(self, ruleset: RuleSet, publish: bool | None = None) -> None:
        """Run another (validated) RuleSet: the dispatcher is rebuilt and the version recorded
        as at start-up (published unless ``publish`` is False, or the engine was made with
        ``publish=False``: it follows the version published in the database).

        A ``process()`` in progress finishes on the old version first. Only
        ``engine.scheduler.versions`` calls it: the one place that switches versions (and
        applies ``on_change`` to waiting runs).
        """
        with self.lock:
            old = self.dispatcher
            self.ruleset = ruleset
            self.dispatcher = Dispatcher(
                ruleset, self.registry, old.suspend_checks, versions=old.versions
            )
            self._record_version(publish)

    def close(self) -> None:
        self.db.dispose()

    # --- input ---------------------------------------------------------------------------

    def submit(
        self,
        name: str,
        *,
        account: str | None = None,
        case: str | None = None,
        subject: tuple[str, str] | None = None,
        data: Any = None,
        idempotency_key: str | None = None,
        source: str = "api",
    ) -> Submitted:
        """Put an event in the inbox; a bad one is kept as rejected with its reason."""
        event = {
            "name": name,
            "account": account,
            "case": case,
            "subject": subject,
            "data": data,
            "idempotency_key": idempotency_key,
        }
        return self.submit_many([event], source=source)[0]

    def submit_many(
        self, events: Iterable[Mapping[str, Any]], source: str = "api"
    ) -> list[Submitted]:
        """Put many events in the inbox in one transaction, each checked as ``submit`` does.

        Each item holds ``submit``'s arguments (``name`` and optionally ``account``, ``case``,
        ``subject``, ``data``, ``idempotency_key``). Bad events are kept as rejected; a key
        already known (in the store or earlier in the batch) is answered as a replay.
        """
        items = [_event_arguments(event) for event in events]
        with self.unit(source) as unit:
            known = _known_keys(unit.session, [i[4] for i in items if i[4]])
            loaded = _load_subjects(unit.session, [(i[1], i[2]) for i in items])
            results = []
            for name, kind, subject_id, data, key in items:
                if key and key in known:
                    results.append(known[key])
                    continue
                reason = check(unit, name, kind, subject_id, data)
                event = accept(unit, name, kind, subject_id, data, key, reason)
                results.append(Submitted(event.id, event.status, event.reason))
                if key:
                    known[key] = Submitted(event.id, event.status, event.reason, replay=True)
            del loaded
            return results

    def operate(
        self,
        name: str,
        params: dict[str, Any] | None = None,
        source: str = "api",
        once: Once | None = None,
    ) -> Any:
        """Run a domain operation (a "button") in its own transaction.

        With ``once`` the answer is an ``Answer``: the first result for that scope and key,
        replayed without running again (``IdempotencyConflict`` for a different request).
        """
        with self.unit(source) as unit:
            if once is not None:
                return operate_once(unit, name, params or {}, once)
            return invoke(unit, name, params or {})

    # --- processing ----------------------------------------------------------------------

    def process(
        self, limit: int | None = None, batch_size: int = 200, subject: str | None = None
    ) -> ProcessStats:
        """Process pending events in order until none is left (or ``limit`` are done).

        With ``subject`` (a subject key such as ``account:A1``), only that subject's events.
        """
        assert self.clock is not None
        with self.lock:
            return drain(
                self.sessions,
                self.dispatcher,
                self.ruleset,
                self.clock,
                limit=limit,
                batch_size=batch_size,
                subject_key=subject,
                batched=self.batched,
            )

    def retry(self, event_ids: Iterable[str]) -> list[Retried]:
        """Re-drive failed events: run their failed triggers again on this engine's version,
        one transaction per event, traced as a new attempt. An unknown or unfailed event is
        answered (``retried`` False, with the reason), not raised. Derived events stay
        pending for ``process()``."""
        assert self.clock is not None
        answers: list[Retried] = []
        with self.lock:
            for event_id in event_ids:
                try:
                    with self.sessions() as session, session.begin():
                        session.info["today"] = self.clock.today()
                        args = (session, self.dispatcher, self.ruleset, self.clock, event_id)
                        answers.append(redrive.retry(*args))
                except RetryRefused as refused:
                    status = "unknown" if refused.unknown else "refused"
                    answers.append(Retried(event_id, status, str(refused), None, retried=False))
        return answers

    def failed_events(self) -> list[str]:
        """The ids of the failed events, oldest first (what ``retry`` takes)."""
        return self.read(redrive.failed_events)

    def new_event_id(self) -> str:
        return uuid.uuid4().hex


_EVENT_KEYS = frozenset(("name", "account", "case", "subject", "data", "idempotency_key"))
_IN_CHUNK = 500  # ids per IN (...) query: well under every backend's parameter limit


def _event_arguments(
    event: Mapping[str, Any],
) -> tuple[str, str | None, str | None, Any, str | None]:
    """(name, subject kind, subject id, data, idempotency key) from ``submit``'s arguments."""
    unknown = set(event) - _EVENT_KEYS
    if unknown:
        raise TypeError(f"unknown event argument(s): {', '.join(sorted(unknown))}")
    if "name" not in event:
        raise TypeError("an event needs a 'name'")
    case, account = event.get("case"), event.get("account")
    kind, subject_id = event.get("subject") or (("case", case) if case else ("account", account))
    key = event.get("idempotency_key")
    return str(event["name"]), kind, subject_id, event.get("data"), key


def _known_keys(session: Session, keys: list[str]) -> dict[str, Submitted]:
    known: dict[str, Submitted] = {}
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start : start + _IN_CHUNK]
        query = select(m.InboxEvent).where(m.InboxEvent.idempotency_key.in_(chunk))
        for found in session.scalars(query):
            key = str(found.idempotency_key)
            known[key] = Submitted(found.id, found.status, found.reason, replay=True)
    return known


def _load_subjects(session: Session, subjects: list[tuple[str | None, str | None]]) -> list[Any]:
    # One query per kind and chunk instead of one per event: ``check`` then finds each
    # subject in the session's identity map (which holds objects weakly: the caller keeps
    # the returned list while it checks).
    loaded: list[Any] = []
    wanted: dict[str, set[str]] = {}
    for kind, subject_id in subjects:
        if kind in SUBJECT_MODELS and isinstance(subject_id, str):
            wanted.setdefault(kind, set()).add(subject_id)
    for kind, ids in wanted.items():
        model = SUBJECT_MODELS[kind][0]
        ordered = sorted(ids)
        for start in range(0, len(ordered), _IN_CHUNK):
            chunk = ordered[start : start + _IN_CHUNK]
            loaded.extend(session.scalars(select(model).where(model.id.in_(chunk))))
    return loaded
