"""Follow-ups (seed 004): long-running workspaces on an account or case, open until resolved:
opened, commented, rescheduled, reassigned, resolved. Each writes its history line
(``entries.record``) in the same transaction as its change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from engine.config.errors import did_you_mean
from engine.domain.errors import DomainError, NotFound
from engine.domain.ids import check_id
from engine.domain.models import Account, Case, FollowUp, FollowUpEntry, Transaction
from engine.domain.operations.follow_ups.entries import get, record
from engine.domain.unit import Unit

KINDS: tuple[str, ...] = (
    "dispute",
    "legal",
    "installment_plan",
    "internal_validation",
    "credit_note",
    "other",
)

# Names the sample rule book and admins use for the same workspaces.
KIND_ALIASES: dict[str, str] = {"payment_plan": "installment_plan", "post_judgment": "legal"}
ITEM_KINDS: tuple[str, ...] = ("account", "transaction", "document")


def _still_open(row: FollowUp, what: str) -> None:
    if row.status != "open":
        when = f" on {row.resolved_date.isoformat()}" if row.resolved_date else ""
        raise DomainError(f"follow-up '{row.id}' was resolved{when}; it cannot be {what}")


def _text(value: Any, what: str, owner: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise DomainError(f"{owner}: {what} is empty")
    return text


def canonical_kind(value: Any) -> str:
    """The follow-up kind named (aliases read as their kind); DomainError for an unknown one."""
    kind = str(value or "").strip().lower()
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise DomainError(
            f"unknown follow-up kind '{value}'{did_you_mean(str(value), KINDS)}; "
            f"kinds are {', '.join(KINDS)}"
        )
    return kind


def _due(unit: Unit, value: Any, owner: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date):
        raise DomainError(f"{owner}: the due date must be a date (YYYY-MM-DD), got {value!r}")
    if value < unit.today:
        raise DomainError(
            f"{owner}: due date {value.isoformat()} is before today ({unit.today.isoformat()})"
        )
    return value


def _strings(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text:
            raise DomainError(f"an empty {what} was given")
        if text not in out:
            out.append(text)
    return out


def _items(unit: Unit, value: Any) -> list[str]:
    """Linked items as ``kind:id``; accounts and transactions must exist."""
    items = [value] if isinstance(value, str | Mapping) else list(value or ())
    out: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            if len(item) != 1:
                raise DomainError(f"an item names one of {', '.join(ITEM_KINDS)}: got {item}")
            kind, ident = next(iter(item.items()))
            kind, ident = str(kind), str(ident).strip()
        else:
            text = str(item).strip()
            kind, sep, ident = text.partition(":")
            if not sep:  # a bare id is an account of the agency
                kind, ident = "account", text
        if kind not in ITEM_KINDS:
            raise DomainError(
                f"unknown item kind '{kind}'{did_you_mean(kind, ITEM_KINDS)}; "
                f"items are account:ID, transaction:ID or document:NAME"
            )
        if not ident:
            raise DomainError(f"item '{kind}:' names nothing")
        if kind == "account":
            unit.get(Account, ident, "account")
        elif kind == "transaction" and (
            not ident.isdigit() or unit.session.get(Transaction, int(ident)) is None
        ):
            raise NotFound(f"unknown transaction '{ident}'")
        name = f"{kind}:{ident}"
        if name not in out:
            out.append(name)
    return out


def _new_id(unit: Unit, base: str) -> str:
    """``A1-dispute``, then ``A1-dispute-2``…: readable, and unique per subject."""
    candidate, n = base, 1
    while unit.session.get(FollowUp, candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def open_follow_up(
    unit: Unit,
    kind: str,
    *,
    follow_up: str | None = None,
    account: str | None = None,
    case: str | None = None,
    owner: str | None = None,
    stakeholders: Iterable[str] | str | None = None,
    due_date: date | None = None,
    items: Any = None,
    suspend_automation: bool = False,
    title: str | None = None,
    author: str | None = None,
) -> FollowUp:
    """Open a follow-up on an account or a case; emits ``onAfterFollowUpInsert``."""
    if bool(account) == bool(case):
        raise DomainError("a follow-up is opened on exactly one of an account or a case")
    if account:
        subject_id = unit.get(Account, str(account), "account").id
    else:
        subject_id = unit.get(Case, str(case), "case").id
    kind = canonical_kind(kind)
    if not isinstance(suspend_automation, bool):
        raise DomainError(f"suspend_automation must be true or false, got {suspend_automation!r}")
    if follow_up is None:
        # Made of the subject's id and the kind; a long subject id can make it too long.
        ident = check_id(_new_id(unit, f"{subject_id}-{kind}"), "follow_up", "follow-up id")
    else:
        ident = unit.new_key(FollowUp, follow_up, "follow-up", "follow_up")
    owner_name = str(owner).strip() if owner else None
    row = FollowUp(
        id=ident,
        account_id=subject_id if account else None,
        case_id=subject_id if case else None,
        kind=kind,
        title=str(title).strip() if title else None,
        owner=owner_name,
        stakeholders=_strings(stakeholders, "stakeholder"),
        items=_items(unit, items),
        due_date=_due(unit, due_date, f"follow-up '{ident}'"),
        status="open",
        suspends_automation=suspend_automation,
        opened_date=unit.today,
        created_at=unit.now,
    )
    unit.session.add(row)
    unit.session.flush()
    record(
        unit,
        row,
        "opened",
        {
            "title": row.title,
            "owner": row.owner,
            "due_date": row.due_date.isoformat() if row.due_date else None,
            "stakeholders": row.stakeholders,
            "items": row.items,
            "suspend_automation": row.suspends_automation or None,
            "author": author,
        },
    )
    unit.emit(
        "onAfterFollowUpInsert",
        "follow_up",
        row.id,
        {"kind": row.kind, "account": row.account_id, "case": row.case_id},
    )
    return row


def comment_follow_up(
    unit: Unit, follow_up: str, text: str, author: str | None = None
) -> FollowUpEntry:
    """Add an internal comment (also on a resolved follow-up: the record stays open to notes)."""
    row = get(unit, follow_up)
    return record(
        unit, row, "comment", {"text": _text(text, "the comment", row.id), "author": author}
    )


def reschedule_follow_up(
    unit: Unit,
    follow_up: str,
    due_date: date | None,
    reason: str | None = None,
    author: str | None = None,
) -> FollowUpEntry:
    """Move the due date (the date trigger re-arms); the old and new dates stay in history."""
    row = get(unit, follow_up)
    _still_open(row, "rescheduled")
    if due_date is None:
        raise DomainError(f"follow-up '{row.id}': give the new due date")
    new = _due(unit, due_date, f"follow-up '{row.id}'")
    if new == row.due_date:
        raise DomainError(f"follow-up '{row.id}' is already due on {due_date.isoformat()}")
    old = row.due_date
    row.due_date = new
    return record(
        unit,
        row,
        "rescheduled",
        {
            "old": old.isoformat() if old else None,
            "new": new.isoformat() if new else None,
            "reason": reason,
            "author": author,
        },
    )


def reassign_follow_up(
    unit: Unit,
    follow_up: str,
    owner: str,
    reason: str | None = None,
    author: str | None = None,
) -> FollowUpEntry:
    """Give the follow-up a new resolution owner."""
    row = get(unit, follow_up)
    _still_open(row, "reassigned")
    new = _text(owner, "the owner", row.id)
    if new == row.owner:
        raise DomainError(f"follow-up '{row.id}' is already owned by {new}")
    old, row.owner = row.owner, new
    return record(
        unit, row, "reassigned", {"old": old, "new": new, "reason": reason, "author": author}
    )


def resolve_follow_up(
    unit: Unit, follow_up: str, outcome: str, author: str | None = None
) -> FollowUpEntry:
    """Resolve with an outcome; emits ``onFollowUpResolved`` and releases any suspension."""
    row = get(unit, follow_up)
    _still_open(row, "resolved again")
    row.outcome = _text(outcome, "the outcome", row.id)[:500]
    row.status, row.resolved_date = "resolved", unit.today
    entry = record(unit, row, "resolved", {"outcome": row.outcome, "author": author})
    unit.emit(
        "onFollowUpResolved",
        "follow_up",
        row.id,
        {"kind": row.kind, "outcome": row.outcome, "account": row.account_id, "case": row.case_id},
    )
    return entry
