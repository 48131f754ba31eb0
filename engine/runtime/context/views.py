"""Read-only views of domain objects, as expressions and templates see them.

Views are built lazily per event: a condition that only reads ``account.balance`` never
loads the case or the settlement. Amounts stay Decimal; dates stay dates.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import models as m
from engine.domain.operations import offers
from engine.domain.operations.judgments import interest_due
from engine.domain.operations.settlements import progress as settlement_figures


class View:
    """Base: attribute access for templates, a readable repr for traces."""

    __slots__ = ("__dict__", "_obj", "_ruleset", "_session")

    def __init__(self, obj: Any, session: Session, ruleset: RuleSet) -> None:
        self._obj = obj
        self._session = session
        self._ruleset = ruleset

    @property
    def id(self) -> Any:
        return self._obj.id

    def __str__(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, View):
            return bool(type(other) is type(self) and other.id == self.id)
        return bool(self.id == other)

    def __hash__(self) -> int:
        return hash(self.id)


class PartyView(View):
    __slots__ = ("roles",)

    def __init__(self, obj: m.Party, session: Session, ruleset: RuleSet, roles: list[str]):
        super().__init__(obj, session, ruleset)
        self.roles = list(roles)

    def __getattr__(self, name: str) -> Any:
        if name in ("name", "email", "phone", "timezone", "address"):
            return getattr(self._obj, name)
        raise AttributeError(name)


class ClientView(View):
    @property
    def code(self) -> str:
        return str(self._obj.code)

    @property
    def id(self) -> str:
        return str(self._obj.code)

    @cached_property
    def _config(self) -> Any:
        return self._ruleset.clients.get(self._obj.code)

    def __getattr__(self, name: str) -> Any:
        if name == "name":
            return self._obj.name
        if name == "judgment":
            return bool(self._obj.judgment)
        if name in ("fee_percent", "settlement", "interest", "spreader", "judgment_spreader"):
            return getattr(self._config, name, None)
        raise AttributeError(name)


class AccountView(View):
    @property
    def client(self) -> ClientView:
        return ClientView(
            self._session.get(m.Client, self._obj.client_code), self._session, self._ruleset
        )

    @property
    def balances(self) -> dict[str, Decimal]:
        return dict(self._obj.balances())

    @property
    def balance(self) -> Decimal:
        return Decimal(self._obj.balance())

    @property
    def parties(self) -> list[PartyView]:
        return [
            PartyView(link.party, self._session, self._ruleset, link.roles)
            for link in self._obj.parties
        ]

    @property
    def original_accounts(self) -> list[AccountView]:
        if not self._obj.is_judgment:
            return []
        rows = self._session.scalars(
            select(m.Account)
            .join(m.JudgmentSpread, m.JudgmentSpread.account_id == m.Account.id)
            .where(m.JudgmentSpread.judgment_id == self._obj.judgment_id)
        )
        return [AccountView(row, self._session, self._ruleset) for row in rows]

    @property
    def judgment_account(self) -> str | None:
        if self._obj.is_judgment or not self._obj.judgment_id:
            return None
        judgment = self._session.get(m.Judgment, self._obj.judgment_id)
        return judgment.account_id if judgment else None

    @property
    def age_days(self) -> int | None:
        placed = self._obj.placed_date
        return None if placed is None else (self._today() - placed).days

    def _today(self) -> Any:
        return self._session.info.get("today")

    def __getattr__(self, name: str) -> Any:
        if name in (
            "status",
            "worklist",
            "next_work_date",
            "placed_date",
            "last_payment_date",
            "is_judgment",
            "flags",
            "fields",
            "holds",
            "bundle",
        ):
            return getattr(self._obj, name)
        raise AttributeError(name)


class CaseView(View):
    @property
    def accounts(self) -> list[AccountView]:
        return [
            AccountView(self._session.get(m.Account, link.account_id), self._session, self._ruleset)
            for link in self._obj.accounts
        ]

    @property
    def defendants(self) -> list[PartyView]:
        views = []
        for link in self._obj.defendants:
            party = self._session.get(m.Party, link.party_id)
            if party is not None:
                views.append(PartyView(party, self._session, self._ruleset, ["defendant"]))
        return views

    @property
    def judgment(self) -> JudgmentView | None:
        if not self._obj.judgment_id:
            return None
        found = self._session.get(m.Judgment, self._obj.judgment_id)
        return JudgmentView(found, self._session, self._ruleset) if found else None

    @property
    def documents(self) -> list[str]:
        rows = self._session.scalars(
            select(m.CaseDocument).where(m.CaseDocument.case_id == self._obj.id)
        )
        return [row.name for row in rows]

    def __getattr__(self, name: str) -> Any:
        if name in m.CASE_DATE_FIELDS or name in (
            "status",
            "court",
            "attorney",
            "process_server",
            "opened_date",
            "serve_response_days",
            "bundle",
        ):
            return getattr(self._obj, name)
        raise AttributeError(name)


class JudgmentView(View):
    def __getattr__(self, name: str) -> Any:
        mapping = {"case": "case_id", "account": "account_id", "client": "client_code"}
        if name in mapping:
            return getattr(self._obj, mapping[name])
        if name in ("amount", "interest_rate", "effective_date", "judgment_date", "result"):
            return getattr(self._obj, name)
        if name == "balance":
            account = self._session.get(m.Account, self._obj.account_id)
            return account.balance() if account else Decimal("0.00")
        if name == "interest_accrued":  # accrued since the last posting, not yet posted
            return interest_due(self._session, self._ruleset, self._obj, self._today())
        raise AttributeError(name)

    def _today(self) -> Any:
        return self._session.info.get("today") or self._obj.judgment_date


class ClaimView(View):
    @property
    def claimant(self) -> PartyView | None:
        """The claimant party (it reads as its id), None when the claim names nobody."""
        if self._obj.claimant is None:
            return None
        party = self._session.get(m.Party, self._obj.claimant)
        return None if party is None else PartyView(party, self._session, self._ruleset, [])

    def __getattr__(self, name: str) -> Any:
        if name in ("amount", "status"):
            return getattr(self._obj, name)
        raise AttributeError(name)


class SettlementView(View):
    """Settlement fields; ``received``/``remaining`` count payments since inception."""

    @cached_property
    def _figures(self) -> Any:
        return settlement_figures.figures(self._session, self._ruleset, self._obj)

    @property
    def claims(self) -> list[ClaimView]:
        return [ClaimView(c, self._session, self._ruleset) for c in self._obj.claims]

    def __getattr__(self, name: str) -> Any:
        if name == "account":
            return self._obj.account_id
        if name in (
            "amount",
            "status",
            "inception_date",
            "outside_authority",
            "approved_by",
            "reached_date",
            "calculated_amount",
        ):
            return getattr(self._obj, name)
        if name in ("received", "remaining"):
            return getattr(self._figures, name)
        if name == "installments":
            return [
                {"due_date": i.due_date, "amount": i.amount, "status": i.status}
                for i in self._obj.installments
            ]
        raise AttributeError(name)


class OfferView(View):
    def __getattr__(self, name: str) -> Any:
        if name == "account":
            return self._obj.account_id
        if name in (
            "amount",
            "status",
            "offer_date",
            "expiry_date",
            "term_days",
            "end_date",
            "initiated_date",
            "settlement_type",
        ):
            return getattr(self._obj, name)
        if name in ("received", "remaining"):
            today = self._session.info.get("today") or self._obj.initiated_date
            received, remaining = offers.offer_figures(self._session, self._obj, today)
            return received if name == "received" else remaining
        raise AttributeError(name)


class FollowUpView(View):
    def __getattr__(self, name: str) -> Any:
        if name in ("kind", "owner", "status", "due_date", "stakeholders", "outcome", "items"):
            return getattr(self._obj, name)
        raise AttributeError(name)
