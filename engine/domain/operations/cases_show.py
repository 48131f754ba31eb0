"""Read-only views of a case and of a payment, as ``docket case show`` and ``docket payment
show`` (and later the API) print them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain.models import (
    CASE_DATE_FIELDS,
    Account,
    Case,
    CaseDocument,
    Transaction,
)
from engine.domain.operations import judgments
from engine.domain.unit import DomainError, NotFound


def describe_case(session: Session, ruleset: RuleSet, case_id: str) -> dict[str, Any]:
    """A case with its accounts (authorization, proposed spread), dates, documents, judgment."""
    row = session.get(Case, case_id)
    if row is None:
        raise NotFound(f"unknown case '{case_id}'")
    accounts = []
    for link in row.accounts:
        account = session.get(Account, link.account_id)
        assert account is not None
        accounts.append(
            {
                "id": account.id,
                "client": account.client_code,
                "status": account.status,
                "balance": account.balance(),
                "authorized_date": link.authorized_date,
                "proposed_spread": link.proposed_spread,
                "judgment_id": account.judgment_id,
            }
        )
    documents = session.scalars(
        select(CaseDocument).where(CaseDocument.case_id == row.id).order_by(CaseDocument.id)
    )
    today = session.info.get("today")
    judgment = (
        judgments.describe(session, ruleset, row.judgment_id, today or row.opened_date)
        if row.judgment_id
        else None
    )
    return {
        "id": row.id,
        "status": row.status,
        "bundle": row.bundle,
        "opened_date": row.opened_date,
        "court": row.court,
        "attorney": row.attorney,
        "process_server": row.process_server,
        "serve_response_days": row.serve_response_days,
        "accounts": accounts,
        "defendants": [link.party_id for link in row.defendants],
        "dates": {field: getattr(row, field) for field in CASE_DATE_FIELDS},
        "documents": [
            {"name": d.name, "size": d.size, "sha256": d.sha256, "stored": d.path}
            for d in documents
        ],
        "judgment": judgment,
    }


def _line(tx: Transaction) -> dict[str, Any]:
    return {
        "id": tx.id,
        "kind": tx.kind,
        "account": tx.account_id,
        "client": tx.client_code,
        "amount": tx.amount,
        "date": tx.on_date,
        "spreader": tx.spreader,
        "parent": tx.parent_id,
        "reversed": tx.reversed,
    }


def describe_payment(session: Session, payment_id: int) -> dict[str, Any]:
    """A transaction with its allocations and the transactions tied to it (its mirrors, its
    reversals, or the payment it mirrors)."""
    tx = session.get(Transaction, payment_id)
    if tx is None:
        raise DomainError(f"unknown payment '{payment_id}'")
    ties = [Transaction.parent_id == tx.id]
    if tx.parent_id is not None:
        ties.append(Transaction.id == tx.parent_id)
    related = session.scalars(select(Transaction).where(or_(*ties)).order_by(Transaction.id))
    detail = _line(tx)
    detail["allocations"] = [
        {"account": a.account_id, "bucket": a.bucket, "amount": a.amount} for a in tx.allocations
    ]
    detail["related"] = [_line(other) for other in related]
    return detail
