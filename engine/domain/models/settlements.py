"""Settlements with claims and installments, and Oracle-style settlement offers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.domain.models.base import Base, MoneyType


class Settlement(Base):
    __tablename__ = "settlements"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(MoneyType)
    calculated_amount: Mapped[Decimal | None] = mapped_column(MoneyType)
    inception_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    outside_authority: Mapped[bool] = mapped_column(default=False)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_date: Mapped[date | None] = mapped_column(Date)
    reached_date: Mapped[date | None] = mapped_column(Date)
    # How the payment that reaches the settlement is coded: "settlement" (settles the
    # account) or "partial" (a partial payment; the balance stays open).
    code_payment_as: Mapped[str] = mapped_column(String(20), default="settlement")
    reaching_payment_id: Mapped[int | None] = mapped_column(Integer)
    # Balances per bucket and total on the inception date (the widget's "as on initiation").
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    claims: Mapped[list[SettlementClaim]] = relationship(
        cascade="all, delete-orphan", order_by="SettlementClaim.id"
    )
    installments: Mapped[list[Installment]] = relationship(
        cascade="all, delete-orphan", order_by="Installment.due_date"
    )


class SettlementClaim(Base):
    __tablename__ = "settlement_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    settlement_id: Mapped[str] = mapped_column(ForeignKey("settlements.id"), index=True)
    claimant: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(MoneyType)
    status: Mapped[str] = mapped_column(String(20), default="Pending")


class Installment(Base):
    __tablename__ = "installments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    settlement_id: Mapped[str] = mapped_column(ForeignKey("settlements.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(MoneyType)
    status: Mapped[str] = mapped_column(String(20), default="due")  # due, paid, missed


class Offer(Base):
    __tablename__ = "offers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MoneyType)
    term_days: Mapped[int | None] = mapped_column(Integer)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    initiated_date: Mapped[date] = mapped_column(Date)
    offer_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(30), default="Initiated", index=True)
    settlement_type: Mapped[str | None] = mapped_column(String(60))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
