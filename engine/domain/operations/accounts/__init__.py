"""Accounts: placement, what rules change on them, contact holds, their terms under the
client's configuration, and their buttons."""

from __future__ import annotations

from engine.domain.operations.accounts.changes import (
    add_note,
    clear_flag,
    create_task,
    move_worklist,
    set_field,
    set_flag,
    set_status,
)
from engine.domain.operations.accounts.holds import HOLD_EVENTS, lift_hold, record_hold
from engine.domain.operations.accounts.placement import ensure_client, place_account, upsert_party
from engine.domain.operations.accounts.terms import (
    authority_amount,
    check_open,
    new_interest,
    rules_for,
)

__all__ = [
    "HOLD_EVENTS",
    "add_note",
    "authority_amount",
    "check_open",
    "clear_flag",
    "create_task",
    "ensure_client",
    "lift_hold",
    "move_worklist",
    "new_interest",
    "place_account",
    "record_hold",
    "rules_for",
    "set_field",
    "set_flag",
    "set_status",
    "upsert_party",
]
