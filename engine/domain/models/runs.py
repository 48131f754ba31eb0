"""Tables the runtime and scheduler keep: runs, traces, the exactly-once ledgers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.domain.models.base import Base


class Run(Base):
    """One execution of an action path for one subject; a waiting run keeps where it stopped."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(40), index=True)
    trigger_id: Mapped[str | None] = mapped_column(String(120))
    path_id: Mapped[str] = mapped_column(String(120))
    ruleset_hash: Mapped[str] = mapped_column(String(64))
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))  # completed failed waiting stopped cancelled…
    error: Mapped[str | None] = mapped_column(Text)
    error_step: Mapped[str | None] = mapped_column(String(300))
    started_on: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    vars: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resume: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # event snapshot, wait cursor
    wait_until: Mapped[date | None] = mapped_column(Date)
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)  # step results, for traces

    __table_args__ = (
        Index("ix_runs_waiting", "status", "wait_until"),
        Index("ix_runs_subject", "subject_kind", "subject_id", "status"),
    )


class EventTrace(Base):
    """Every evaluation made for one event: triggers considered, condition values, runs."""

    __tablename__ = "event_traces"

    event_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ruleset_hash: Mapped[str] = mapped_column(String(64))
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)


class FiredEvent(Base):
    """Exactly-once ledger for event triggers: one row per (event, trigger)."""

    __tablename__ = "fired_events"

    event_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    trigger_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20))  # ran, skipped (condition false), suspended


class FiredDate(Base):
    """Exactly-once ledger for date triggers: one row per (trigger, subject, date value)."""

    __tablename__ = "fired_dates"

    trigger_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    date_value: Mapped[date] = mapped_column(Date, primary_key=True)
    due_on: Mapped[date] = mapped_column(Date)
    fired_on: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str] = mapped_column(String(20), default="queued")  # queued, skipped
    event_id: Mapped[str | None] = mapped_column(String(40))
    # Why a firing was late or skipped: not swept on its due day (the engine was down), or the
    # date was entered after its due day; and the catch_up rule that skipped it. None: on time.
    reason: Mapped[str | None] = mapped_column(String(200))


class DateChange(Base):
    """A subject whose date (one a date trigger may sweep) was entered, changed or cleared,
    waiting for the next sweep to see whether it was entered after its due day."""

    __tablename__ = "date_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(64))


class SchedulerState(Base):
    """Small key/value state of the scheduler (last swept day, running version…)."""

    __tablename__ = "scheduler_state"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RuleSetVersion(Base):
    """Each configuration version the engine has run; runs record the hash they used."""

    __tablename__ = "ruleset_versions"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    root: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(default=False)
