"""What each date trigger did, will do, or never will, for one account or case.

``docket explain`` and ``GET /accounts/{id}/explain`` (``/cases/{id}/explain``) combine the
runtime's events and traces with this: per date trigger and subject, every ledger row (fired —
when, late or not and why; skipped — why; a condition false on the due day is *never*), and
the date as it stands now — upcoming (its due day: the date plus the offset on the business
calendar), pending (entered after its due day: the next sweep decides, as ``catch_up``
says), or never (no date, due before the trigger was first swept, a closed follow-up…).
Only the scheduler knows due days and sweeps, so this lives here, above the runtime.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet, Trigger
from engine.domain import models as m
from engine.runtime import account_events, case_events, failing_summary, holding_summary
from engine.scheduler import arming
from engine.scheduler.sources import DateSource, qualified_field, source_for
from engine.scheduler.sweep import ENTERED_LATE, decide, last_swept

Entry = dict[str, Any]
NEVER_OUTCOMES = {
    "condition_false": "condition false",
    "unless_true": "unless true",
    "suspended": "automation suspended",
}


def explain(
    session: Session,
    ruleset: RuleSet,
    today: date,
    *,
    account: str | None = None,
    case: str | None = None,
    event: str | None = None,
) -> dict[str, Any]:
    """Events with their traces, held messages, and the date triggers of an account or case."""
    if case is not None:
        result = case_events(session, ruleset, case, event)
    else:
        assert account is not None
        result = account_events(session, ruleset, account, event)
    dates = date_triggers(session, ruleset, today, account=account, case=case)
    if event:
        dates = [d for d in dates if d["event"] == event]
        if dates:  # a date event is explained by its triggers' lines, received or not
            result.pop("note", None)
    result["dates"] = dates
    return result


def date_triggers(
    session: Session,
    ruleset: RuleSet,
    today: date,
    *,
    account: str | None = None,
    case: str | None = None,
) -> list[Entry]:
    """Every date trigger's story for the subjects of an account (or one case)."""
    subjects = _subjects(session, account, case)
    armed = arming.load(session)
    last = last_swept(session)
    found: list[Entry] = []
    for trigger in ruleset.triggers:
        if not trigger.is_date:
            continue
        source = source_for(trigger)
        for subject_id in subjects.get(source.kind, []):
            story = _Story(session, ruleset, trigger, source, subject_id, today)
            found.extend(story.entries(armed.known(trigger), last))
    return found


def _subjects(session: Session, account: str | None, case: str | None) -> dict[str, list[str]]:
    if case is not None:
        return {"case": [case]}
    assert account is not None

    def ids(column: Any, where: Any) -> list[str]:
        return [str(v) for v in session.scalars(select(column).where(where).order_by(column))]

    return {
        "account": [account],
        "case": ids(m.CaseAccount.case_id, m.CaseAccount.account_id == account),
        "follow_up": ids(m.FollowUp.id, m.FollowUp.account_id == account),
        "offer": ids(m.Offer.id, m.Offer.account_id == account),
        "settlement": ids(m.Settlement.id, m.Settlement.account_id == account),
    }


