"""A case as ``docket case show`` and the API's ``GET /cases/{id}`` show it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain.errors import NotFound
from engine.domain.models import CASE_DATE_FIELDS, Account, Case, CaseDocument
from engine.domain.operations.judgments.views import describe as describe_judgment


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
        describe_judgment(session, ruleset, row.judgment_id, today or row.opened_date)
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
