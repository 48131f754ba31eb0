"""Emails from a follow-up to its stakeholders: outbox rows, one per recipient.

The body is rendered here from a configured template with plain values (the domain does not
reach up to the runtime's views): ``follow_up``, ``account``, ``client``, ``case``, ``party``
(the recipient), ``today`` and ``now``. Each row's idempotency key is derived from the
follow-up and the history line that sent it, so replaying nothing sends twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from engine.config.expressions import RuleEnvironment
from engine.config.render_marks import failure_mark
from engine.domain.errors import DomainError
from engine.domain.models import (
    Account,
    Case,
    Client,
    FollowUp,
    FollowUpEntry,
    OutboxMessage,
    Party,
)
from engine.domain.operations.follow_ups.entries import get, record
from engine.domain.unit import Unit

STAKEHOLDERS = "stakeholders"
_SUBJECT = re.compile(r"^\s*\{#\s*subject:\s*(.*?)\s*#\}")


def _party(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "name": party.name,
        "email": party.email,
        "phone": party.phone,
        "timezone": party.timezone,
        "address": party.address,
    }


def _recipients(unit: Unit, row: FollowUp, to: Iterable[str] | str) -> list[dict[str, Any]]:
    names = [to] if isinstance(to, str) else list(to)
    if not names:
        raise DomainError(f"follow-up '{row.id}': name at least one recipient")
    found: dict[str, dict[str, Any]] = {}
    for raw in names:
        name = str(raw).strip()
        explicit = name != STAKEHOLDERS
        for target in row.stakeholders if not explicit else [name]:
            party = unit.session.get(Party, target)
            if party is not None:
                if not party.email:
                    if not explicit:
                        continue
                    raise DomainError(f"party '{party.id}' has no email address")
                item: dict[str, Any] = {
                    "party": party.id,
                    "name": party.name,
                    "address": party.email,
                }
            elif "@" in target:
                item = {"party": None, "name": target, "address": target}
            elif explicit:
                raise DomainError(f"recipient '{target}' is neither a party nor an email address")
            else:  # a department among the stakeholders: nobody to mail
                continue
            found.setdefault(item["party"] or item["address"], {**item, "roles": []})
    if not found:
        raise DomainError(f"follow-up '{row.id}': no stakeholder has an email address")
    return list(found.values())


def _context(unit: Unit, row: FollowUp) -> dict[str, Any]:
    case = unit.session.get(Case, row.case_id) if row.case_id else None
    account_id = row.account_id or (case.accounts[0].account_id if case and case.accounts else None)
    account = unit.session.get(Account, account_id) if account_id else None
    client = unit.session.get(Client, account.client_code) if account is not None else None
    return {
        "follow_up": {
            "id": row.id,
            "kind": row.kind,
            "title": row.title,
            "owner": row.owner,
            "status": row.status,
            "due_date": row.due_date,
            "stakeholders": list(row.stakeholders),
            "items": list(row.items),
            "outcome": row.outcome,
        },
        "account": None
        if account is None
        else {
            "id": account.id,
            "status": account.status,
            "worklist": account.worklist,
            "client": account.client_code,
            "balance": account.balance(),
            "balances": account.balances(),
            "flags": list(account.flags),
            "fields": dict(account.fields),
        },
        "client": None
        if client is None
        else {"id": client.code, "code": client.code, "name": client.name},
        "case": None
        if case is None
        else {
            "id": case.id,
            "status": case.status,
            "court": case.court,
            "court_date": case.court_date,
            "accounts": [link.account_id for link in case.accounts],
        },
        "party": None,
        "event": {},
        "vars": {},
        "today": unit.today,
        "now": unit.now,
    }


def _subject(unit: Unit, source: str, context: dict[str, Any]) -> str | None:
    match = _SUBJECT.match(source)
    if match is None:
        return None
    env = RuleEnvironment(unit.ruleset.agency.calendar, unit.ruleset.agency.limits)
    return env.from_string(match.group(1)).render(context).strip()


def email_follow_up(
    unit: Unit,
    follow_up: str,
    to: Iterable[str] | str,
    template: str,
    subject: str | None = None,
    author: str | None = None,
) -> FollowUpEntry:
    """Queue an email from a template to stakeholders (``stakeholders``, party ids, addresses)."""
    row = get(unit, follow_up)
    if row.status != "open":
        raise DomainError(f"follow-up '{row.id}' was resolved; it cannot send emails")
    compiled = unit.ruleset.templates.get(str(template))
    if compiled is None:
        raise DomainError(f"unknown template '{template}'")
    targets = _recipients(unit, row, to)
    context = _context(unit, row)
    bodies = []
    try:
        title = subject if subject else _subject(unit, compiled.source, context)
    except Exception as exc:  # a template error is the admin's to fix: say where
        found = _SUBJECT.match(compiled.source)
        where = failure_mark(compiled, exc, start=found.start(1) if found else 0)
        raise DomainError(f"{where}: subject of '{template}' failed: {exc}") from exc
    try:
        for target in targets:
            party = unit.session.get(Party, target["party"]) if target["party"] else None
            bodies.append(compiled.render({**context, "party": _party(party) if party else None}))
    except DomainError:
        raise
    except Exception as exc:
        where = failure_mark(compiled, exc)
        raise DomainError(f"{where}: template '{template}' failed: {exc}") from exc
    shown = [t["party"] or t["address"] for t in targets]
    entry = record(
        unit,
        row,
        "email",
        {"to": shown, "template": str(template), "subject": title, "author": author},
    )
    keys = []
    for target, body in zip(targets, bodies, strict=True):
        key = f"follow_up:{row.id}:{entry.id}:{target['party'] or target['address']}"
        payload: dict[str, Any] = {"body": body, "follow_up": row.id}
        if title:
            payload["subject"] = title
        account = context["account"]
        unit.session.add(
            OutboxMessage(
                key=key,
                channel="email",
                template=str(template),
                recipient=target,
                payload=payload,
                subject_kind="follow_up",
                subject_id=row.id,
                account_id=account["id"] if account else None,
                case_id=row.case_id,
                client_code=account["client"] if account else None,
                status="pending",
                created_on=unit.today,
                late=False,
                created_at=unit.now,
                run_id=unit.run_id,
                event_id=unit.cause,
            )
        )
        keys.append(key)
    entry.detail = {**entry.detail, "keys": keys}
    return entry
