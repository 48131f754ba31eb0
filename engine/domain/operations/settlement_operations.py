"""The settlement and offer "buttons" by public name, and the settlement widget behind
``docket settlement show`` (the bank seed's Settlement widget, with CollectMax's payments list).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain.models import Account, Offer, Settlement
from engine.domain.money import ZERO
from engine.domain.operations import offers, payments
from engine.domain.operations import settlements as ops
from engine.domain.operations.settlement_figures import figures
from engine.domain.unit import NotFound, Unit


def settlement_item(session: Session, ruleset: RuleSet, row: Settlement) -> dict[str, Any]:
    """A settlement with its figures, claims, installments and the payments listed."""
    found = figures(session, ruleset, row)
    return {
        "id": row.id,
        "account": row.account_id,
        "case": row.case_id,
        "amount": str(row.amount),
        "calculated_amount": None if row.calculated_amount is None else str(row.calculated_amount),
        "inception_date": row.inception_date.isoformat(),
        "status": row.status,
        "outside_authority": row.outside_authority,
        "approved_by": row.approved_by,
        "approved_date": _iso(row.approved_date),
        "reached_date": _iso(row.reached_date),
        "code_payment_as": row.code_payment_as,
        "reaching_payment": row.reaching_payment_id,
        "at_initiation": dict(row.snapshot or {}),
        **found.as_json(),
        "claims": [
            {"claimant": c.claimant, "amount": str(c.amount), "status": c.status}
            for c in row.claims
        ],
        "installments": [
            {"due_date": i.due_date.isoformat(), "amount": str(i.amount), "status": i.status}
            for i in row.installments
        ],
    }


def offer_item(session: Session, row: Offer, today: date) -> dict[str, Any]:
    """An offer as the widget's Settlement Offer table shows it."""
    got, left = offers.offer_figures(session, row, today)
    return {
        "id": row.id,
        "account": row.account_id,
        "amount": str(row.amount),
        "status": row.status,
        "settlement_type": row.settlement_type,
        "initiated_date": row.initiated_date.isoformat(),
        "offer_date": _iso(row.offer_date),
        "expiry_date": _iso(row.expiry_date),
        "term_days": row.term_days,
        "end_date": _iso(row.end_date),
        "received": str(got),
        "remaining": str(left),
        "at_initiation": dict(row.snapshot or {}),
    }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def widget(session: Session, ruleset: RuleSet, account_id: str, today: date) -> dict[str, Any]:
    """The account's settlement widget: headline figures of the current arrangement (the
    latest active or reached settlement, else the active offer, else the latest offer or
    settlement), the client's authority, offer counts, and every settlement and offer."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"unknown account '{account_id}'")
    client = ruleset.clients.get(account.client_code)
    rules = client.settlement if client is not None else None
    rows = list(
        session.scalars(
            select(Settlement)
            .where(Settlement.account_id == account_id)
            .order_by(Settlement.inception_date, Settlement.created_at, Settlement.id)
        )
    )
    offer_rows = list(
        session.scalars(
            select(Offer)
            .where(Offer.account_id == account_id)
            .order_by(Offer.initiated_date, Offer.created_at, Offer.id)
        )
    )
    settlements = [settlement_item(session, ruleset, row) for row in rows]
    offer_items = [offer_item(session, row, today) for row in offer_rows]
    live = [s for s in settlements if s["status"] in ("active", "reached")]
    active = [o for o in offer_items if o["status"] in offers.ACTIVE]
    candidates = live or active or offer_items or settlements
    current = candidates[-1] if candidates else None
    total = account.balance()
    headline: dict[str, Any] = {
        "source": None,
        "settlement_amount": None,
        "payment_received": None,
        "outstanding_post_settlement": None,
        "status": None,
        "at_initiation": None,
    }
    if current is not None:
        left = Decimal(current["remaining"])
        at = dict(current["at_initiation"])
        if at and "other" not in at:
            at["other"] = str(
                Decimal(at["total"]) - Decimal(at["principal"]) - Decimal(at["interest"])
            )
        kind = "offer" if any(current is o for o in offer_items) else "settlement"
        headline = {
            "source": f"{kind} {current['id']}",
            "settlement_amount": current["amount"],
            "payment_received": current["received"],
            "outstanding_post_settlement": str(max(total - left, ZERO)),
            "status": current["status"],
            "at_initiation": {
                k: at.get(k) for k in ("date", "total", "principal", "interest", "other")
            },
        }
    return {
        "account": account.id,
        "client": account.client_code,
        "authority": rules.authority if rules is not None else "",
        "total_outstanding": str(total),
        **headline,
        "offers_by_status": offers.counts_by_status(session, account_id),
        "settlements": settlements,
        "offers": offer_items,
    }


# --- operations by public name ---------------------------------------------------------------


def _create_settlement(
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
    row = ops.create_settlement(
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


def _approve(unit: Unit, settlement: str, by: Any = None) -> dict[str, Any]:
    return _settlement_result(ops.approve_settlement(unit, settlement, by))


def _set_state(unit: Unit, settlement: str, state: str) -> dict[str, Any]:
    return _settlement_result(ops.set_settlement_state(unit, settlement, state))


def _remove(unit: Unit, settlement: str) -> dict[str, Any]:
    return {"removed": ops.remove_settlement(unit, settlement)}


def _create_offer(
    unit: Unit,
    offer: str,
    account: str,
    amount: Any = None,
    term_days: Any = None,
    expiry_date: date | None = None,
    settlement_type: str | None = None,
) -> dict[str, Any]:
    row = offers.create_offer(
        unit, offer, account, amount, term_days, expiry_date, settlement_type=settlement_type
    )
    return _offer_result(row)


def _offer_result(row: Offer) -> dict[str, Any]:
    return {
        "offer": row.id,
        "amount": str(row.amount),
        "status": row.status,
        "end_date": _iso(row.end_date),
    }


def _offer_action(unit: Unit, offer: str, action: str) -> dict[str, Any]:
    return _offer_result(offers.offer_action(unit, offer, action))


OPERATIONS: dict[str, Callable[..., Any]] = {
    "create_settlement": _create_settlement,
    "approve_settlement": _approve,
    "set_settlement_state": _set_state,
    "remove_settlement": _remove,
    "create_offer": _create_offer,
    "offer_action": _offer_action,
}

# Settlement tracking runs after every posted payment and mirror, in the payment's transaction.
if ops.track_payment not in payments.AFTER_PAYMENT:
    payments.AFTER_PAYMENT.append(ops.track_payment)
