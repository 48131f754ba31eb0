"""Legal cases, their accounts and defendants, documents, and judgments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.config import catalogue
from engine.domain.models.base import Base, MoneyType, RateType

# The case date columns, in the order of the ACE guide; each drives a date trigger.
CASE_DATE_FIELDS = catalogue.CASE_DATE_FIELDS


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(40), default="OPEN")
    bundle: Mapped[str | None] = mapped_column(String(64))
    court: Mapped[str | None] = mapped_column(String(200))
    attorney: Mapped[str | None] = mapped_column(String(200))
    process_server: Mapped[str | None] = mapped_column(String(200))
    opened_date: Mapped[date] = mapped_column(Date)
    serve_response_days: Mapped[int | None] = mapped_column(Integer)
    judgment_id: Mapped[str | None] = mapped_column(String(64))
    client_auth_request_date: Mapped[date | None] = mapped_column(Date, index=True)
    client_auth_date: Mapped[date | None] = mapped_column(Date, index=True)
    mediation_date: Mapped[date | None] = mapped_column(Date, index=True)
    mediation_resolution_date: Mapped[date | None] = mapped_column(Date, index=True)
    summons_request_date: Mapped[date | None] = mapped_column(Date, index=True)
    summons_grant_date: Mapped[date | None] = mapped_column(Date, index=True)
    serve_request_date: Mapped[date | None] = mapped_column(Date, index=True)
    served_date: Mapped[date | None] = mapped_column(Date, index=True)
    court_date: Mapped[date | None] = mapped_column(Date, index=True)
    file_date: Mapped[date | None] = mapped_column(Date, index=True)
    signed_date: Mapped[date | None] = mapped_column(Date, index=True)
    judgment_date: Mapped[date | None] = mapped_column(Date, index=True)
    dismissed_date: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    accounts: Mapped[list[CaseAccount]] = relationship(
        cascade="all, delete-orphan", order_by="CaseAccount.position"
    )
    defendants: Mapped[list[CaseDefendant]] = relationship(
        cascade="all, delete-orphan", order_by="CaseDefendant.position"
    )


class CaseAccount(Base):
    """An account party to a case; each is authorized separately before filing."""

    __tablename__ = "case_accounts"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    authorized_date: Mapped[date | None] = mapped_column(Date)
    proposed_spread: Mapped[Decimal | None] = mapped_column(MoneyType)


class CaseDefendant(Base):
    __tablename__ = "case_defendants"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class CaseDocument(Base):
    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(1000))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)


class Judgment(Base):
    """The court's outcome: a judgment account under a judgment client, spread on originals."""

    __tablename__ = "judgments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    client_code: Mapped[str] = mapped_column(ForeignKey("clients.code"))
    amount: Mapped[Decimal] = mapped_column(MoneyType)
    interest_rate: Mapped[Decimal] = mapped_column(RateType)
    effective_date: Mapped[date] = mapped_column(Date)
    judgment_date: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(60), default="Judgment for plaintiff")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class JudgmentSpread(Base):
    """The judgment amount spread over the original accounts party to it."""

    __tablename__ = "judgment_spreads"

    judgment_id: Mapped[str] = mapped_column(ForeignKey("judgments.id"), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(MoneyType)
