"""Reads of the domain records: accounts, parties, cases, judgments, payments, settlements,
offers and follow-ups, each as the CLI's ``show`` commands describe it; and parties written
(an integrator sends the people before placing their accounts)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api.auth import guard
from engine.api.deps import IdPath, IntPath, NewIdPath, state
from engine.api.problems import COMMON, ProblemError, responses
from engine.api.schemas import AccountOut, PartyIn, PartyRecord
from engine.config.model import BUCKETS, RuleSet
from engine.domain import models as m
from engine.domain.operations import follow_ups, judgments
from engine.domain.operations.accounts import upsert_party
from engine.domain.operations.cases import describe_case
from engine.domain.operations.offers import offer_item
from engine.domain.operations.payments import describe_payment
from engine.domain.operations.settlements import settlement_item

router = APIRouter(tags=["records"], responses=responses(*COMMON, 404))

Detail = dict[str, Any]
Describe = Callable[[Session, RuleSet, Any], dict[str, Any]]


def _missing(what: str, key: object) -> ProblemError:
    return ProblemError(404, f"unknown {what} '{key}'", kind="not-found")


def read_route(
    path: str,
    model: type[Any],
    response: Any,
    describe: Describe,
    doc: str,
    key: Any = IdPath,
) -> None:
    """Add ``GET path``: the ``model`` row named by the path's one parameter, described, or 404.

    The endpoint is named ``get_<what>`` after the parameter (``{case_id}`` -> ``get_case``),
    which gives the OpenAPI summary and operation id a hand-written function would.
    """
    param = re.fullmatch(r"/[\w-]+/\{(\w+)_id\}", path)
    assert param is not None, f"a read path names one id: {path}"
    what = param.group(1)

    def endpoint(request: Request, **ids: Any) -> dict[str, Any]:
        engine = state(request).engine
        ident = ids[f"{what}_id"]

        def read(session: Session) -> dict[str, Any]:
            row = session.get(model, ident)
            if row is None:
                raise _missing(what.replace("_", "-"), ident)
            return describe(session, engine.ruleset, row)

        return engine.read(read)

    endpoint.__name__ = endpoint.__qualname__ = f"get_{what}"
    endpoint.__doc__ = doc
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request
            ),
            inspect.Parameter(f"{what}_id", inspect.Parameter.KEYWORD_ONLY, annotation=key),
        ]
    )
    router.add_api_route(
        path, endpoint, methods=["GET"], response_model=response, **guard("viewer")
    )


def account_json(session: Session, row: m.Account) -> dict[str, Any]:
    """An account with balances per bucket (exact, as text), parties and cases."""
    cases = session.scalars(select(m.CaseAccount.case_id).where(m.CaseAccount.account_id == row.id))
    return {
        "id": row.id,
        "client": row.client_code,
        "bundle": row.bundle,
        "status": row.status,
        "worklist": row.worklist,
        "next_work_date": row.next_work_date,
        "placed_date": row.placed_date,
        "last_payment_date": row.last_payment_date,
        "is_judgment": bool(row.is_judgment),
        "judgment_id": row.judgment_id,
        "flags": list(row.flags or []),
        "holds": list(row.holds or []),
        "fields": dict(row.fields or {}),
        "balances": {bucket: str(getattr(row, bucket)) for bucket in BUCKETS},
        "balance": str(row.balance()),
        "overpayment": str(row.overpayment),
        "parties": [
            {
                "id": link.party.id,
                "name": link.party.name,
                "email": link.party.email,
                "phone": link.party.phone,
                "roles": list(link.roles or []),
            }
            for link in row.parties
        ],
        "cases": list(cases),
    }


read_route(
    "/accounts/{account_id}",
    m.Account,
    AccountOut,
    lambda session, _, row: account_json(session, row),
    "An account: status, worklist, balances per bucket, parties, cases.",
)


def party_json(session: Session, row: m.Party) -> dict[str, Any]:
    accounts = session.scalars(
        select(m.AccountParty.account_id)
        .where(m.AccountParty.party_id == row.id)
        .order_by(m.AccountParty.account_id)
    )
    return {
        "id": row.id,
        "name": row.name,
        "email": row.email,
        "phone": row.phone,
        "timezone": row.timezone,
        "address": row.address,
        "accounts": list(accounts),
    }


read_route(
    "/parties/{party_id}",
    m.Party,
    PartyRecord,
    lambda session, _, row: party_json(session, row),
    "A party (person or business) and the accounts it is on.",
)


@router.put("/parties/{party_id}", response_model=PartyRecord, **guard("integrator"))
def put_party(request: Request, party_id: NewIdPath, body: PartyIn) -> dict[str, Any]:
    """Create or update a party, before placing the accounts it is on."""
    with state(request).writing() as unit:
        row = upsert_party(unit, {"id": party_id, **body.model_dump(exclude_unset=True)})
        unit.session.flush()
        return party_json(unit.session, row)


read_route(
    "/cases/{case_id}",
    m.Case,
    Detail,
    lambda session, ruleset, row: describe_case(session, ruleset, row.id),
    "A case: accounts with authorization and proposed spread, dates, documents, judgment.",
)
read_route(
    "/judgments/{judgment_id}",
    m.Judgment,
    Detail,
    lambda session, ruleset, row: judgments.describe(
        session, ruleset, row.id, session.info["today"]
    ),
    "A judgment: its account, amount, rate, spread and interest accrued to today.",
)
read_route(
    "/payments/{payment_id}",
    m.Transaction,
    Detail,
    lambda session, _, row: describe_payment(session, row.id),
    "A payment (transaction) with its allocations and related transactions.",
    key=IntPath,
)
read_route(
    "/settlements/{settlement_id}",
    m.Settlement,
    Detail,
    settlement_item,
    "A settlement: figures, claims, installments and the payments it counts.",
)
read_route(
    "/offers/{offer_id}",
    m.Offer,
    Detail,
    lambda session, _, row: offer_item(session, row, session.info["today"]),
    "A settlement offer: status, term, amounts received and remaining.",
)
read_route(
    "/follow-ups/{follow_up_id}",
    m.FollowUp,
    Detail,
    lambda session, _, row: follow_ups.describe(session, row.id),
    "A follow-up with its whole history.",
)
