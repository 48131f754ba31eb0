"""What one API process holds: the engine, its settings, auth, metrics and background workers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.api.auth import Authenticator
from engine.api.background import (
    ConfigWatcher,
    InboxWorker,
    ObservedScheduler,
    VersionFollower,
    WriteGate,
)
from engine.api.health import Health, StoreWatch
from engine.api.ingest import Ingestor
from engine.api.metrics import Metrics
from engine.domain import DEFAULT_URL, Unit
from engine.runtime import Engine
from engine.scheduler import versions
from engine.scheduler.errors import SwitchRefused

log = logging.getLogger("docket.service")

MIB = 1 << 20


@dataclass
class ApiSettings:
    """How ``create_app`` builds and runs the service (``docket run`` turns everything on)."""

    config_root: Path = Path(".")
    db_url: str = DEFAULT_URL
    body_limit: int = MIB  # request bodies above this answer 413
    token_cache_seconds: float = 2.0
    process_inbox: bool = False  # the inbox loop (woken by each accepted event)
    scheduler: bool = False  # the embedded APScheduler service
    relay: bool = False  # the outbox relay (a job of the scheduler)
    watch: bool = False  # reload when the configuration files change
    distributed: bool = False  # workers process; follow the version other processes publish
    follow_interval: float = 2.0
    watch_interval: float = 1.0
    inbox_batch: int = 200  # the most per transaction; the loop sizes them to ~25 ms
    inbox_idle_seconds: float = 0.5
    scheduler_interval: float = 60.0
    relay_interval: float = 2.0
    metrics_cache_seconds: float = 5.0
    access_log: bool = True


class ApiState:
    """Built by ``create_app``; started and stopped by the app's lifespan."""

    def __init__(self, engine: Engine, settings: ApiSettings, owns_engine: bool) -> None:
        self.engine = engine
        self.settings = settings
        self.owns_engine = owns_engine
        assert engine.clock is not None
        self.auth = Authenticator(engine.sessions, settings.token_cache_seconds, engine.clock.now)
        self.metrics = Metrics(engine.sessions, settings.metrics_cache_seconds)
        self.service: ObservedScheduler | None = None
        self.worker: InboxWorker | None = None
        self.watcher: ConfigWatcher | None = None
        self.follower: VersionFollower | None = None
        self._redactors: dict[str, Callable[[str | None], str | None]] = {}
        self._own_lock = threading.Lock()
        self.reload_guard = threading.Lock()
        self.gate = WriteGate(enabled=engine.db.dialect.name == "sqlite")
        self.ingestor = Ingestor(engine, self.wake, self.gate)
        self.health = Health()
        self.store_watch = StoreWatch(engine.db, self.health)

    @property
    def work_lock(self) -> threading.Lock:
        """Held by whatever processes events or sweeps: one unit of work at a time."""
        return self.service.lock if self.service is not None else self._own_lock

    def redactor(self) -> Callable[[str | None], str | None]:
        """Blanks the running connectors' secrets out of text shown (outbox errors)."""
        ruleset = self.engine.ruleset
        found = self._redactors.get(ruleset.hash)
        if found is None:
            from engine.outbox import routing

            router, _findings = routing.build(ruleset)
            router.close()
            found = self._redactors[ruleset.hash] = router.redact
        return found

    @contextmanager
    def writing(self, source: str = "api") -> Iterator[Unit]:
        """A unit of work for an API write, taken in the ingest turn of the write gate."""
        with self.gate.turn("ingest"), self.engine.unit(source) as unit:
            yield unit

    def operate(self, name: str, params: dict[str, Any], once: Any = None) -> Any:
        """A domain operation in the ingest turn of the write gate (blocking); with ``once``
        (a ``runtime.Once``) an ``Answer``, replayed for a key its token already sent."""
        with self.gate.turn("ingest"):
            return self.engine.operate(name, params, "api", once=once)

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """No batch, sweep, scheduler job or API write runs meanwhile."""
        with self.work_lock, self.gate.turn("ingest"):
            yield

    def wake(self) -> None:
        if self.worker is not None:
            self.worker.wake.set()

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Let runs finish on older versions, then start the workers the settings ask for."""
        versions.install(self.engine)
        s = self.settings
        if s.process_inbox:
            self.worker = InboxWorker(
                self.engine,
                self.work_lock,
                self.metrics,
                self.gate,
                batch=s.inbox_batch,
                idle_seconds=s.inbox_idle_seconds,
            )
        if s.scheduler:
            self.service = ObservedScheduler(
                self.engine,
                self.metrics,
                self.gate,
                interval_seconds=s.scheduler_interval,
                relay_seconds=s.relay_interval if s.relay else None,
                inbox=self.worker,
            )
            if self.worker is not None:
                self.worker.lock = self.service.lock
            service = self.service
            self.health.pull("outbox", lambda: self.redactor()(service.relay_problem))
            self.service.start()
        elif s.relay:
            log.warning("the outbox relay is a scheduler job: without the scheduler it is off")
        if self.worker is not None:
            self.worker.start()
        if s.watch:
            self.watcher = ConfigWatcher(
                Path(s.config_root), self._reload_from_watch, interval=s.watch_interval
            )
            self.watcher.start()
        if s.distributed:
            self.follower = VersionFollower(
                self._follow, self.reload_guard, interval=s.follow_interval
            )
            self.follower.start()
        log.info(
            "docket service started",
            extra={
                "ruleset": self.engine.ruleset.hash,
                "scheduler": s.scheduler,
                "inbox": s.process_inbox,
                "relay": s.relay and s.scheduler,
                "watch": s.watch,
            },
        )

    def stop(self) -> None:
        """Stop the workers between units of work, then close the store."""
        if self.watcher is not None:
            self.watcher.stop()
        if self.follower is not None:
            self.follower.stop()
        if self.worker is not None:
            self.worker.stop()
        if self.service is not None:
            self.service.shutdown(wait=True)
        self.store_watch.remove()
        if self.owns_engine:
            self.engine.close()
        log.info("docket service stopped")

    # --- configuration -------------------------------------------------------------------

    def reload(self) -> versions.SwitchReport:
        """Switch to the configuration root as it is now (``versions.switch``): validated
        first; SwitchRefused keeps the running version."""
        try:
            with self.reload_guard:
                result = versions.switch(
                    self.engine,
                    Path(self.settings.config_root),
                    hold=self._quiet(),
                    service=self.service,
                )
        except SwitchRefused as refused:
            self.metrics.reloads.labels("refused").inc()
            first = f": {refused.findings[0]}" if refused.findings else ""
            self.health.set(
                "configuration", f"a changed configuration was refused{first} ({refused.detail})"
            )
            raise
        self.health.clear("configuration")
        self.metrics.reloads.labels("applied" if result.changed else "unchanged").inc()
        return result

    def _follow(self) -> None:
        """Distributed mode: follow the published version; one that cannot be used degrades
        health until a usable one is published."""
        try:
            versions.follow(self.engine)
        except Exception as exc:
            self.health.set(
                "configuration",
                f"the published configuration version cannot be applied: {exc}; the running "
                f"version {self.engine.ruleset.hash[:12]} keeps running",
            )
            raise
        self.health.clear("configuration")

    def _reload_from_watch(self) -> None:
        try:
            result = self.reload()
        except SwitchRefused as refused:
            log.error(
                "configuration change refused: %s",
                refused.detail,
                extra={"errors": [str(f) for f in refused.findings]},
            )
            return
        if result.changed:
            log.info("configuration change applied", extra=result.as_json())
