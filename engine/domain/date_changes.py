"""Which subjects' dates changed: the scheduler's clue to dates entered after their due day.

A date trigger's sweep looks at the due days it covers; a date keyed after its due day was
swept would never match again. So every write of a date a trigger may sweep — a Date column
of a case, account, follow-up, offer or settlement, or an account's custom ``fields`` — notes
its subject in ``date_changes`` in the same transaction, and the next sweep checks just those
subjects for due days it already swept (``engine.scheduler.sweep``), then deletes the rows.
Rows are noted at flush time through attribute events, so every ORM write is seen whatever
operation made it; bulk Core inserts (history loads) are not, and are not replayed. A unit of
work names the dates its RuleSet's triggers sweep (``watch``), so writing a date no trigger
sweeps (an account's next work date, usually) costs nothing; a session no unit named them for
notes every date.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, event
from sqlalchemy.orm import Session, object_session

from engine.config.model import RuleSet
from engine.domain import models as m

# The subjects a date trigger may sweep (engine/scheduler/sources.py reads the same tables).
TRACKED: dict[type[Any], str] = {
    m.Case: "case",
    m.Account: "account",
    m.FollowUp: "follow_up",
    m.Offer: "offer",
    m.Settlement: "settlement",
}
KINDS = {kind: model for model, kind in TRACKED.items()}
PENDING = "docket.date_changes"  # session.info key: subjects noted since the last flush
WATCHED = "docket.dates_watched"  # session.info key: (kind, attribute) the triggers sweep
_WATCHED_BY_RULESET: dict[str, frozenset[tuple[str, str]]] = {}


def _dated(model: type[Any]) -> tuple[str, ...]:
    names = tuple(c.name for c in model.__table__.columns if isinstance(c.type, Date))
    return (*names, "fields") if model is m.Account else names


DATED = {model: _dated(model) for model in TRACKED}  # the attributes noted, per model


def watched(ruleset: RuleSet) -> frozenset[tuple[str, str]]:
    """The (subject kind, attribute) pairs the RuleSet's date triggers sweep; a custom
    account date is the attribute ``fields``."""
    found = _WATCHED_BY_RULESET.get(ruleset.hash)
    if found is None:
        pairs = set()
        for trigger in ruleset.date_triggers:
            kind, _, name = (trigger.date_field or "").partition(".")
            model = KINDS.get(kind)
            if model is not None:
                pairs.add((kind, name if name in model.__table__.columns else "fields"))
        found = _WATCHED_BY_RULESET[ruleset.hash] = frozenset(pairs)
    return found


def watch(session: Session, ruleset: RuleSet) -> None:
    """Note, in this session, only the dates ``ruleset`` sweeps (and those of earlier units)."""
    pairs = watched(ruleset)
    current = session.info.get(WATCHED)
    if current is None or not pairs <= current:
        session.info[WATCHED] = pairs if current is None else current | pairs


def _swept(session: Session, kind: str, name: str) -> bool:
    pairs = session.info.get(WATCHED)
    return pairs is None or (kind, name) in pairs


def _noted(target: Any, value: Any, old: Any, initiator: Any) -> Any:
    session = object_session(target)
    if session is not None and value != old:
        kind = TRACKED[type(target)]
        if _swept(session, kind, initiator.key):
            session.info.setdefault(PENDING, set()).add((kind, str(target.id)))
    return value


def _write(session: Session, _context: Any, _instances: Any) -> None:
    """Before a flush: one row per subject whose dates were written (new ones included)."""
    noted: set[tuple[str, str]] = session.info.pop(PENDING, set())
    for obj in session.new:
        kind = TRACKED.get(type(obj))
        if kind is None:
            continue
        names = [n for n in DATED[type(obj)] if _swept(session, kind, n)]
        if any(getattr(obj, n, None) for n in names):
            noted.add((kind, str(obj.id)))
    session.add_all(m.DateChange(subject_kind=k, subject_id=i) for k, i in sorted(noted))


for _model, _names in DATED.items():
    for _name in _names:
        event.listen(getattr(_model, _name), "set", _noted, retval=True)


def track(sessions: Any) -> None:
    """Note date writes in the sessions a factory (``sessionmaker``) makes."""
    event.listen(sessions, "before_flush", _write)
