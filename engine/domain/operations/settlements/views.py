"""The settlement widget behind ``docket settlement show`` (the bank seed's Settlement widget,
with CollectMax's payments list), and a settlement as the API's ``GET /settlements/{id}``
shows it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain.errors import NotFound
from engine.domain.models import Account, Offer, Settlement
from engine.domain.money import ZERO
from engine.domain.operations.offers.lifecycle import ACTIVE
from engine.domain.operations.offers.views import counts_by_status, iso, offer_item
from engine.domain.operations.settlements.progress import figures


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
        "approved_date": iso(row.approved_date),
        "reached_date": iso(row.reached_date),
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
    active = [o for o in offer_items if o["status"] in ACTIVE]
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
        "offers_by_status": counts_by_status(session, account_id),
        "settlements": settlements,
        "offers": offer_items,
    }
