"""RuleSet versions: reload old ones from their archived files, and apply ``on_change``.

A run records the hash of the RuleSet it started on. When a new version loads, a waiting
run finishes on its own version (``on_change: finish``, the default), is cancelled and
started again on the new one (``restart``), or is cancelled with the reason (``cancel``);
the new version's path decides (the old one's if the path was removed). To finish on an
old version, every version's files (rules, action paths, templates) are kept in
``scheduler_state`` under ``ruleset.files:<hash>`` (the engine archives them when it records
a version, ``engine.runtime.archive``) and recompiled here on demand — the hash covers
relative paths and bytes only, so the recompiled RuleSet has the same hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.domain import DomainError, Unit
from engine.domain import models as m
from engine.runtime.archive import archived_files, compile_files
from engine.runtime.context.subjects import resolve
from engine.runtime.dispatch.dispatcher import Dispatcher
from engine.runtime.errors import RunFailed

if TYPE_CHECKING:
    from engine.runtime.engine import Engine


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
            files = archived_files(session, ruleset_hash)
        if files is None:
            return None
        ruleset = compile_files(files, self.engine.registry.names())
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


def apply_version_change(engine: Engine, old_hash: str | None = None) -> VersionChange:
    """Apply each path's ``on_change`` to waiting runs of ``old_hash`` (default: any other)."""
    assert engine.clock is not None
    cache = install(engine)
    current = engine.ruleset.hash
    report = VersionChange()
    with engine.sessions() as session, session.begin():
        session.info["today"] = engine.clock.today()
        query = select(m.Run).where(
            m.Run.status.in_(("waiting", "queued")), m.Run.ruleset_hash != current
        )
        if old_hash is not None:
            query = query.where(m.Run.ruleset_hash == old_hash)
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
