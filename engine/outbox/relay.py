"""The relay: sends due outbox messages through their connectors, once each.

For every due message (``pending``, or ``deferred`` whose time has come) the relay asks the
contact policy again, picks the connector, and in a committed transaction of its own marks
the message ``sending`` (attempts + 1, a lease, the relay's host and pid) *before* calling the
connector. The connector's answer is then recorded durably (``outcomes``: one read-free
update in the process's write gate, retried while SQLite is locked, else kept in memory for
the next pass), so a message that was accepted is never sent again because a local write
failed. A relay that dies in between leaves the message ``sending`` and its outcome unknown
(``recovery``): sent again with the same key through a connector that drops repeats by key,
else ``in_doubt`` for the connector's ``reconcile`` hook or an admin.

Transient failures back off exponentially with jitter; permanent ones, and the last of
``max_attempts``, go to dead letters.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import Clock
from engine.domain import contact_policy as policy
from engine.domain import models as m
from engine.outbox import recovery
from engine.outbox.api import BatchConnector, ConnectorError, Message, Receipt
from engine.outbox.messages import idempotency_key, to_message
from engine.outbox.outcomes import Gate, Outcome, Unrecorded, Writer
from engine.outbox.recovery import HOST
from engine.outbox.routing import Route, Router, router_for

log = logging.getLogger("docket.outbox")

DUE = ("pending", "deferred")
LEASE_SECONDS = 300.0


class EngineLike(Protocol):
    ruleset: RuleSet
    clock: Clock | None

    @property
    def sessions(self) -> Callable[[], Session]: ...


@dataclass(slots=True)
class RelayReport:
    """What one relay pass did, by outcome, with the ids involved."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    blocked: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)
    in_doubt: list[int] = field(default_factory=list)
    unrecorded: list[int] = field(default_factory=list)  # sent or failed; not written yet
    last_failure: str | None = None  # the last connector error of the pass

    def as_json(self) -> dict[str, list[int]]:
        return {
            f.name: list(value)
            for f in fields(self)
            if isinstance(value := getattr(self, f.name), list)
        }

    @property
    def cannot_send(self) -> bool:
        """Sends were tried and every one failed for a reason that may pass (transient)."""
        return bool(self.retrying) and not self.sent

    @property
    def busy(self) -> bool:
        return bool(self.sent or self.retrying or self.dead or self.recovered)


def _today(ruleset: RuleSet, now: datetime) -> date:
    zone = ZoneInfo(ruleset.agency.timezone)
    return now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()


def _accounts(session: Session, row: m.OutboxMessage) -> list[m.Account]:
    """The message's accounts: its case's, else its own."""
    if row.case_id:
        return list(
            session.scalars(
                select(m.Account)
                .join(m.CaseAccount, m.CaseAccount.account_id == m.Account.id)
                .where(m.CaseAccount.case_id == row.case_id)
            )
        )
    found = session.get(m.Account, row.account_id) if row.account_id else None
    return [found] if found is not None else []


@dataclass(frozen=True, slots=True)
class Claim:
    """A message this relay marked ``sending``: what it hands to the connector."""

    row_id: int
    route: Route
    message: Message
    key: str
    attempts: int
    payload: dict[str, Any]  # the row's payload with ``_route``, without the lease


