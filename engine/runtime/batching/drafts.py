"""A run started inside a batch, as plain values until it is stored.

Most runs a batch starts end within their event (completed, stopped, skipped): they are
written as plain rows at the batch's end, so building and tracking an ORM object for each
would be wasted. A run that waits or queues becomes a ``Run`` object in the session, where
the batch's later events look for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect

from engine.domain import models as m


@dataclass(slots=True)
class RunDraft:
    """The columns of a ``Run`` (checked below), with the same names."""

    id: int
    event_id: str
    trigger_id: str | None
    path_id: str
    ruleset_hash: str
    subject_kind: str
    subject_id: str
    status: str
    started_on: date
    started_at: datetime
    resume: dict[str, Any] | None
    vars: dict[str, Any] = field(default_factory=dict)
    steps: list[Any] = field(default_factory=list)
    error: str | None = None
    error_step: str | None = None
    finished_at: datetime | None = None
    wait_until: date | None = None

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _NAMES}

    def stays(self) -> bool:
        """Whether the run is still open (waiting or queued): it must be an object."""
        return self.status in ("waiting", "queued")


_NAMES = tuple(f.name for f in fields(RunDraft))
if set(_NAMES) != {prop.key for prop in inspect(m.Run).column_attrs}:
    raise RuntimeError("RunDraft must have exactly the columns of Run")
