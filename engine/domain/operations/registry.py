"""The operations registry: the "buttons" scenarios, the CLI and the API call by name.

Operations from later work register here too; a name that is catalogued but not yet built
answers "operation not available" instead of failing obscurely.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from engine.domain.operations import (
    accounts,
    cases_operations,
    follow_up_operations,
    settlement_operations,
)
from engine.domain.unit import DomainError, Unit

Operation = Callable[..., Any]

OPERATIONS: dict[str, Operation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    """Register an operation under its public name."""

    def add(fn: Operation) -> Operation:
        OPERATIONS[name] = fn
        return fn

    return add


@operation("place_account")
def _place_account(unit: Unit, account: str | None = None, **spec: Any) -> dict[str, Any]:
    spec.setdefault("id", account)
    placed = accounts.place_account(unit, **spec)
    return {"account": placed.id}


def _hold(hold: str) -> Operation:
    def record(unit: Unit, account: str, detail: str | None = None) -> dict[str, Any]:
        accounts.record_hold(unit, account, hold, detail)
        return {"account": account, "hold": hold}

    record.__name__ = f"record_{hold}"
    return record


for _hold_name in accounts.HOLD_EVENTS:
    OPERATIONS[f"record_{_hold_name}"] = _hold(_hold_name)


@operation("lift_contact_hold")
def _lift_contact_hold(
    unit: Unit, account: str, hold: str, detail: str | None = None
) -> dict[str, Any]:
    lifted = accounts.lift_hold(unit, account, hold, detail)
    return {"account": account, "lifted": hold, "holds": list(lifted.holds)}


OPERATIONS.update(follow_up_operations.OPERATIONS)
OPERATIONS.update(settlement_operations.OPERATIONS)
OPERATIONS.update(cases_operations.OPERATIONS)  # cases, judgments, payments


def _coerce_dates(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and (key.endswith("date") or key in ("on", "date")):
            try:
                out[key] = date.fromisoformat(value)
                continue
            except ValueError:
                raise DomainError(f"'{key}' must be a date (YYYY-MM-DD), got '{value}'") from None
        out[key] = value
    return out


def invoke(unit: Unit, name: str, params: Mapping[str, Any]) -> Any:
    """Call an operation by name; unknown names and parameters are clear errors."""
    fn = OPERATIONS.get(name)
    if fn is None:
        from engine.config.catalogue import OPERATION_NAMES

        if name in OPERATION_NAMES:
            raise DomainError(f"operation '{name}' is not available yet in this version")
        raise DomainError(f"unknown operation '{name}'")
    params = _coerce_dates(params)
    try:
        inspect.signature(fn).bind(unit, **params)
    except TypeError as exc:
        raise DomainError(f"operation '{name}': {exc}") from None
    return fn(unit, **params)
