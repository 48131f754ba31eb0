"""The workers ``docket run`` keeps beside the API: the inbox loop, the observed scheduler and
the configuration watcher. Each stops between two units of work, never inside one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from engine.api.metrics import Metrics
from engine.config.loader import discover
from engine.scheduler.jobs import DayReport, resume_due, run_day, run_due
from engine.scheduler.service import SchedulerService, sweep_time
from engine.scheduler.sweep import SweepReport, last_swept, sweep

if TYPE_CHECKING:
    from engine.runtime import Engine

log = logging.getLogger("docket.worker")


class InboxWorker:
    """Drain the inbox soon after events arrive: woken by each accepted submission.

    Processing holds the work lock (the scheduler's), so the inbox loop, the scheduler jobs
    and a configuration reload never overlap, and takes turns with the ingest flusher at the
    write gate. Batches are sized to a few milliseconds (see ``_adapt``).
    """

    def __init__(
        self,
        engine: Engine,
        lock: threading.Lock,
        metrics: Metrics,
        gate: WriteGate,
        *,
        batch: int = 200,
        idle_seconds: float = 0.5,
        batch_seconds: float = 0.025,
    ) -> None:
        self.engine = engine
        self.lock = lock
        self.metrics = metrics
        self.gate = gate
        self.max_batch = batch
        self.batch = min(10, batch)
        self.batch_seconds = batch_seconds
        self.per_event = 0.002  # seconds one event takes, a moving average
        self.idle_seconds = idle_seconds
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="docket-inbox", daemon=True)
        self.errors = 0

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Stop after the batch in progress (committed or rolled back whole)."""
        self.stopping.set()
        self.wake.set()
        if self.thread.is_alive():
            self.thread.join(timeout)

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.wake.wait(self.idle_seconds)
            self.wake.clear()
            while not self.stopping.is_set():
                size = self.batch
                try:
                    with self.lock, self.gate.turn("process"):
                        started = time.perf_counter()
                        stats = self.engine.process(limit=size, batch_size=size)
                        took = time.perf_counter() - started
                except Exception:  # the loop must survive a bad moment; the next wake retries
                    self.errors += 1
                    log.exception("inbox processing failed")
                    time.sleep(self.idle_seconds)
                    break
                self.metrics.processed(dict(stats.outcomes))
                if stats.processed:
                    self._adapt(took / stats.processed)
                if stats.processed < size:
                    break

    def _adapt(self, per_event: float) -> None:
        """Size batches to about ``batch_seconds``: a request waiting for the write lock waits
        for one short batch, while cheap events are still processed in bulk."""
        self.per_event = 0.7 * self.per_event + 0.3 * per_event
        fits = int(self.batch_seconds / max(self.per_event, 1e-5))
        self.batch = max(1, min(self.max_batch, fits))


class ObservedScheduler(SchedulerService):
    """The embedded scheduler with its job durations, lateness and outcomes measured.

    Its jobs take the write gate's processing turn (SQLite's one writer); the relay's short
    writes (claim, record) take the ingest turn. With an inbox loop
    (``inbox``), the frequent job sweeps and resumes waits, then wakes the loop to process
    what they queued, in its small batches, instead of draining the inbox itself.
    """

    def __init__(
        self,
        engine: Engine,
        metrics: Metrics,
        gate: WriteGate,
        *,
        interval_seconds: float = 60.0,
        relay_seconds: float | None = None,
        inbox: InboxWorker | None = None,
    ) -> None:
        super().__init__(engine, interval_seconds=interval_seconds, relay_seconds=relay_seconds)
        self.metrics = metrics
        self.gate = gate
        self.inbox = inbox
        # The relay's writes are short and a sent message waits on them: the ingest turn.
        self.relay_gate = lambda: gate.turn("ingest")

    def _observe_day(self, report: DayReport, started: float, at: datetime) -> None:
        self.metrics.sweep_duration.labels("daily").observe(time.perf_counter() - started)
        scheduled = datetime.combine(report.day, sweep_time(self.engine), self.zone)
        self.metrics.sweep_lateness.set(max(0.0, (at - scheduled).total_seconds()))
        late = report.sweep.late
        self.metrics.date_firings.labels("late").inc(late)
        self.metrics.date_firings.labels("on_time").inc(max(0, report.sweep.fired - late))
        self.metrics.processed(dict(report.processed.outcomes))

    def catch_up(self) -> DayReport:
        """The cycle of today (after sweep time) or of yesterday (before it)."""
        assert self.engine.clock is not None
        started, at = time.perf_counter(), datetime.now(self.zone)
        today = self.engine.clock.today()
        day = today if at.time() >= sweep_time(self.engine) else today - timedelta(days=1)
        with self.lock, self.gate.turn("process"):  # the same order as every job: no deadlock
            report = self.last_cycle = run_day(self.engine, day)
        self._observe_day(report, started, at)
        return report

    def daily(self) -> None:
        started, at = time.perf_counter(), datetime.now(self.zone)
        try:
            with self.lock, self.gate.turn("process"):
                self.last_cycle = run_day(self.engine)
            self._observe_day(self.last_cycle, started, at)
        except Exception as exc:  # the scheduler thread must survive; the next run retries
            self.errors.append(f"daily cycle: {type(exc).__name__}: {exc}")
            log.exception("daily cycle failed")

    def due(self) -> None:
        started = time.perf_counter()
        try:
            if self.inbox is None:
                with self.lock, self.gate.turn("process"):
                    swept, _, processed = run_due(self.engine)
                self.metrics.processed(dict(processed.outcomes))
            else:
                swept = self._sweep_and_resume()
                self.inbox.wake.set()
            self.metrics.sweep_duration.labels("due").observe(time.perf_counter() - started)
            if swept is not None:
                self.metrics.date_firings.labels("late").inc(swept.late)
                self.metrics.date_firings.labels("on_time").inc(max(0, swept.fired - swept.late))
        except Exception as exc:
            self.errors.append(f"due work: {type(exc).__name__}: {exc}")
            log.exception("due work failed")

    def _sweep_and_resume(self) -> SweepReport | None:
        """``run_due`` without its inbox drain: today's new dates (once today was swept) and
        the waits that are due."""
        assert self.engine.clock is not None
        today = self.engine.clock.today()
        with self.lock, self.gate.turn("process"):
            with self.engine.sessions() as session:
                swept_today = last_swept(session) == today
            swept = sweep(self.engine, today) if swept_today else None
            resume_due(self.engine, today)
        return swept


def fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """The configuration files with their modification times and sizes."""
    try:
        yaml_files, templates = discover(root)
    except OSError:
        return ()
    found = []
    for path in sorted((*yaml_files, *templates)):
        try:
            stat = path.stat()
        except OSError:  # removed between listing and stat: the next poll sees it gone
            continue
        found.append((path.as_posix(), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


class ConfigWatcher:
    """Poll the configuration root's files; on a settled change, call ``on_change``."""

    def __init__(
        self, root: Path, on_change: Callable[[], object], *, interval: float = 1.0
    ) -> None:
        self.root = root
        self.on_change = on_change
        self.interval = interval
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="docket-watch", daemon=True)

    def start(self) -> None:
        self.seen = fingerprint(self.root)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(self.interval * 3 + 5)

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            now = fingerprint(self.root)
            if now == self.seen:
                continue
            # An editor writes several files (or one file twice): wait until it settles.
            while not self.stopping.wait(min(self.interval, 0.5)):
                again = fingerprint(self.root)
                if again == now:
                    break
                now = again
            self.seen = now
            try:
                self.on_change()
            except Exception:
                log.exception("reload after a configuration change failed")


class VersionFollower:
    """Distributed mode: follow the configuration version another process published.

    Every ``interval`` seconds, under the reload guard (so never inside a reload of this
    process), one read of the active version; a new one is compiled from its archived files.
    """

    def __init__(
        self, follow: Callable[[], object], guard: threading.Lock, *, interval: float = 2.0
    ) -> None:
        self.follow = follow
        self.guard = guard
        self.interval = interval
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="docket-follow", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(self.interval + 30)

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                with self.guard:
                    self.follow()
            except Exception:  # a bad moment (the store away): the next poll retries
                log.exception("following the published configuration version failed")


class WriteGate:
    """Turns at SQLite's single write lock for the ingest flusher and the inbox loop.

    SQLite lets one transaction write at a time; left to its busy timeout, a long processing
    batch stalls every request behind it, and a read-then-write transaction can fail outright
    when another one commits in between. So the two writers of this process take turns here.
    Requests wait for an answer, the inbox does not: the ingest flusher goes first, and the
    inbox loop goes once requests have paused for ``quiet`` seconds — or when it has waited
    ``overdue`` seconds, so a steady stream of requests slows processing down (the inbox
    absorbs the burst) but never stops it. On PostgreSQL rows lock separately and the gate
    lets everyone through.
    """

    def __init__(self, enabled: bool, quiet: float = 0.05, overdue: float = 0.25) -> None:
        self.enabled = enabled
        self.quiet = quiet
        self.overdue = overdue
        self._cond = threading.Condition()
        self._busy = False
        self._ingest_waiting = 0
        self._last_ingest = 0.0
        self._process_since: float | None = None

    def _process_may_go(self, now: float) -> bool:
        since = self._process_since
        if since is not None and now - since >= self.overdue:
            return True
        return not self._ingest_waiting and now - self._last_ingest >= self.quiet

    def _process_overdue(self, now: float) -> bool:
        since = self._process_since
        return since is not None and now - since >= self.overdue

    @contextmanager
    def turn(self, who: str) -> Iterator[None]:
        """Hold the write turn of ``who`` (``ingest`` or ``process``)."""
        if not self.enabled:
            yield
            return
        with self._cond:
            if who == "process":
                self._process_since = time.monotonic()
                while self._busy or not self._process_may_go(time.monotonic()):
                    self._cond.wait(self.quiet)
                self._process_since = None
            else:
                self._ingest_waiting += 1
                while self._busy or self._process_overdue(time.monotonic()):
                    self._cond.wait(self.overdue)
                self._ingest_waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                if who == "ingest":
                    self._last_ingest = time.monotonic()
                self._cond.notify_all()
