"""The account buttons by public name: placing an account, recording and lifting its contact
holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.domain.operations.accounts.holds import lift_hold, record_hold
from engine.domain.operations.accounts.placement import place_account as place
from engine.domain.unit import Unit


def place_account(unit: Unit, account: str | None = None, **spec: Any) -> dict[str, Any]:
    spec.setdefault("id", account)
    placed = place(unit, **spec)
    return {"account": placed.id}


def hold_recorder(hold: str) -> Callable[..., dict[str, Any]]:
    """The button that records one kind of contact hold (``record_bankruptcy``…)."""

    def record(unit: Unit, account: str, detail: str | None = None) -> dict[str, Any]:
        record_hold(unit, account, hold, detail)
        return {"account": account, "hold": hold}

    record.__name__ = f"record_{hold}"
    return record


def lift_contact_hold(
    unit: Unit, account: str, hold: str, detail: str | None = None
) -> dict[str, Any]:
    lifted = lift_hold(unit, account, hold, detail)
    return {"account": account, "lifted": hold, "holds": list(lifted.holds)}
