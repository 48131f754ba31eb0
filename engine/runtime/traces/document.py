"""The head of an event's trace document: the event as the dispatcher saw it, and the ruleset.

Shared by the dispatcher, the failure record, and the batch that settles derived events no
trigger listens to (their whole trace is this head with nothing considered).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def event_snapshot(event: Any) -> dict[str, Any]:
    """The event (an inbox object or row) as the paths' ``event`` sees it."""
    return _snapshot(lambda name: getattr(event, name))


def row_snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """``event_snapshot`` of an inbox row given as column values (a None value left out)."""
    return _snapshot(row.get)


def _snapshot(value: Callable[[str], Any]) -> dict[str, Any]:
    return {
        "id": value("id"),
        "name": value("name"),
        "subject": {"kind": value("subject_kind"), "id": value("subject_id")},
        "data": dict(value("data") or {}),
        "date": value("business_date"),
        "late": bool(value("late")),
        "depth": value("depth") or 0,
    }


def trace_head(snapshot: dict[str, Any], ruleset_hash: str) -> dict[str, Any]:
    """A trace document with no trigger considered and no run resumed (yet)."""
    return {
        "event": {**snapshot, "date": snapshot["date"].isoformat()},
        "ruleset": ruleset_hash,
        "triggers": [],
        "resumed": [],
    }
