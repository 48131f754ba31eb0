"""Property tests: the settlement arithmetic as tracking uses it, through real payments.

Each example places an account, agrees a settlement under a client tolerance drawn by
hypothesis (a percent, a fixed amount, both or none) and posts payments with the real
``post_payment`` operation, some before the inception date. Received, remaining, the
reached decision and the reaching payment must match a plain model, to the cent.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config.model import RuleSet, Tolerance
from engine.domain import models as m
from engine.domain.clock import SimulatedClock
from engine.domain.operations import accounts, payments, settlements
from engine.domain.operations.settlements import figures
from engine.domain.settlement_math import tolerance_amount
from engine.domain.unit import Unit
from engine.runtime.engine import Engine
from tests.settlements.helpers import START

CENT = Decimal("0.01")
IDS = itertools.count(1)
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

cents = st.integers(min_value=1, max_value=50_000).map(lambda n: Decimal(n) * CENT)
percents = st.integers(min_value=0, max_value=1000).map(lambda n: Decimal(n) / 100)
tolerances = st.one_of(
    st.none(),
    st.builds(Tolerance, percent=percents),
    st.builds(Tolerance, amount=st.integers(0, 2000).map(lambda n: Decimal(n) * CENT)),
    st.builds(
        Tolerance, percent=percents, amount=st.integers(0, 2000).map(lambda n: Decimal(n) * CENT)
    ),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, sample_ruleset: RuleSet) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('props') / 'docket.db'}"
    made = Engine(sample_ruleset, url, clock=SimulatedClock(START, "America/Chicago"))
    yield made
    made.close()


def with_tolerance(ruleset: RuleSet, tolerance: Tolerance | None) -> RuleSet:
    """The sample agency with ACME's tolerance replaced."""
    acme = ruleset.clients["ACME"]
    assert acme.settlement is not None
    rules = replace(acme.settlement, tolerance=tolerance or Tolerance())
    return replace(ruleset, clients={**ruleset.clients, "ACME": replace(acme, settlement=rules)})


def unit_on(session: Session, ruleset: RuleSet, day: date) -> Unit:
    return Unit(session, ruleset, day, datetime.combine(day, time(14)))


def reached_events(session: Session, settlement: str) -> int:
    return len(
        list(
            session.scalars(
                select(m.InboxEvent).where(
                    m.InboxEvent.name == "onSettlementReached",
                    m.InboxEvent.subject_id == settlement,
                )
            )
        )
    )


def agree(unit: Unit, sid: str, account: str, amount: Decimal) -> None:
    """Create the settlement on the unit's day; one below Acme's authority is approved."""
    row = settlements.create_settlement(
        unit, sid, account, amount=amount, inception_date=unit.today
    )
    if row.outside_authority:
        settlements.approve_settlement(unit, sid, "property test")


def run_story(
    store: Engine,
    tolerance: Tolerance | None,
    amount: Decimal,
    paid: list[tuple[int, Decimal]],
    inception_day: int,
) -> tuple[str, Session, Unit]:
    """Place, agree (on the inception day) and pay (each on its day); returns the ids."""
    n = next(IDS)
    account, sid = f"PA{n}", f"PS{n}"
    ruleset = with_tolerance(store.ruleset, tolerance)
    session = store.sessions()
    with session.begin():
        start = unit_on(session, ruleset, START)
        accounts.ensure_client(start, "ACME")
        principal = sum((a for _, a in paid), amount) + Decimal("1000.00")
        accounts.place_account(
            start, id=account, client="ACME", status="ACTIVE", balances={"principal": principal}
        )
        schedule = sorted(paid, key=lambda p: p[0])
        agreed = False
        for day, value in schedule:
            if not agreed and day >= inception_day:
                agree(
                    unit_on(session, ruleset, START + timedelta(inception_day)),
                    sid,
                    account,
                    amount,
                )
                agreed = True
            when = START + timedelta(day)
            payments.post_payment(unit_on(session, ruleset, when), account, value, when)
        if not agreed:
            agree(unit_on(session, ruleset, START + timedelta(inception_day)), sid, account, amount)
    return sid, session, unit_on(session, ruleset, START)


@SETTINGS
@given(
    tolerance=tolerances,
    amount=cents,
    paid=st.lists(st.tuples(st.integers(0, 60), cents), max_size=6),
    inception_day=st.integers(0, 60),
)
def test_received_remaining_and_reached_match_the_model(
    store: Engine,
    tolerance: Tolerance | None,
    amount: Decimal,
    paid: list[tuple[int, Decimal]],
    inception_day: int,
) -> None:
    sid, session, unit = run_story(store, tolerance, amount, paid, inception_day)
    with session:
        row = session.get(m.Settlement, sid)
        assert row is not None
        found = figures(session, unit.ruleset, row)
        counted = [(d, a) for d, a in sorted(paid, key=lambda p: p[0]) if d >= inception_day]
        received = sum((a for _, a in counted), Decimal("0.00"))
        assert found.received == received
        assert found.remaining == max(amount - received, Decimal("0.00"))
        assert found.received + found.remaining >= amount
        assert len(found.counted) + len(found.earlier) == len(paid)
        assert all(p.amount == p.amount.quantize(CENT) for p in found.counted + found.earlier)
        threshold = amount - tolerance_amount(amount, tolerance)
        should_reach = received > 0 and received >= threshold
        assert (row.status == "reached") is should_reach
        assert reached_events(session, sid) == (1 if should_reach else 0)
        if should_reach:
            running = Decimal("0.00")
            for day, value in counted:
                running += value
                if running >= threshold:
                    assert row.reached_date == START + timedelta(day)
                    break


@SETTINGS
@given(tolerance=tolerances, amount=cents)
def test_a_cent_short_of_amount_less_tolerance_is_not_reached_and_the_cent_reaches_it(
    store: Engine, tolerance: Tolerance | None, amount: Decimal
) -> None:
    threshold = amount - tolerance_amount(amount, tolerance)
    first = threshold - CENT
    if first <= 0:  # the tolerance covers (nearly) everything: the first cent reaches it
        first = CENT
    story = [(1, first)] if first >= threshold else [(1, first), (2, CENT)]
    sid, session, _ = run_story(store, tolerance, amount, story, 0)
    with session:
        row = session.get(m.Settlement, sid)
        assert row is not None and row.status == "reached"
        assert row.reached_date == START + timedelta(story[-1][0])
        assert row.reaching_payment_id is not None
        reaching = session.get(m.Transaction, row.reaching_payment_id)
        assert reaching is not None and reaching.amount == story[-1][1]
