"""Money movements: transactions and their allocations over accounts and buckets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.domain.models.base import Base, MoneyType


class Transaction(Base):
    """A payment, adjustment or write-off; a judgment payment's mirror points at its parent."""

    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # payment, mirror, write_off, adjustment
    amount: Mapped[Decimal] = mapped_column(MoneyType)
    on_date: Mapped[date] = mapped_column(Date, index=True)
    spreader: Mapped[str | None] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("transactions.id"), index=True)
    reversed: Mapped[bool] = mapped_column(default=False)
    client_code: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    allocations: Mapped[list[Allocation]] = relationship(cascade="all, delete-orphan")


class Allocation(Base):
    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("transactions.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    bucket: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(MoneyType)
