"""The relay: sends due outbox messages through their connectors, once each.

For every due message (``pending``, or ``deferred`` whose time has come) the relay asks the
contact policy again, picks the connector, and in a committed transaction of its own marks
the message ``sending`` (attempts + 1, a lease, the relay's host and pid) *before* calling the
connector; the outcome is recorded in a second transaction. A relay that dies in between
leaves the message ``sending``; the next relay finds it (its lease ran out, or its pid is
gone on this host) and, when the connector deduplicates by key, sends it again with the same
idempotency key; otherwise the message is ``in_doubt`` and the connector's ``reconcile``
hook (if any) decides, else an admin does (``docket outbox retry|cancel``).

Transient failures back off exponentially with jitter; permanent ones, and the last of
``max_attempts``, go to dead letters.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import Clock
from engine.domain import contact_policy as policy
from engine.domain import models as m
from engine.outbox.api import ConnectorError, Message, Receipt, Recipient, Reconciler
from engine.outbox.routing import Route, Router, router_for

log = logging.getLogger("docket.outbox")

DUE = ("pending", "deferred")
INTERNAL = ("_relay", "_route", "_delivery")  # relay bookkeeping kept in the payload
HOST = socket.gethostname()
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

    def as_json(self) -> dict[str, list[int]]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}

    @property
    def busy(self) -> bool:
        return bool(self.sent or self.retrying or self.dead or self.recovered)


def idempotency_key(row: m.OutboxMessage) -> str:
    """The key a connector sees: the row's key (run, step, recipient) made unique across
    stores by its event id, in characters safe for file names and headers."""
    suffix = (row.event_id or row.created_at.strftime("%Y%m%d%H%M%S%f"))[:12]
    raw = f"{row.key}-{suffix}"
    return "".join(c if c.isalnum() or c in "._@+-" else "-" for c in raw)


def visible_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (payload or {}).items() if k not in INTERNAL}


def to_message(row: m.OutboxMessage, today: date | None) -> Message:
    """The connector's view of a row."""
    recipient = row.recipient or {}
    payload = visible_payload(row.payload)
    body = payload.get("body")
    return Message(
        id=row.id,
        channel=row.channel,
        recipient=Recipient(
            recipient.get("party"),
            recipient.get("name"),
            recipient.get("address"),
            tuple(recipient.get("roles") or ()),
        ),
        template=row.template,
        subject=payload.get("subject"),
        body=body if isinstance(body, str) else None,
        payload=payload,
        account=row.account_id,
        case=row.case_id,
        client=row.client_code,
        created_on=row.created_on,
        today=today,
    )


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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _stale(row: m.OutboxMessage, now: datetime) -> bool:
    """A ``sending`` row whose relay is gone: lease over, or its pid dead on this host."""
    if row.next_attempt_at is None or row.next_attempt_at <= now:
        return True
    lease = (row.payload or {}).get("_relay") or {}
    pid = lease.get("pid")
    if lease.get("host") != HOST or not isinstance(pid, int) or pid == os.getpid():
        return False
    return not _alive(pid)


