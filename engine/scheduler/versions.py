"""Which RuleSet version runs: the one place that switches it.

- ``switch(engine, root)`` compiles a configuration root (its connectors checked too) and,
  when it is valid and new, runs it: the engine archives and publishes it
  (``engine.runtime.archive``), then waiting runs of older versions follow their path's
  ``on_change``. An invalid root is refused with its findings (``SwitchRefused``) and the
  running version stays. The API's reload calls it.
- ``adopt(engine)`` applies ``on_change`` for the version an engine was built on (it archived
  and published it then): the scheduler service's start, ``docket publish``, ``docket sweep``.
- ``open_published(db_url)`` and ``follow(engine)``: an engine on the version another process
  published, compiled from its archived files, kept on the newest one. Following publishes
  nothing and applies no ``on_change`` (the publisher did). Workers and ``--distributed``
  API processes follow.
- ``install(engine)`` lets the dispatcher finish a run on the older version it started on
  (``VersionCache`` compiles that version again from its archived files, once per process).

``on_change``: a waiting run finishes on its own version (``finish``, the default, also when
the new version has no such path), is cancelled and started again on the new one
(``restart``), or is cancelled with the reason (``cancel``). A queued run (nothing ran yet)
simply moves to the new version.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import DomainError, Unit, make_engine, session_factory
from engine.domain import models as m
from engine.outbox import validate
from engine.runtime import Dispatcher, Engine, RunFailed, archive, builtin_registry, resolve
from engine.scheduler.errors import NoPublishedVersion, SwitchRefused

if TYPE_CHECKING:
    from engine.scheduler.service import SchedulerService

log = logging.getLogger("docket.versions")
reload_log = logging.getLogger("docket.reload")  # the logger a switch has always logged to


@dataclass(slots=True)
class VersionChange:
    """What applying a new version did to runs started on older ones."""

    finished: list[int] = field(default_factory=list)  # keep going on their version
    restarted: list[tuple[int, int]] = field(default_factory=list)  # (old run, new run)
    cancelled: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)  # queued runs moved to the new version
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "finished": self.finished,
            "restarted": [list(pair) for pair in self.restarted],
            "cancelled": self.cancelled,
            "requeued": self.requeued,
            "problems": self.problems,
        }


@dataclass(slots=True)
class SwitchReport:
    """What ``switch`` did: the version before and after, and what it did to waiting runs."""

    changed: bool
    previous: str
    current: str
    warnings: list[str] = field(default_factory=list)
    change: VersionChange | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "previous": self.previous,
            "current": self.current,
            "warnings": self.warnings,
            "version_change": None if self.change is None else self.change.as_json(),
        }


# --- switching -------------------------------------------------------------------------------


def switch(
    engine: Engine,
    root: Path,
    *,
    hold: AbstractContextManager[object] | None = None,
    service: SchedulerService | None = None,
    environ: Mapping[str, str] | None = None,
) -> SwitchReport:
    """Compile ``root`` and run it if it is valid and new; SwitchRefused keeps the running one.

    Valid means its connectors too (``engine.outbox.validate``): installed types, settings
    that pass their schemas, and every ``${VARIABLE}`` set in ``environ`` (the process's).

    Compiling takes a while and comes first, outside ``hold``, which is held while the engine
    switches (the caller's work lock: no batch, sweep or job meanwhile). The daily job of a
    running ``service`` moves with ``agency.sweep_time``.
    """
    previous = engine.ruleset.hash
    # The connectors stage too: a version whose connectors cannot start is no version to run.
    result = validate(root, actions=tuple(engine.registry.names()), environ=environ)
    warnings = [str(f) for f in result.warnings]
    if result.ruleset is None:
        count = len(result.errors)
        raise SwitchRefused(
            f"the configuration at {root} has {count} error(s); version "
            f"{previous[:12]} keeps running",
            result.errors,
        )
    new = result.ruleset
    if new.hash == previous:
        return SwitchReport(False, previous, previous, warnings)
    if new.agency.timezone != engine.ruleset.agency.timezone:
        raise SwitchRefused(
            f"agency.timezone changed ({engine.ruleset.agency.timezone} → "
            f"{new.agency.timezone}): that needs a restart; version {previous[:12]} "
            "keeps running",
            [],
        )
    with hold or nullcontext():
        # The running version's files were archived when the engine recorded it, before
        # they could change on disk: runs may finish on it (on_change: finish).
        engine.use_ruleset(new)
        change = adopt(engine)
        if service is not None:
            service.follow_sweep_time()
    for problem in change.problems:
        reload_log.warning("version change: %s", problem)
    reload_log.info(
        "configuration reloaded",
        extra={"previous": previous, "current": new.hash, "change": change.as_json()},
    )
    return SwitchReport(True, previous, new.hash, warnings, change)


def open_published(db_url: str, **engine_options: Any) -> Engine:
    """An engine on the version published in the database, compiled from its archived
    files; it follows that version and publishes none (NoPublishedVersion: none usable)."""
    registry = engine_options.pop("registry", None) or builtin_registry()
    db = make_engine(db_url)
    try:
        with session_factory(db)() as session:
            found = archive.active_hash(session)
            if found is None:
                raise NoPublishedVersion(
                    "no configuration is published in this database: start "
                    "`docket run --distributed --config ROOT` or run `docket publish`"
                )
            ruleset = _compile_published(session, found, registry.names())
    finally:
        db.dispose()
    engine = Engine(ruleset, db_url, registry=registry, publish=False, **engine_options)
    install(engine)
    return engine


def follow(engine: Engine) -> str | None:
    """Switch ``engine`` to the published version if another one was published; the new
    hash, or None when it already runs the published version (or none is published)."""
    with engine.sessions() as session:
        published = archive.active_hash(session)
        if published is None or published == engine.ruleset.hash:
            return None
        ruleset = _compile_published(session, published, engine.registry.names())
    previous = engine.ruleset.hash
    engine.use_ruleset(ruleset, publish=False)  # following is not publishing
    install(engine)
    log.info("configuration version followed", extra={"previous": previous, "current": published})
    return published


def _compile_published(session: Session, ruleset_hash: str, actions: Iterable[str]) -> RuleSet:
    files = archive.archived_files(session, ruleset_hash)
    if files is None:
        raise NoPublishedVersion(
            f"version {ruleset_hash[:12]} is active but its files are not archived: start "
            "`docket run --distributed --config ROOT` (or `docket publish`) to publish one"
        )
    ruleset = archive.compile_files(files, actions)
    if ruleset.hash != ruleset_hash:
        raise NoPublishedVersion(
            f"the archived files of version {ruleset_hash[:12]} compile to {ruleset.hash[:12]}"
        )
    return ruleset


# --- older versions --------------------------------------------------------------------------


@dataclass
class VersionCache:
    """Dispatchers of archived RuleSet versions, compiled once per process."""

    engine: Engine
    loaded: dict[str, Dispatcher | None] = field(default_factory=dict)

    def __call__(self, ruleset_hash: str) -> Dispatcher | None:
        if ruleset_hash == self.engine.ruleset.hash:
            return self.engine.dispatcher
        if ruleset_hash not in self.loaded:
            self.loaded[ruleset_hash] = self._load(ruleset_hash)
        return self.loaded[ruleset_hash]

    def _load(self, ruleset_hash: str) -> Dispatcher | None:
        with self.engine.sessions() as session:
            files = archive.archived_files(session, ruleset_hash)
        if files is None:
            return None
        ruleset = archive.compile_files(files, self.engine.registry.names())
        if ruleset.hash != ruleset_hash:
            return None
        current = self.engine.dispatcher
        return Dispatcher(ruleset, self.engine.registry, current.suspend_checks, versions=self)


def install(engine: Engine) -> VersionCache:
    """Let the dispatcher resolve older versions (the engine archived its own when it
    recorded it: ``engine.runtime.archive``)."""
    cache = engine.dispatcher.versions
    if not isinstance(cache, VersionCache) or cache.engine is not engine:
        cache = VersionCache(engine)
        engine.dispatcher.versions = cache
    return cache


# --- on_change -------------------------------------------------------------------------------


def adopt(engine: Engine) -> VersionChange:
    """Make the engine's version the one waiting runs of other versions answer to: each
    follows its path's ``on_change`` (the engine archived and published its version when it
    recorded it)."""
    assert engine.clock is not None
    cache = install(engine)
    current = engine.ruleset.hash
    report = VersionChange()
    with engine.sessions() as session, session.begin():
        session.info["today"] = engine.clock.today()
        query = select(m.Run).where(
            m.Run.status.in_(("waiting", "queued")), m.Run.ruleset_hash != current
        )
        for run in list(session.scalars(query.order_by(m.Run.id))):
            unit = Unit(
                session,
                engine.ruleset,
                engine.clock.today(),
                engine.clock.now(),
                cause=run.event_id,
                source="scheduler",
            )
            if run.status == "queued":  # nothing ran yet: it simply starts on the new version
                run.ruleset_hash = current
                report.requeued.append(run.id)
                continue
            path = engine.ruleset.action_paths.get(run.path_id)
            policy = path.on_change if path is not None else "finish"
            if policy == "finish":
                if cache(run.ruleset_hash) is None:
                    report.problems.append(
                        f"run {run.id} ({run.path_id}) waits on version {run.ruleset_hash[:12]}, "
                        "whose files were not archived: it cannot finish there"
                    )
                report.finished.append(run.id)
            elif policy == "cancel":
                _cancel(unit, run, f"cancelled: version {current[:12]} loaded (on_change: cancel)")
                report.cancelled.append(run.id)
                _start_next(engine, unit, run, report)
            else:
                _restart(engine, unit, run, report)
    return report


def _cancel(unit: Unit, run: m.Run, reason: str) -> None:
    run.status, run.error = "cancelled", reason
    run.finished_at, run.wait_until = unit.now, None
    step = {"step": "cancelled", "on": unit.today.isoformat(), "reason": reason}
    run.steps = [*(run.steps or []), step]


def _start_next(engine: Engine, unit: Unit, run: m.Run, report: VersionChange) -> None:
    """A cancelled run no longer holds its queue: the next queued run of its path starts."""
    try:
        with unit.session.begin_nested():
            unit.session.flush()
            subject = resolve(unit.session, run.subject_kind, run.subject_id)
            engine.dispatcher.start_queued(unit, subject, run.path_id)
    except (RunFailed, DomainError) as exc:
        report.problems.append(f"run {run.id} ({run.path_id}): the next queued run failed: {exc}")


def _restart(engine: Engine, unit: Unit, run: m.Run, report: VersionChange) -> None:
    session = unit.session
    reason = f"restarted on version {engine.ruleset.hash[:12]} (on_change: restart)"
    event = dict((run.resume or {}).get("event") or {})
    try:
        with session.begin_nested():
            _cancel(unit, run, reason)
            session.flush()
            subject = resolve(session, run.subject_kind, run.subject_id)
            new_id = engine.dispatcher.start_run(unit, subject, event, run.trigger_id, run.path_id)
        report.restarted.append((run.id, new_id))
    except (RunFailed, DomainError) as exc:
        with session.begin_nested():
            _cancel(unit, run, f"{reason}; the new run failed: {exc}")
        report.cancelled.append(run.id)
        report.problems.append(f"run {run.id} ({run.path_id}): restart failed: {exc}")
