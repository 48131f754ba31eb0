"""The settlement buttons by public name: create, approve, change state, remove; each answers
the settlement's figures in plain values (amounts as text)."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.domain.models import Settlement
from engine.domain.operations.settlements import lifecycle
from engine.domain.unit import Unit


def create_settlement(
    unit: Unit,
    settlement: str,
    account: str,
    amount: Any = None,
    calculate: bool = False,
    percent: Any = None,
    inception_date: date | None = None,
    claims: Any = None,
    installments: Any = None,
    case: str | None = None,
    code_payment_as: str = "settlement",
) -> dict[str, Any]:
    row = lifecycle.create_settlement(
        unit,
        settlement,
        account,
        amount=amount,
        calculate=calculate,
        percent=percent,
        inception_date=inception_date,
        claims=claims,
        installments=installments,
        case=case,
        code_payment_as=code_payment_as,
    )
    return _settlement_result(row)


def _settlement_result(row: Settlement) -> dict[str, Any]:
    return {
        "settlement": row.id,
        "amount": str(row.amount),
        "calculated_amount": None if row.calculated_amount is None else str(row.calculated_amount),
        "status": row.status,
        "outside_authority": row.outside_authority,
        "approved_by": row.approved_by,
    }


def approve_settlement(unit: Unit, settlement: str, by: Any = None) -> dict[str, Any]:
    return _settlement_result(lifecycle.approve_settlement(unit, settlement, by))


def set_settlement_state(unit: Unit, settlement: str, state: str) -> dict[str, Any]:
    return _settlement_result(lifecycle.set_settlement_state(unit, settlement, state))


def remove_settlement(unit: Unit, settlement: str) -> dict[str, Any]:
    return {"removed": lifecycle.remove_settlement(unit, settlement)}
