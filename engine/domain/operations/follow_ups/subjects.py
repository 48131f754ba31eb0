"""Open follow-ups on accounts and cases of a kind (``resolve_follow_up`` finds them). The
one that takes them out of automation is the event scope's question
(``engine.domain.one_event.OneEvent.suspending``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.domain.models import FollowUp
from engine.domain.operations.follow_ups.lifecycle import canonical_kind


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
