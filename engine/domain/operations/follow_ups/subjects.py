"""Open follow-ups on accounts and cases: the one that takes them out of the standard
automation (the runtime asks :func:`suspending` before running triggers for a subject), and
those of a kind (``resolve_follow_up`` finds them)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.domain.models import CaseAccount, FollowUp
from engine.domain.operations.follow_ups.lifecycle import canonical_kind


def suspending(
    session: Session, account_ids: Iterable[str], case_ids: Iterable[str]
) -> FollowUp | None:
    """The oldest open follow-up that takes these accounts or cases out of automation."""
    accounts, cases = list(account_ids), list(case_ids)
    if not accounts and not cases:
        return None
    # A follow-up on a case covers the case's accounts, also when an event is about one.
    cases_of_accounts = select(CaseAccount.case_id).where(CaseAccount.account_id.in_(accounts))
    return session.scalars(
        select(FollowUp)
        .where(
            FollowUp.status == "open",
            FollowUp.suspends_automation.is_(True),
            or_(
                FollowUp.account_id.in_(accounts),
                FollowUp.case_id.in_(cases),
                FollowUp.case_id.in_(cases_of_accounts),
            ),
        )
        .order_by(FollowUp.created_at, FollowUp.id)
        .limit(1)
    ).first()


def open_on(
    session: Session, account_ids: Iterable[str], case_ids: Iterable[str], kind: str | None
) -> list[FollowUp]:
    """Open follow-ups on these accounts or cases (of one kind, when given), oldest first."""
    query = select(FollowUp).where(
        FollowUp.status == "open",
        or_(FollowUp.account_id.in_(list(account_ids)), FollowUp.case_id.in_(list(case_ids))),
    )
    if kind is not None:
        query = query.where(FollowUp.kind == canonical_kind(kind))
    return list(session.scalars(query.order_by(FollowUp.created_at, FollowUp.id)))
