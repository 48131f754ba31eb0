"""The head of an event's trace document: the event as the dispatcher saw it, and the ruleset.

Shared by the dispatcher, the failure record, and the batch that settles derived events no
trigger listens to (their whole trace is this head with nothing considered).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def event_snapshot(event: Any) -> dict[str, Any]:
    """The event (an inbox object or row) as the paths' ``event`` sees it."""
    return {
        "id": event.id,
        "name": event.name,
        "subject": {"kind": event.subject_kind, "id": event.subject_id},
        "data": dict(event.data or {}),
        "date": event.business_date,
        "late": bool(event.late),
        "depth": event.depth,
    }


def row_snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """``event_snapshot`` of an inbox row given as column values."""
    return {
        "id": row["id"],
        "name": row["name"],
        "subject": {"kind": row.get("subject_kind"), "id": row.get("subject_id")},
        "data": dict(row.get("data") or {}),
        "date": row["business_date"],
        "late": bool(row.get("late")),
        "depth": row.get("depth", 0),
    }


def trace_head(snapshot: dict[str, Any], ruleset_hash: str) -> dict[str, Any]:
    """A trace document with no trigger considered and no run resumed (yet)."""
    return {
        "event": {**snapshot, "date": snapshot["date"].isoformat()},
        "ruleset": ruleset_hash,
        "triggers": [],
        "resumed": [],
    }