class Relay:
    """One relay pass over one engine's store with one router."""

    def __init__(
        self,
        engine: EngineLike,
        router: Router,
        now: datetime,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.engine = engine
        self.router = router
        self.now = now
        self.today = _today(engine.ruleset, now)
        self.lease = timedelta(seconds=lease_seconds)
        self.report = RelayReport()

    # --- passes ----------------------------------------------------------------------------

    def run(self, limit: int | None = None) -> RelayReport:
        self.recover()
        self.reconcile()
        for row_id in self._due(limit):
            self.send(row_id)
        return self.report

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

    def _route(self, row: m.OutboxMessage) -> Route | None:
        chosen = (row.payload or {}).get("_route")
        found = self.router.get(chosen) if isinstance(chosen, str) else None
        return found or self.router.route(row.channel, row.client_code)

    # --- crash recovery --------------------------------------------------------------------

    def recover(self) -> None:
        """Messages a dead relay left ``sending``: send again by key, or mark in doubt."""
        with self.engine.sessions() as session, session.begin():
            rows = session.scalars(
                select(m.OutboxMessage).where(m.OutboxMessage.status == "sending")
            ).all()
            for row in rows:
                if not _stale(row, self.now):
                    continue
                route = self._route(row)
                payload = {k: v for k, v in (row.payload or {}).items() if k != "_relay"}
                row.payload = payload
                if route is not None and route.deduplicates:
                    row.status, row.next_attempt_at = "pending", None
                    row.last_error = (
                        "the relay stopped while sending; sending again with the same key"
                    )
                    self.report.recovered.append(row.id)
                else:
                    row.status, row.next_attempt_at = "in_doubt", self.now
                    row.last_error = (
                        "the relay stopped while sending and the connector cannot deduplicate; "
                        "delivery is in doubt"
                    )
                    self.report.in_doubt.append(row.id)
                log.warning("outbox %s: %s", row.id, row.last_error)

    def reconcile(self) -> None:
        """Ask connectors with a ``reconcile`` hook about messages in doubt."""
        with self.engine.sessions() as session:
            ids = list(
                session.scalars(
                    select(m.OutboxMessage.id).where(
                        m.OutboxMessage.status == "in_doubt",
                        m.OutboxMessage.next_attempt_at <= self.now,
                    )
                )
            )
        for row_id in ids:
            with self.engine.sessions() as session, session.begin():
                row = session.get(m.OutboxMessage, row_id)
                if row is None or row.status != "in_doubt":
                    continue
                route = self._route(row)
                if route is None or not isinstance(route.connector, Reconciler):
                    row.next_attempt_at = None  # an admin decides: retry or cancel
                    continue
                message, key = to_message(row, self.today), idempotency_key(row)
                try:
                    receipt = route.connector.reconcile(message, key)
                except Exception as exc:
                    row.last_error = self._error_text("reconcile", exc)
                    row.next_attempt_at = self.now + timedelta(
                        seconds=route.retry.delay(row.attempts)
                    )
                    continue
                if receipt is None:
                    row.status, row.next_attempt_at = "pending", None
                    row.last_error = "reconciled: not delivered; sending again"
                    self.report.recovered.append(row.id)
                else:
                    self._mark_sent(row, route, receipt)

    # --- sending ---------------------------------------------------------------------------

    def send(self, row_id: int) -> None:
        """Check, claim, send and record one message."""
        claimed = self._claim(row_id)
        if claimed is None:
            return
        route, message, key, attempts = claimed
        try:
            receipt: Receipt | None = route.connector.send(message, key)
            error: Exception | None = None
        except Exception as exc:  # a connector's own bug is a failed send, not a lost one
            receipt, error = None, exc
        with self.engine.sessions() as session, session.begin():
            row = session.get(m.OutboxMessage, row_id)
            if row is None or row.status != "sending":
                return  # cancelled by hand meanwhile
            row.payload = {k: v for k, v in (row.payload or {}).items() if k != "_relay"}
            if error is None:
                self._mark_sent(row, route, receipt or Receipt())
            else:
                self._mark_failed(row, route, error, attempts)

    def _claim(self, row_id: int) -> tuple[Route, Message, str, int] | None:
        with self.engine.sessions() as session, session.begin():
            row = session.get(m.OutboxMessage, row_id)
            if row is None or row.status not in DUE:
                return None
            if row.next_attempt_at is not None and row.next_attempt_at > self.now:
                return None
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
                deferred = decision.status == "deferred"
                (self.report.deferred if deferred else self.report.blocked).append(row.id)
                return None
            route = self._route(row)
            if route is None:
                row.status = "dead"
                row.last_error = f"no connector serves channel '{row.channel}'" + (
                    f" for client '{row.client_code}'" if row.client_code else ""
                )
                self.report.dead.append(row.id)
                return None
            message, key = to_message(row, self.today), idempotency_key(row)
            payload = {
                **(row.payload or {}),
                "_route": route.id,
                "_relay": {"host": HOST, "pid": os.getpid()},
            }
            attempts = row.attempts + 1
            done = session.execute(
                update(m.OutboxMessage)
                .where(m.OutboxMessage.id == row_id, m.OutboxMessage.status == row.status)
                .values(
                    status="sending",
                    attempts=attempts,
                    next_attempt_at=self.now + self.lease,
                    payload=payload,
                )
                .execution_options(synchronize_session=False)
            )
            if getattr(done, "rowcount", 0) != 1:
                return None  # another relay claimed it first
        return route, message, key, attempts

    def _mark_sent(self, row: m.OutboxMessage, route: Route, receipt: Receipt) -> None:
        row.status, row.sent_at, row.next_attempt_at = "sent", self.now, None
        row.last_error = None
        row.payload = {
            **{k: v for k, v in (row.payload or {}).items() if k != "_relay"},
            "_route": route.id,
            "_delivery": {
                "connector": route.id,
                "receipt": self.router.redact(receipt.id),
                "detail": self.router.redact(receipt.detail),
            },
        }
        self.report.sent.append(row.id)
        log.info("outbox %s: sent via %s (%s)", row.id, route.id, receipt.id or "no receipt")

    def _mark_failed(self, row: m.OutboxMessage, route: Route, exc: Exception, n: int) -> None:
        text = self._error_text(route.id, exc)
        permanent = isinstance(exc, ConnectorError) and exc.permanent
        if permanent or n >= route.retry.max_attempts:
            row.status, row.next_attempt_at = "dead", None
            row.last_error = text if permanent else f"gave up after {n} attempts: {text}"
            self.report.dead.append(row.id)
        else:
            retry_after = exc.retry_after if isinstance(exc, ConnectorError) else None
            row.status = "pending"
            row.next_attempt_at = self.now + timedelta(seconds=route.retry.delay(n, retry_after))
            row.last_error = f"attempt {n} failed: {text}"
            self.report.retrying.append(row.id)
        log.warning("outbox %s: %s", row.id, row.last_error)

    def _error_text(self, where: str, exc: BaseException) -> str:
        kind = "" if isinstance(exc, ConnectorError) else f"{type(exc).__name__}: "
        return str(self.router.redact(f"{where}: {kind}{exc}"))


def relay_once(
    engine: EngineLike,
    now: datetime | None = None,
    *,
    router: Router | None = None,
    limit: int | None = None,
    lease_seconds: float = LEASE_SECONDS,
) -> RelayReport:
    """Send every due message once (the scheduler's relay job and ``docket outbox relay``)."""
    if now is None:
        assert engine.clock is not None
        now = engine.clock.now()
    own = router is None
    active = router or router_for(engine.ruleset)
    try:
        return Relay(engine, active, now, lease_seconds).run(limit)
    finally:
        if own:
            active.close()
