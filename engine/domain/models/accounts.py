"""Clients, parties, accounts with their balances per bucket, and account history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.config.model import BUCKETS
from engine.domain.models.base import Base, MoneyType

ZERO = Decimal("0.00")


class Client(Base):
    """A creditor; its rules live in the RuleSet, this row anchors accounts and reports."""

    __tablename__ = "clients"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    judgment: Mapped[bool] = mapped_column(default=False)


class Party(Base):
    """A person or business: responsible party, co-signer, beneficiary, attorney…"""

    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    timezone: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(400))


class Account(Base):
    """One debt placed by a client, with balances per bucket (exact money)."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_code: Mapped[str] = mapped_column(ForeignKey("clients.code"), index=True)
    bundle: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(40), default="NEW")
    worklist: Mapped[str | None] = mapped_column(String(64))
    next_work_date: Mapped[date | None] = mapped_column(Date)
    placed_date: Mapped[date | None] = mapped_column(Date)
    last_payment_date: Mapped[date | None] = mapped_column(Date)
    is_judgment: Mapped[bool] = mapped_column(default=False)
    judgment_id: Mapped[str | None] = mapped_column(String(64), index=True)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    holds: Mapped[list[str]] = mapped_column(JSON, default=list)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    principal: Mapped[Decimal] = mapped_column(MoneyType, default=ZERO)
    interest: Mapped[Decimal] = mapped_column(MoneyType, default=ZERO)
    fees: Mapped[Decimal] = mapped_column(MoneyType, default=ZERO)
    court_costs: Mapped[Decimal] = mapped_column(MoneyType, default=ZERO)
    attorney_fees: Mapped[Decimal] = mapped_column(MoneyType, default=ZERO)
    other: Mapped[Decimal] = mapped_column(MoneyType, default=ZERO)
    overpayment: Mapped[Decimal] = mapped_column(MoneyType, default=ZERO)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    parties: Mapped[list[AccountParty]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="AccountParty.position"
    )

    __table_args__ = (Index("ix_accounts_worklist_next", "worklist", "next_work_date"),)

    def balances(self) -> dict[str, Decimal]:
        return {bucket: getattr(self, bucket) for bucket in BUCKETS}

    def balance(self) -> Decimal:
        return sum(self.balances().values(), ZERO)

    def add_to_bucket(self, bucket: str, amount: Decimal) -> None:
        if bucket not in (*BUCKETS, "overpayment"):
            raise ValueError(f"unknown bucket '{bucket}'")
        setattr(self, bucket, getattr(self, bucket) + amount)


class AccountParty(Base):
    """A party on an account, with its roles on that account."""

    __tablename__ = "account_parties"

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True, index=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)

    account: Mapped[Account] = relationship(back_populates="parties")
    party: Mapped[Party] = relationship(lazy="joined")


class StatusHistory(Base):
    __tablename__ = "status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    old: Mapped[str | None] = mapped_column(String(40))
    new: Mapped[str] = mapped_column(String(40))
    on_date: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime)
    event_id: Mapped[str | None] = mapped_column(String(40))
    run_id: Mapped[int | None] = mapped_column(Integer)


class WorklistHistory(Base):
    __tablename__ = "worklist_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    old: Mapped[str | None] = mapped_column(String(64))
    new: Mapped[str] = mapped_column(String(64))
    next_work_date: Mapped[date | None] = mapped_column(Date)
    on_date: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime)
    event_id: Mapped[str | None] = mapped_column(String(40))
    run_id: Mapped[int | None] = mapped_column(Integer)
