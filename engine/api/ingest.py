"""Group commit for ``POST /events``: concurrent requests share one inbox transaction.

Each request queues its event and awaits a future; one flusher at a time writes everything
queued with ``Engine.submit_many`` (one transaction, one idempotency-key query) in a worker
thread, then answers every future. Under load a batch holds the requests that arrived while
the previous one was being written, so throughput grows with concurrency while latency stays
one transaction. If a batch fails, its events are retried one by one so that only the
culprit gets the error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import anyio
from sqlalchemy.exc import OperationalError

from engine.api.background import WriteGate
from engine.runtime import Engine, Submitted

log = logging.getLogger("docket.ingest")

MAX_BATCH = 500
BUSY_RETRIES = 4


class Ingestor:
    def __init__(
        self,
        engine: Engine,
        on_accepted: Callable[[], None] | None = None,
        gate: WriteGate | None = None,
    ) -> None:
        self.engine = engine
        self.on_accepted = on_accepted
        self.gate = gate or WriteGate(enabled=False)
        self._pending: list[tuple[Mapping[str, Any], asyncio.Future[Submitted]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, event: Mapping[str, Any]) -> Submitted:
        """Queue one event (``Engine.submit``'s arguments) and wait for its outcome."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Submitted] = loop.create_future()
        self._pending.append((event, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            events = [event for event, _ in batch]
            try:
                results = await anyio.to_thread.run_sync(self._write, events)
            except Exception as exc:
                if len(batch) == 1:
                    _settle(batch[0][1], exc)
                    continue
                log.warning(
                    "an ingest batch of %d failed (%s); retrying one by one", len(batch), exc
                )
                for event, future in batch:
                    try:
                        one = await anyio.to_thread.run_sync(self._write, [event])
                        _settle(future, one[0])
                    except Exception as single:
                        _settle(future, single)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result)

    def _write(self, events: list[Mapping[str, Any]]) -> list[Submitted]:
        for attempt in range(BUSY_RETRIES + 1):
            try:
                with self.gate.turn("ingest"):
                    results = self.engine.submit_many(events, source="api")
                break
            except OperationalError as exc:
                # SQLite: another process (a CLI, a scheduler job) committed between this
                # transaction's read and its write; the retry starts on a fresh snapshot.
                if attempt == BUSY_RETRIES or "locked" not in str(exc).lower():
                    raise
                time.sleep(0.005 * 2**attempt)
        if self.on_accepted is not None and any(r.status == "pending" for r in results):
            self.on_accepted()
        return results


def _settle(future: asyncio.Future[Submitted], outcome: Submitted | BaseException) -> None:
    if future.done():  # the request went away (client disconnected): nothing to answer
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
