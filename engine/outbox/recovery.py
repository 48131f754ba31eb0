"""Messages a relay left ``sending`` and never recorded: sent again by key, or in doubt.

A ``sending`` row is stale when its lease ran out, or at once when the pid that claimed it
is gone on this host (SIGKILL, a crash, a restart). Whether it reached the other side is
then unknown. Only a connector type that declares ``deduplicates`` (the receiver drops a
repeat with the same idempotency key: an HTTP API honouring ``Idempotency-Key``, a file
named by the key) gets it again by itself. Any other — an ordinary mail server, a print
vendor, an SMS gateway that ignores keys — would deliver it twice, so the message becomes
``in_doubt``: a connector with a ``reconcile`` hook is asked, else it waits for an admin,
and ``docket outbox list|show`` says why.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.domain import models as m
from engine.outbox.api import Receipt, Reconciler
from engine.outbox.routing import Route

if TYPE_CHECKING:
    from engine.outbox.relay import Relay

log = logging.getLogger("docket.outbox")

HOST = socket.gethostname()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def stale(row: m.OutboxMessage, now: datetime) -> bool:
    """A ``sending`` row whose relay is gone: lease over, or its pid dead on this host."""
    if row.next_attempt_at is None or row.next_attempt_at <= now:
        return True
    lease = (row.payload or {}).get("_relay") or {}
    pid = lease.get("pid")
    if lease.get("host") != HOST or not isinstance(pid, int) or pid == os.getpid():
        return False
    return not _alive(pid)


def in_doubt_reason(row: m.OutboxMessage, route: Route | None) -> str:
    """Why a message waits in doubt, and what an admin does about it."""
    if route is None:
        via = "a connector no longer configured"
        why = "it cannot be asked or sent again by itself"
    else:
        via = f"connector '{route.id}' ({route.type})"
        why = (
            f"{route.type} is asked whether it arrived"
            if isinstance(route.connector, Reconciler)
            else f"{route.type} does not drop a repeat by key, so it is not sent again by itself"
        )
    return (
        f"delivery in doubt: the relay stopped after handing it to {via} and before recording "
        f"the answer; {why}. Check whether it arrived, then `docket outbox retry {row.id}` "
        f"(send again) or `docket outbox cancel {row.id}`"
    )


def recover(relay: Relay) -> None:
    """Stale ``sending`` rows: ``pending`` (same key) or ``in_doubt``. Rows whose outcome this
    process holds in memory, not yet written, are left alone."""
    kept = relay.unrecorded.ids()
    with relay.engine.sessions() as session:
        candidates = [
            row.id
            for row in session.scalars(
                select(m.OutboxMessage).where(m.OutboxMessage.status == "sending")
            )
            if row.id not in kept and stale(row, relay.now)
        ]
    for row_id in candidates:
        try:
            kind = relay.writer.write(partial(_recover_one, relay, row_id=row_id))
        except SQLAlchemyError as exc:  # the next pass tries again
            log.warning("outbox %s: recovery not written: %s", row_id, exc)
            continue
        if kind is not None:
            getattr(relay.report, kind).append(row_id)


def _recover_one(relay: Relay, session: Session, *, row_id: int) -> str | None:
    """The row made due again or in doubt; the report list it joins (None: not stale now)."""
    row = session.get(m.OutboxMessage, row_id)
    if row is None or row.status != "sending" or not stale(row, relay.now):
        return None
    route = relay.route_of(row)
    row.payload = {k: v for k, v in (row.payload or {}).items() if k != "_relay"}
    if route is not None and route.deduplicates:
        row.status, row.next_attempt_at = "pending", None
        row.last_error = (
            f"the relay stopped while sending; sending again with the same key ({route.type} "
            "drops a repeat)"
        )
        kind = "recovered"
    else:
        row.status, row.next_attempt_at = "in_doubt", relay.now
        row.last_error = in_doubt_reason(row, route)
        kind = "in_doubt"
    log.warning("outbox %s: %s", row.id, row.last_error)
    return kind


def reconcile(relay: Relay) -> None:
    """Ask connectors with a ``reconcile`` hook about messages in doubt; without one, the
    message waits for an admin (``next_attempt_at`` cleared)."""
    with relay.engine.sessions() as session:
        ids = list(
            session.scalars(
                select(m.OutboxMessage.id).where(
                    m.OutboxMessage.status == "in_doubt",
                    m.OutboxMessage.next_attempt_at <= relay.now,
                )
            )
        )
    for row_id in ids:
        try:
            _reconcile_one(relay, row_id)
        except SQLAlchemyError as exc:
            log.warning("outbox %s: reconciliation not written: %s", row_id, exc)


def _reconcile_one(relay: Relay, row_id: int) -> None:
    with relay.engine.sessions() as session:
        row = session.get(m.OutboxMessage, row_id)
        if row is None or row.status != "in_doubt":
            return
        route = relay.route_of(row)
        attempts = row.attempts
        message, key = relay.message_of(row)
    connector = route.connector if route is not None else None

    def still_in_doubt(session: Session) -> m.OutboxMessage | None:
        found = session.get(m.OutboxMessage, row_id)
        ok = found is not None and found.status == "in_doubt" and found.attempts == attempts
        return found if ok else None

    if route is None or not isinstance(connector, Reconciler):

        def wait_for_admin(session: Session) -> None:
            found = still_in_doubt(session)
            if found is not None:
                found.next_attempt_at = None

        relay.writer.write(wait_for_admin)
        return
    receipt: Receipt | None = None
    failure: Exception | None = None
    try:  # outside any transaction: the other side may be slow to answer
        receipt = connector.reconcile(message, key)
    except Exception as exc:
        failure = exc

    def record(session: Session) -> str | None:
        found = still_in_doubt(session)
        if found is None:
            return None
        if failure is not None:
            found.last_error = relay.error_text("reconcile", failure)
            found.next_attempt_at = relay.now + timedelta(seconds=route.retry.delay(found.attempts))
            return None
        if receipt is None:
            found.status, found.next_attempt_at = "pending", None
            found.last_error = "reconciled: not delivered; sending again"
            return "recovered"
        found.status, found.sent_at, found.next_attempt_at = "sent", relay.now, None
        found.last_error = None
        found.payload = relay.delivered(found.payload, route, receipt)
        return "sent"

    kind = relay.writer.write(record)
    if kind is not None:
        getattr(relay.report, kind).append(row_id)
        if kind == "sent":
            log.info("outbox %s: reconciled: delivered via %s", row_id, route.id)
