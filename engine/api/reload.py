"""Safe reload: validate the configuration on disk, then switch to it — or keep the old one.

The new version is compiled and checked before anything changes (outside every lock, since
it takes a while). An invalid configuration is refused with its findings and the running
version stays. A valid one is switched in under the work lock (no batch, sweep or scheduler
job is in progress), then waiting runs follow their path's ``on_change``.
"""

from __future__ import annotations

import logging
import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.cron import CronTrigger

from engine.config import Finding, validate_root
from engine.scheduler import versions
from engine.scheduler.service import DAILY_JOB, SchedulerService, sweep_time

if TYPE_CHECKING:
    from engine.runtime.engine import Engine

log = logging.getLogger("docket.reload")


class ReloadRefused(Exception):
    """The candidate configuration is invalid (or not applicable); nothing changed."""

    def __init__(self, detail: str, findings: list[Finding]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.findings = findings


@dataclass(slots=True)
class ReloadResult:
    changed: bool
    previous: str
    current: str
    warnings: list[str] = field(default_factory=list)
    version_change: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "previous": self.previous,
            "current": self.current,
            "warnings": self.warnings,
            "version_change": self.version_change,
        }


def reload(
    engine: Engine,
    work_lock: threading.Lock,
    service: SchedulerService | None = None,
    guard: threading.Lock | None = None,
    gate: AbstractContextManager[None] | None = None,
    *,
    root: Path | None = None,
) -> ReloadResult:
    """Load the configuration root again (default: the running version's); switch to it if
    valid and different."""
    with guard or threading.Lock():
        root = root or Path(engine.ruleset.root)
        previous = engine.ruleset.hash
        result = validate_root(root, actions=tuple(engine.registry.names()))
        warnings = [str(f) for f in result.warnings]
        if result.ruleset is None:
            count = len(result.errors)
            raise ReloadRefused(
                f"the configuration at {root} has {count} error(s); version "
                f"{previous[:12]} keeps running",
                result.errors,
            )
        new = result.ruleset
        if new.hash == previous:
            return ReloadResult(False, previous, previous, warnings)
        if new.agency.timezone != engine.ruleset.agency.timezone:
            raise ReloadRefused(
                f"agency.timezone changed ({engine.ruleset.agency.timezone} → "
                f"{new.agency.timezone}): that needs a restart; version {previous[:12]} "
                "keeps running",
                [],
            )
        with work_lock, gate or nullcontext():
            # The running version's files were archived when the engine recorded it, before
            # they could change on disk: runs may finish on it (on_change: finish).
            engine.use_ruleset(new)
            change = versions.apply_version_change(engine)
            if service is not None and service.running:
                at = sweep_time(engine)
                service.scheduler.reschedule_job(
                    DAILY_JOB,
                    trigger=CronTrigger(hour=at.hour, minute=at.minute, timezone=service.zone),
                )
        for problem in change.problems:
            log.warning("version change: %s", problem)
        log.info(
            "configuration reloaded",
            extra={"previous": previous, "current": new.hash, "change": change.as_json()},
        )
        return ReloadResult(True, previous, new.hash, warnings, change.as_json())
