"""The plain ``Scope``: one event at a time, every question asked of the store.

Domain operations outside event processing (API buttons, the scheduler) and the one-event
drain use it; a batch's scope falls back to these same reads when it cannot answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.domain import models as m
from engine.domain.scope import LedgerEntry, RunRecord


class OneEvent:
    """Answers every read from the store and adds every row as an ORM object (stateless)."""

    __slots__ = ()

    def begin_event(self) -> None:
        return None

    def processed(
        self,
        session: Session,
        event: Any,
        trace: dict[str, Any],
        ruleset_hash: str,
        now: datetime,
        failed: str | None = None,
    ) -> None:
        session.add(m.EventTrace(event_id=event.id, ruleset_hash=ruleset_hash, doc=trace))
        event.status, event.processed_at, event.ruleset_hash = "processed", now, ruleset_hash
        event.reason = failed
        if failed is not None:
            event.status = "failed"

    def begin_run(self) -> None:
        return None  # every row is an ORM object: the savepoint's rollback drops them

    def run_failed(self) -> None:
        return None

    def get(self, session: Session, model: type[Any], key: str) -> Any:
        return session.get(model, key)

    def add_row(self, session: Session, model: type[Any], row: dict[str, Any]) -> None:
        session.add(model(**row))

    def newest_case(self, session: Session, account_id: str) -> m.Case | None:
        return session.scalars(
            select(m.Case)
            .join(m.CaseAccount, m.CaseAccount.case_id == m.Case.id)
            .where(m.CaseAccount.account_id == account_id)
            .order_by(m.Case.created_at.desc())
            .limit(1)
        ).first()

    def suspending(
        self, session: Session, accounts: Sequence[str], cases: Sequence[str]
    ) -> m.FollowUp | None:
        if not accounts and not cases:
            return None
        # A follow-up on a case covers the case's accounts, also when an event is about one.
        cases_of_accounts = select(m.CaseAccount.case_id).where(
            m.CaseAccount.account_id.in_(accounts)
        )
        return session.scalars(
            select(m.FollowUp)
            .where(
                m.FollowUp.status == "open",
                m.FollowUp.suspends_automation.is_(True),
                or_(
                    m.FollowUp.account_id.in_(accounts),
                    m.FollowUp.case_id.in_(cases),
                    m.FollowUp.case_id.in_(cases_of_accounts),
                ),
            )
            .order_by(m.FollowUp.created_at, m.FollowUp.id)
            .limit(1)
        ).first()

    def claim(
        self, session: Session, event_id: str, trigger_id: str, outcome: str
    ) -> LedgerEntry | None:
        if session.get(m.FiredEvent, (event_id, trigger_id)) is not None:
            return None
        row = m.FiredEvent(event_id=event_id, trigger_id=trigger_id, outcome=outcome)
        session.add(row)
        return row

    def start_run(self, session: Session, values: dict[str, Any]) -> RunRecord:
        run = m.Run(**values)
        self.add_run(session, run)
        return run

    def keep_run(self, session: Session, run: RunRecord) -> None:
        return None  # already in the session

    def add_run(self, session: Session, run: m.Run) -> None:
        session.add(run)
        session.flush()

    def quiet(self, kind: str, subject_id: str) -> bool:
        return False

    def may_have_runs(self, kind: str, subject_id: str) -> bool:
        return True

    def runs_open(self, kind: str, subject_id: str) -> None:
        return None


ONE_EVENT = OneEvent()
