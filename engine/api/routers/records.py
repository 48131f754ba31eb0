"""Reads of the domain records: accounts, parties, cases, judgments, payments, settlements,
offers and follow-ups, each as the CLI's ``show`` commands describe it; and parties written
(an integrator sends the people before placing their accounts)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api.auth import guard
from engine.api.deps import IdPath, IntPath, state
from engine.api.problems import COMMON, ProblemError, responses
from engine.api.schemas import AccountOut, PartyIn, PartyRecord
from engine.config.model import BUCKETS
from engine.domain import models as m
from engine.domain.operations import follow_up_operations, judgments
from engine.domain.operations.accounts import upsert_party
from engine.domain.operations.cases_show import describe_case, describe_payment
from engine.domain.operations.settlement_operations import offer_item, settlement_item

router = APIRouter(tags=["records"], responses=responses(*COMMON, 404))

Detail = dict[str, Any]


def _missing(what: str, key: object) -> ProblemError:
    return ProblemError(404, f"unknown {what} '{key}'", kind="not-found")


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


@router.get("/accounts/{account_id}", response_model=AccountOut, **guard("viewer"))
def get_account(request: Request, account_id: IdPath) -> dict[str, Any]:
    """An account: status, worklist, balances per bucket, parties, cases."""

    def read(session: Session) -> dict[str, Any]:
        row = session.get(m.Account, account_id)
        if row is None:
            raise _missing("account", account_id)
        return account_json(session, row)

    return state(request).engine.read(read)


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


@router.get("/parties/{party_id}", response_model=PartyRecord, **guard("viewer"))
def get_party(request: Request, party_id: IdPath) -> dict[str, Any]:
    """A party (person or business) and the accounts it is on."""

    def read(session: Session) -> dict[str, Any]:
        row = session.get(m.Party, party_id)
        if row is None:
            raise _missing("party", party_id)
        return party_json(session, row)

    return state(request).engine.read(read)


@router.put("/parties/{party_id}", response_model=PartyRecord, **guard("integrator"))
def put_party(request: Request, party_id: IdPath, body: PartyIn) -> dict[str, Any]:
    """Create or update a party, before placing the accounts it is on."""
    with state(request).writing() as unit:
        row = upsert_party(unit, {"id": party_id, **body.model_dump(exclude_unset=True)})
        unit.session.flush()
        return party_json(unit.session, row)


@router.get("/cases/{case_id}", response_model=Detail, **guard("viewer"))
def get_case(request: Request, case_id: IdPath) -> dict[str, Any]:
    """A case: accounts with authorization and proposed spread, dates, documents, judgment."""
    engine = state(request).engine

    def read(session: Session) -> dict[str, Any]:
        if session.get(m.Case, case_id) is None:
            raise _missing("case", case_id)
        return describe_case(session, engine.ruleset, case_id)

    return engine.read(read)


@router.get("/judgments/{judgment_id}", response_model=Detail, **guard("viewer"))
def get_judgment(request: Request, judgment_id: IdPath) -> dict[str, Any]:
    """A judgment: its account, amount, rate, spread and interest accrued to today."""
    engine = state(request).engine

    def read(session: Session) -> dict[str, Any]:
        if session.get(m.Judgment, judgment_id) is None:
            raise _missing("judgment", judgment_id)
        return judgments.describe(session, engine.ruleset, judgment_id, session.info["today"])

    return engine.read(read)


@router.get("/payments/{payment_id}", response_model=Detail, **guard("viewer"))
def get_payment(request: Request, payment_id: IntPath) -> dict[str, Any]:
    """A payment (transaction) with its allocations and related transactions."""

    def read(session: Session) -> dict[str, Any]:
        if session.get(m.Transaction, payment_id) is None:
            raise _missing("payment", payment_id)
        return describe_payment(session, payment_id)

    return state(request).engine.read(read)


@router.get("/settlements/{settlement_id}", response_model=Detail, **guard("viewer"))
def get_settlement(request: Request, settlement_id: IdPath) -> dict[str, Any]:
    """A settlement: figures, claims, installments and the payments it counts."""
    engine = state(request).engine

    def read(session: Session) -> dict[str, Any]:
        row = session.get(m.Settlement, settlement_id)
        if row is None:
            raise _missing("settlement", settlement_id)
        return settlement_item(session, engine.ruleset, row)

    return engine.read(read)


@router.get("/offers/{offer_id}", response_model=Detail, **guard("viewer"))
def get_offer(request: Request, offer_id: IdPath) -> dict[str, Any]:
    """A settlement offer: status, term, amounts received and remaining."""

    def read(session: Session) -> dict[str, Any]:
        row = session.get(m.Offer, offer_id)
        if row is None:
            raise _missing("offer", offer_id)
        return offer_item(session, row, session.info["today"])

    return state(request).engine.read(read)


@router.get("/follow-ups/{follow_up_id}", response_model=Detail, **guard("viewer"))
def get_follow_up(request: Request, follow_up_id: IdPath) -> dict[str, Any]:
    """A follow-up with its whole history."""

    def read(session: Session) -> dict[str, Any]:
        if session.get(m.FollowUp, follow_up_id) is None:
            raise _missing("follow-up", follow_up_id)
        return follow_up_operations.describe(session, follow_up_id)

    return state(request).engine.read(read)
