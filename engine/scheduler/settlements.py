"""Daily settlement work: missed installments and offer-term ends (DESIGN §5, §7).

Both are set-based queries over indexed columns, run once per daily cycle after the waits
are resumed; the events they emit are processed with the rest of the day's inbox. A day
missed while the engine was down is caught up on restart (those events are marked late).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from engine.domain import Unit
from engine.domain.operations import offers, settlements

if TYPE_CHECKING:
    from engine.runtime import Engine


def _in_unit(engine: Engine, day: date, work: Any) -> Any:
    assert engine.clock is not None
    with engine.sessions() as session, session.begin():
        session.info["today"] = day
        return work(Unit(session, engine.ruleset, day, engine.clock.now(), source="scheduler"))


def missed_installments(engine: Engine, day: date) -> list[dict[str, Any]]:
    """Installments due before ``day`` and not covered fire ``onInstallmentMissed``."""
    return list(_in_unit(engine, day, settlements.check_installments))


def offer_term_ends(engine: Engine, day: date) -> list[dict[str, Any]]:
    """Open offers whose term ended before ``day`` resolve and fire ``onOfferTermEnd``."""
    return list(_in_unit(engine, day, offers.resolve_terms))
