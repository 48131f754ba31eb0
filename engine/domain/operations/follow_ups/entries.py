"""A follow-up and its entries (history lines, ``FollowUpEntry``): find one by id, append one.

Every follow-up operation writes one history line in the same transaction as its change, so
the timeline is the record of what was decided, by whom and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.domain.errors import NotFound
from engine.domain.models import FollowUp, FollowUpEntry
from engine.domain.unit import Unit


def get(unit: Unit, follow_up: str) -> FollowUp:
    """The follow-up with this id; NotFound names it."""
    found = unit.session.get(FollowUp, str(follow_up))
    if found is None:
        raise NotFound(f"unknown follow-up '{follow_up}'")
    return found


def record(unit: Unit, row: FollowUp, kind: str, detail: Mapping[str, Any]) -> FollowUpEntry:
    """Append one history line (flushed, so its id can key what it caused)."""
    plain = {key: value for key, value in detail.items() if value not in (None, [], "")}
    if unit.run_id is not None:
        plain["run"] = unit.run_id
    entry = FollowUpEntry(
        follow_up_id=row.id, kind=kind, detail=plain, on_date=unit.today, at=unit.now
    )
    unit.session.add(entry)
    unit.session.flush()
    return entry
