"""Since when each date trigger has been swept, as it is now written.

A late-entered date is one whose due day the scheduler has already swept for its trigger, yet
which has no row in the date ledger: had it been there on its due day, that sweep would have
written one. The sweep can only say so for due days it swept for the trigger *as now
written*, so each trigger is armed on the first day a sweep covered it, and armed again when
its date field or offset changes, or when it comes back after being removed or disabled.
Dates due before that day are history, not late entries: they are not replayed (as the first
sweep of a database does not replay history).

The arming days live in ``scheduler_state`` under one key, as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine.config.model import RuleSet, Trigger
from engine.domain import models as m
from engine.scheduler.sources import qualified_field

ARMED = "sweep.armed"


def signature(trigger: Trigger) -> str:
    """What a trigger's due days depend on: its date field and its offset."""
    return f"{qualified_field(trigger)} {trigger.offset or '+0 days'}"


@dataclass(slots=True)
class Arming:
    """Each date trigger's arming day and signature, read once per sweep."""

    entries: dict[str, dict[str, str]] = field(default_factory=dict)
    changed: bool = False

    def since(self, trigger: Trigger, start: date) -> date:
        """The trigger's arming day; a new or changed trigger is armed on ``start``."""
        entry = self.entries.get(trigger.id)
        if entry is None or entry.get("signature") != signature(trigger):
            entry = {"since": start.isoformat(), "signature": signature(trigger)}
            self.entries[trigger.id] = entry
            self.changed = True
        return date.fromisoformat(entry["since"])

    def known(self, trigger: Trigger) -> date | None:
        """The arming day without arming (None: never swept as now written)."""
        entry = self.entries.get(trigger.id)
        if entry is None or entry.get("signature") != signature(trigger):
            return None
        return date.fromisoformat(entry["since"])

    def save(self, session: Session, ruleset: RuleSet) -> None:
        """Write back; triggers no longer swept are forgotten, so they re-arm if they return."""
        swept = {t.id for t in ruleset.date_triggers}
        for gone in set(self.entries) - swept:
            del self.entries[gone]
            self.changed = True
        if self.changed:
            value = json.dumps(self.entries, sort_keys=True)
            session.merge(m.SchedulerState(key=ARMED, value=value))
            self.changed = False


def load(session: Session) -> Arming:
    """The arming days stored by the last sweep (none before the first)."""
    row = session.get(m.SchedulerState, ARMED)
    entries: Any = json.loads(row.value) if row is not None else {}
    return Arming({str(k): dict(v) for k, v in entries.items()} if entries else {})
