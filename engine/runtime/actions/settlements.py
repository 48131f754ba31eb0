"""Settlement and offer actions for action paths, and the offer letter that generates an offer.

``send_letter`` is the messages action plus one thing: a letter from the offer template
(``offers.OFFER_TEMPLATE``) that actually goes out marks the accounts' Initiated offers
Offer Generated (seed 002), which emits ``onOfferGenerated`` with ``via: letter``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from engine.domain import models as m
from engine.domain.operations import offers
from engine.domain.operations import settlements as ops
from engine.domain.operations.settlements import write_off_remainder as write_off
from engine.runtime.actions import messages
from engine.runtime.actions.registry import StepContext
from engine.runtime.context.views import OfferView
from engine.runtime.errors import StepFailed

NOT_SENT = ("blocked", "deferred", "skipped")


def _account(ctx: StepContext) -> m.Account:
    if ctx.subject.account is None:
        raise StepFailed(f"{ctx.step.action}: the {ctx.subject.kind} has no account")
    return ctx.subject.account


def _next_id(ctx: StepContext, account_id: str) -> str:
    taken = set(
        ctx.unit.session.scalars(
            select(m.Settlement.id).where(m.Settlement.id.like(f"{account_id}-S%"))
        )
    )
    n = len(taken) + 1
    while f"{account_id}-S{n}" in taken:
        n += 1
    return f"{account_id}-S{n}"


def create_settlement(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    """A settlement on the subject's account, id ``<account>-S<n>``."""
    account = _account(ctx)
    row = ops.create_settlement(
        ctx.unit,
        _next_id(ctx, account.id),
        account.id,
        amount=params.get("amount"),
        calculate=bool(params.get("calculate")),
        inception_date=params.get("inception_date"),
    )
    return {
        "settlement": row.id,
        "amount": row.amount,
        "outside_authority": row.outside_authority,
        "status": row.status,
    }


def _settlement(ctx: StepContext) -> m.Settlement:
    if ctx.subject.settlement is not None:
        return ctx.subject.settlement
    account = _account(ctx)
    found = ctx.unit.session.scalars(
        select(m.Settlement)
        .where(m.Settlement.account_id == account.id, m.Settlement.status != "void")
        .order_by(m.Settlement.inception_date.desc(), m.Settlement.id.desc())
    ).first()
    if found is None:
        raise StepFailed(f"{ctx.step.action}: account '{account.id}' has no settlement")
    return found


def set_settlement_state(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    """The subject's settlement (else the account's latest one) becomes active/inactive/void."""
    row = ops.set_settlement_state(ctx.unit, _settlement(ctx).id, str(params["state"]))
    return {"settlement": row.id, "status": row.status}


def offer_action(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    """Generate, accept, decline or cancel the subject's offer (else the account's active one)."""
    row = ctx.subject.offer or offers.active_offer(ctx.unit.session, _account(ctx).id)
    if row is None:
        raise StepFailed(f"offer_action: account '{_account(ctx).id}' has no active offer")
    offers.offer_action(ctx.unit, row.id, str(params["action"]))
    return {"offer": row.id, "status": row.status}


def write_off_remainder(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    """Write off what remains on the subject's accounts after their settlement."""
    results = [write_off(ctx.unit, account) for account in ctx.target_accounts(params)]
    return {"write_offs": results}


def send_letter(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    """Queue the letter; an offer letter that goes out generates the accounts' offers."""
    if params.get("template") != offers.OFFER_TEMPLATE:
        return messages.send_letter(ctx, params)
    if ctx.context.get("offer") is None:
        # Sent from an account's path: the letter shows the account's active offer.
        for account in ctx.subject.accounts:
            row = offers.active_offer(ctx.unit.session, account.id)
            if row is not None:
                view = OfferView(row, ctx.unit.session, ctx.ruleset)
                ctx = replace(ctx, context={**ctx.context, "offer": view})
                break
    result = messages.queue(ctx, "letter", params, readable=True)
    rows = ctx.unit.session.scalars(
        select(m.OutboxMessage.status).where(m.OutboxMessage.key.in_(result.get("keys") or []))
    )
    if all(status in NOT_SENT for status in rows):
        return result
    accounts = [account.id for account in ctx.subject.accounts]
    result["offers_generated"] = offers.letter_sent(ctx.unit, accounts, offers.OFFER_TEMPLATE)
    return result