class _Story:
    """One trigger on one subject: its ledger rows, then its date as it stands."""

    def __init__(
        self,
        session: Session,
        ruleset: RuleSet,
        trigger: Trigger,
        source: DateSource,
        subject_id: str,
        today: date,
    ) -> None:
        self.session, self.ruleset, self.trigger = session, ruleset, trigger
        self.source, self.subject_id, self.today = source, subject_id, today
        self.field = qualified_field(trigger)

    def base(self, value: date | None, due_on: date | None) -> Entry:
        return {
            "trigger": self.trigger.id,
            "event": self.trigger.on,
            "subject": {"kind": self.source.kind, "id": self.subject_id},
            "field": self.field,
            "offset": str(self.trigger.offset) if self.trigger.offset else None,
            "catch_up": self.trigger.catch_up,
            "date": value,
            "due_on": due_on,
        }

    def entries(self, since: date | None, last: date | None) -> list[Entry]:
        rows = list(
            self.session.scalars(
                select(m.FiredDate)
                .where(
                    m.FiredDate.trigger_id == self.trigger.id,
                    m.FiredDate.subject_kind == self.source.kind,
                    m.FiredDate.subject_id == self.subject_id,
                )
                .order_by(m.FiredDate.fired_on, m.FiredDate.date_value)
            )
        )
        found = [self.ledger(row) for row in rows]
        current = self.now_standing({row.date_value for row in rows}, since, last)
        if current is not None:
            found.append(current)
        return found

    def ledger(self, row: m.FiredDate) -> Entry:
        entry = self.base(row.date_value, row.due_on)
        entry.update(on=row.fired_on, late=bool(row.late), reason=row.reason)
        if row.outcome == "skipped":
            entry["status"] = "skipped"
            entry["reason"] = row.reason or "catch_up"
            return entry
        entry["event_id"] = row.event_id
        event = self.session.scalars(
            select(m.InboxEvent).where(m.InboxEvent.id == row.event_id)
        ).first()
        if event is None or event.status == "pending":
            entry["status"] = "queued"
            return entry
        if event.status in ("failed", "rejected"):
            entry.update(status="failed", error=event.reason)
            return entry
        trace = self.session.get(m.EventTrace, event.id)
        considered = [
            t
            for t in (trace.doc.get("triggers", []) if trace else [])
            if t.get("trigger") == self.trigger.id
        ]
        outcome = considered[0] if considered else {}
        kind = outcome.get("outcome")
        if kind == "ran":
            entry.update(status="fired", runs=outcome.get("runs") or [])
        elif kind in NEVER_OUTCOMES:
            entry.update(status="never", reason=_never(kind, outcome, row.fired_on))
        elif kind == "failed":
            entry.update(status="failed", error=outcome.get("error"))
        else:
            entry.update(status="never", reason=f"not run ({kind or 'no trace'})")
        return entry

    def now_standing(
        self, recorded: set[date], since: date | None, last: date | None
    ) -> Entry | None:
        """The date as it stands, unless a ledger row already tells its story."""
        key, column = self.source.key, self.source.column
        query = select(column).where(key == self.subject_id)
        raw = self.session.execute(query).scalar()
        if raw is None:
            entry = self.base(None, None)
            entry.update(status="never", reason=f"no {self.field.split('.')[-1]} entered")
            return entry
        try:
            value = self.source.read(raw)
        except ValueError:
            entry = self.base(None, None)
            entry.update(status="never", reason=f"{self.field} is not a date: {raw!r}")
            return entry
        if value in recorded:
            return None
        due_on = self.ruleset.agency.calendar.shift(value, self.trigger.offset)
        entry = self.base(value, due_on)
        closed = self._closed()
        if not self.trigger.enabled:
            entry.update(status="never", reason="the trigger is disabled")
        elif closed:
            entry.update(status="never", reason=closed)
        else:
            entry.update(self._timing(due_on, since, last))
        return entry

    def _timing(self, due_on: date, since: date | None, last: date | None) -> Entry:
        """Upcoming, pending (the next sweep decides) or never, by the due day and the sweeps."""
        if due_on >= self.today:  # due today after the sweep: the frequent job fires it
            conditional = self.trigger.condition is not None or self.trigger.unless is not None
            return {"status": "upcoming"} | (
                {"reason": "if its condition holds then"} if conditional else {}
            )
        if last is None or due_on < (since or last):
            first = since or last
            return {
                "status": "never",
                "reason": "due before the trigger was first swept"
                + (f" ({first.isoformat()})" if first else "")
                + ": history is not replayed",
            }
        why = "not swept yet" if due_on > last else ENTERED_LATE
        skipped = decide(self.trigger, self.ruleset, due_on, self.today)
        then = f"records it skipped ({skipped})" if skipped else "fires it late"
        return {"status": "pending", "late": True, "reason": f"{why}; the next sweep {then}"}

    def _closed(self) -> str | None:
        """Only open follow-ups come due."""
        if not self.source.only_open:
            return None
        status = self.session.scalar(
            select(m.FollowUp.status).where(m.FollowUp.id == self.subject_id)
        )
        return None if status == "open" else f"the follow-up is {status}: only open ones come due"


def _never(kind: str, outcome: Entry, on: date) -> str:
    text = f"{NEVER_OUTCOMES[kind]} when it came due ({on.isoformat()})"
    if kind == "condition_false" and outcome.get("if"):
        text += f": {failing_summary(outcome['if'])}"
    elif kind == "unless_true" and outcome.get("unless"):
        text += f": unless {holding_summary(outcome['unless'])}"
    elif kind == "suspended" and outcome.get("reason"):
        text += f": {outcome['reason']}"
    return text