class Relay:
    """One relay pass over one engine's store with one router."""

    def __init__(
        self,
        engine: EngineLike,
        router: Router,
        now: datetime,
        lease_seconds: float = LEASE_SECONDS,
        *,
        gate: Gate | None = None,
        unrecorded: Unrecorded | None = None,
    ) -> None:
        self.engine = engine
        self.router = router
        self.now = now
        self.today = _today(engine.ruleset, now)
        self.lease = timedelta(seconds=lease_seconds)
        self.report = RelayReport()
        self.writer = Writer(engine.sessions, gate)
        self.unrecorded = Unrecorded() if unrecorded is None else unrecorded

    def run(self, limit: int | None = None) -> RelayReport:
        self.record_kept()
        recovery.recover(self)
        recovery.reconcile(self)
        batches: dict[str, list[Claim]] = {}
        for row_id in self._due(limit):
            claim = self.claim(row_id)
            if claim is None:
                continue
            connector = claim.route.connector
            if not isinstance(connector, BatchConnector):
                self._record(self._deliver(claim))
                continue
            batch = batches.setdefault(claim.route.id, [])
            batch.append(claim)
            if len(batch) >= max(connector.batch_size, 1):
                self.send_batch(batches.pop(claim.route.id))
        for batch in batches.values():
            self.send_batch(batch)
        return self.report

    def record_kept(self) -> None:
        """Write the outcomes earlier passes of this process could not (oldest first)."""
        for outcome, applied in self.unrecorded.flush(self.writer):
            self._recorded(outcome, applied)

    def _due(self, limit: int | None) -> list[int]:
        query = (
            select(m.OutboxMessage.id)
            .where(
                m.OutboxMessage.status.in_(DUE),
                or_(
                    m.OutboxMessage.next_attempt_at.is_(None),
                    m.OutboxMessage.next_attempt_at <= self.now,
                ),
            )
            .order_by(m.OutboxMessage.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.engine.sessions() as session:
            return list(session.scalars(query))

    def route_of(self, row: m.OutboxMessage) -> Route | None:
        chosen = (row.payload or {}).get("_route")
        found = self.router.get(chosen) if isinstance(chosen, str) else None
        return found or self.router.route(row.channel, row.client_code)

    def message_of(self, row: m.OutboxMessage) -> tuple[Message, str]:
        return to_message(row, self.today), idempotency_key(row)

    # --- sending ---------------------------------------------------------------------------

    def claim(self, row_id: int) -> Claim | None:
        """Check the message and mark it ``sending`` in a committed transaction of its own."""
        try:
            claim, kind = self.writer.write(lambda session: self._claim(session, row_id))
        except SQLAlchemyError as exc:  # not claimed, not sent: the next pass tries again
            log.warning("outbox %s: not claimed: %s", row_id, exc)
            return None
        if kind is not None:
            getattr(self.report, kind).append(row_id)
        return claim

    def _deliver(self, claim: Claim) -> Outcome:
        try:
            receipt = claim.route.connector.send(claim.message, claim.key)
            return self._sent(claim, receipt or Receipt())
        except Exception as exc:  # a connector's own bug is a failed send, not a lost one
            return self._failed(claim, exc)

    def send_batch(self, claims: list[Claim]) -> None:
        """Claimed messages of one batch connector in one call; each outcome recorded."""
        connector = claims[0].route.connector
        assert isinstance(connector, BatchConnector)
        answers: list[Receipt | Exception]
        try:
            answers = list(connector.send_batch([(c.message, c.key) for c in claims]))
            if len(answers) != len(claims):
                raise ConnectorError(f"answered {len(answers)} of {len(claims)} messages")
        except Exception as exc:  # the whole batch failed: each of its messages did
            answers = [exc] * len(claims)
        for claim, answer in zip(claims, answers, strict=True):
            if isinstance(answer, Exception):
                self._record(self._failed(claim, answer))
            else:
                self._record(self._sent(claim, answer or Receipt()))

    def _claim(self, session: Session, row_id: int) -> tuple[Claim | None, str | None]:
        """Mark the message ``sending`` (compare-and-set); or park it (the report list)."""
        row = session.get(m.OutboxMessage, row_id)
        if row is None or row.status not in DUE:
            return None, None
        if row.next_attempt_at is not None and row.next_attempt_at > self.now:
            return None, None
        decision = policy.check(
            session,
            self.engine.ruleset,
            channel=row.channel,
            party_id=(row.recipient or {}).get("party"),
            accounts=_accounts(session, row),
            case_id=row.case_id,
            now=self.now,
            exclude_id=row.id,
        )
        if not decision.allowed:
            row.status, row.block_reason = decision.status, decision.reason
            row.next_attempt_at = decision.until
            return None, "deferred" if decision.status == "deferred" else "blocked"
        route = self.route_of(row)
        if route is None:
            row.status = "dead"
            row.last_error = f"no connector serves channel '{row.channel}'" + (
                f" for client '{row.client_code}'" if row.client_code else ""
            )
            return None, "dead"
        message, key = self.message_of(row)
        payload = {k: v for k, v in (row.payload or {}).items() if k != "_relay"}
        payload["_route"] = route.id
        attempts = row.attempts + 1
        done = session.execute(
            update(m.OutboxMessage)
            .where(m.OutboxMessage.id == row_id, m.OutboxMessage.status == row.status)
            .values(
                status="sending",
                attempts=attempts,
                next_attempt_at=self.now + self.lease,
                payload={**payload, "_relay": {"host": HOST, "pid": os.getpid()}},
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(done, "rowcount", 0) != 1:
            return None, None  # another relay claimed it first
        return Claim(row_id, route, message, key, attempts, payload), None

    def _sent(self, claim: Claim, receipt: Receipt) -> Outcome:
        values = {
            "status": "sent",
            "sent_at": self.now,
            "next_attempt_at": None,
            "last_error": None,
            "payload": self.delivered(claim.payload, claim.route, receipt),
        }
        note = f"sent via {claim.route.id} ({receipt.id or 'no receipt'})"
        return Outcome(claim.row_id, claim.attempts, values, "sent", note)

    def _failed(self, claim: Claim, exc: Exception) -> Outcome:
        route, n = claim.route, claim.attempts
        text = self.error_text(route.id, exc)
        permanent = isinstance(exc, ConnectorError) and exc.permanent
        values: dict[str, Any] = {"payload": claim.payload}
        if permanent or n >= route.retry.max_attempts:
            values.update(status="dead", next_attempt_at=None)
            values["last_error"] = text if permanent else f"gave up after {n} attempts: {text}"
            kind = "dead"
        else:
            retry_after = exc.retry_after if isinstance(exc, ConnectorError) else None
            delay = timedelta(seconds=route.retry.delay(n, retry_after))
            values.update(status="pending", next_attempt_at=self.now + delay)
            values["last_error"] = f"attempt {n} failed: {text}"
            kind = "retrying"
            self.report.last_failure = text
        return Outcome(claim.row_id, claim.attempts, values, kind, str(values["last_error"]))

    def _record(self, outcome: Outcome) -> None:
        """Write the outcome now; failing that, keep it for the next pass of this process."""
        try:
            applied = self.writer.write(outcome.apply)
        except SQLAlchemyError as exc:
            self.unrecorded.add(outcome)
            self.report.unrecorded.append(outcome.row_id)
            log.error(
                "outbox %s: %s; recording it failed (%s): kept to record on the next pass",
                outcome.row_id,
                outcome.note,
                exc,
            )
            return
        self._recorded(outcome, applied)

    def _recorded(self, outcome: Outcome, applied: bool) -> None:
        if not applied:  # an admin retried or cancelled it meanwhile: their word stands
            log.warning("outbox %s: %s; not recorded: changed since", outcome.row_id, outcome.note)
            return
        getattr(self.report, outcome.kind).append(outcome.row_id)
        if outcome.kind == "sent":
            log.info("outbox %s: %s", outcome.row_id, outcome.note)
        else:
            log.warning("outbox %s: %s", outcome.row_id, outcome.note)

    def delivered(
        self, payload: dict[str, Any] | None, route: Route, receipt: Receipt
    ) -> dict[str, Any]:
        """The payload of a sent message: where it went and the receipt, secrets blanked."""
        return {
            **{k: v for k, v in (payload or {}).items() if k != "_relay"},
            "_route": route.id,
            "_delivery": {
                "connector": route.id,
                "receipt": self.router.redact(receipt.id),
                "detail": self.router.redact(receipt.detail),
            },
        }

    def error_text(self, where: str, exc: BaseException) -> str:
        kind = "" if isinstance(exc, ConnectorError) else f"{type(exc).__name__}: "
        return str(self.router.redact(f"{where}: {kind}{exc}"))


def relay_once(
    engine: EngineLike,
    now: datetime | None = None,
    *,
    router: Router | None = None,
    limit: int | None = None,
    lease_seconds: float = LEASE_SECONDS,
    gate: Gate | None = None,
    unrecorded: Unrecorded | None = None,
) -> RelayReport:
    """Send every due message once (the scheduler's relay job and ``docket outbox relay``).

    ``gate``: the process's write turns (``docket run``); ``unrecorded``: outcomes kept
    across passes by a long-lived owner (a one-off pass keeps its own and says so if any
    is left).
    """
    if now is None:
        assert engine.clock is not None
        now = engine.clock.now()
    own = router is None
    active = router or router_for(engine.ruleset)
    memory = Unrecorded() if unrecorded is None else unrecorded
    try:
        relay = Relay(engine, active, now, lease_seconds, gate=gate, unrecorded=memory)
        return relay.run(limit)
    finally:
        if own:
            active.close()
        if unrecorded is None and len(memory):
            log.error(
                "outbox: %d outcomes could not be recorded and this pass ends: their messages "
                "will be in doubt when their lease runs out",
                len(memory),
            )


def record_kept(engine: EngineLike, unrecorded: Unrecorded, gate: Gate | None = None) -> int:
    """Write the outcomes kept in memory (a stopping service's last chance); how many are
    still unwritten, each logged: their messages will be in doubt."""
    now = engine.clock.now() if engine.clock is not None else datetime.now(UTC).replace(tzinfo=None)
    Relay(engine, Router([]), now, gate=gate, unrecorded=unrecorded).record_kept()
    left = len(unrecorded)
    if left:
        log.error(
            "outbox: %d sent or failed messages could not be recorded (ids %s); they will be "
            "in doubt when their lease runs out",
            left,
            ", ".join(map(str, sorted(unrecorded.ids()))),
        )
    return left
