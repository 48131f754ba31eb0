"""Spreading payments over buckets and accounts (DESIGN §5), hand-computed and by property."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config.model import BUCKETS, AcrossAccounts, Spreader
from engine.domain.money import CENT
from engine.domain.spreading import (
    AccountPosition,
    Allocation,
    Part,
    balances_after,
    mirror,
    negate,
    rank,
    spread,
    waterfall,
)

D = Decimal
ORDER = ("fees", "interest", "principal")

# Owed in the ordered buckets: A 115.00, B 220.00, C 65.00 (C's court costs are not in the
# order, so no spreader below pays them). By age, C is oldest, then A, then B.
A = AccountPosition(
    "A",
    {"principal": D("100.00"), "interest": D("10.00"), "fees": D("5.00")},
    date(2020, 1, 1),
)
B = AccountPosition("B", {"principal": D("200.00"), "interest": D("20.00")}, date(2021, 6, 1))
C = AccountPosition(
    "C",
    {"principal": D("50.00"), "fees": D("15.00"), "court_costs": D("30.00")},
    date(2019, 3, 15),
)
BUNDLE = (A, B, C)


def spreader(
    mode: AcrossAccounts, by: str = "age", direction: str = "asc", order: Sequence[str] = ORDER
) -> Spreader:
    return Spreader(
        id="test",
        order=tuple(order),
        across_accounts=mode,
        by=by,  # type: ignore[arg-type]
        direction=direction,  # type: ignore[arg-type]
    )


def parts(*rows: tuple[str, str, str]) -> tuple[Part, ...]:
    return tuple(Part(account, bucket, D(amount)) for account, bucket, amount in rows)


def test_one_at_a_time_oldest_first_pays_each_account_in_bucket_order() -> None:
    result = spread(D("150.00"), BUNDLE, spreader("one_at_a_time"))
    assert result == Allocation(
        parts(
            ("C", "fees", "15.00"),
            ("C", "principal", "50.00"),
            ("A", "fees", "5.00"),
            ("A", "interest", "10.00"),
            ("A", "principal", "70.00"),
        ),
        D("0.00"),
    )


def test_one_at_a_time_newest_first() -> None:
    result = spread(D("150.00"), BUNDLE, spreader("one_at_a_time", direction="desc"))
    assert result.parts == parts(("B", "interest", "20.00"), ("B", "principal", "130.00"))


def test_one_at_a_time_largest_balance_first() -> None:
    result = spread(D("250.00"), BUNDLE, spreader("one_at_a_time", by="balance", direction="desc"))
    assert result.parts == parts(
        ("B", "interest", "20.00"),
        ("B", "principal", "200.00"),
        ("A", "fees", "5.00"),
        ("A", "interest", "10.00"),
        ("A", "principal", "15.00"),
    )


def test_across_buckets_pays_bucket_one_of_every_account_first() -> None:
    # fees: C 15 + A 5 = 20; interest: A 10 + B 20 = 30; principal: C gets the last 10.
    result = spread(D("60.00"), BUNDLE, spreader("across_buckets"))
    assert result.parts == parts(
        ("C", "fees", "15.00"),
        ("C", "principal", "10.00"),
        ("A", "fees", "5.00"),
        ("A", "interest", "10.00"),
        ("B", "interest", "20.00"),
    )


def test_proportional_shares_by_balance() -> None:
    # 100 × 115/400 = 28.75, 100 × 220/400 = 55.00, 100 × 65/400 = 16.25
    result = spread(D("100.00"), BUNDLE, spreader("proportional"))
    assert result.by_account() == {"C": D("16.25"), "A": D("28.75"), "B": D("55.00")}
    assert result.by_bucket("A") == {
        "fees": D("5.00"),
        "interest": D("10.00"),
        "principal": D("13.75"),
    }
    assert result.by_bucket("B") == {"interest": D("20.00"), "principal": D("35.00")}
    assert result.by_bucket("C") == {"fees": D("15.00"), "principal": D("1.25")}


def test_proportional_odd_cent_goes_to_the_first_ranked_account() -> None:
    same = [
        AccountPosition(i, {"principal": D("10.00")}, date(2020, 1, n))
        for n, i in enumerate("XYZ", start=1)
    ]
    result = spread(D("1.00"), same, spreader("proportional", direction="desc"))
    assert result.by_account() == {"Z": D("0.34"), "Y": D("0.33"), "X": D("0.33")}


def test_even_re_splits_what_a_satisfied_account_cannot_take() -> None:
    # Round 1: 200 / 3 -> C 66.67, A 66.67, B 66.66; C owes only 65.00, so 1.67 comes back.
    # Round 2: 1.67 between A and B -> A 0.84, B 0.83.
    result = spread(D("200.00"), BUNDLE, spreader("even"))
    assert result.by_account() == {"C": D("65.00"), "A": D("67.51"), "B": D("67.49")}
    assert result.by_bucket("A")["principal"] == D("52.51")
    assert result.overpayment == 0


@pytest.mark.parametrize("mode", ["one_at_a_time", "across_buckets", "proportional", "even"])
def test_beyond_the_balances_goes_to_overpayment(mode: AcrossAccounts) -> None:
    result = spread(D("1000.00"), BUNDLE, spreader(mode))
    assert result.by_account() == {"C": D("65.00"), "A": D("115.00"), "B": D("220.00")}
    assert result.overpayment == D("600.00")  # C's court costs are outside the order
    assert all(p.bucket != "court_costs" for p in result.parts)


def test_credit_balances_are_never_paid() -> None:
    account = AccountPosition("A", {"fees": D("-5.00"), "principal": D("10.00")}, date(2020, 1, 1))
    result = spread(D("12.00"), [account], spreader("one_at_a_time"))
    assert result.parts == parts(("A", "principal", "10.00"))
    assert result.overpayment == D("2.00")


def test_no_accounts_and_zero_payment() -> None:
    assert spread(D("5.00"), [], spreader("even")) == Allocation((), D("5.00"))
    assert spread(D("0.00"), BUNDLE, spreader("proportional")) == Allocation((), D("0.00"))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="payment amount must not be negative"):
        spread(D("-1.00"), BUNDLE, spreader("even"))
    with pytest.raises(ValueError, match="whole number of cents"):
        spread(D("1.001"), BUNDLE, spreader("even"))
    with pytest.raises(ValueError, match="'A' appears twice"):
        spread(D("1.00"), [A, A], spreader("even"))
    odd = AccountPosition("Q", {"principal": D("1.005")}, date(2020, 1, 1))
    with pytest.raises(ValueError, match="'Q' principal balance must be a whole number of cents"):
        spread(D("1.00"), [odd], spreader("even"))


def test_ranking_ties_go_to_order_key_then_account_id() -> None:
    day = date(2020, 1, 1)
    accounts = [
        AccountPosition("b", {}, day),
        AccountPosition("a", {}, day),
        AccountPosition("c", {}, day, order_key="0"),
    ]
    for direction in ("asc", "desc"):
        ranked = rank(accounts, spreader("even", direction=direction))
        assert [a.account_id for a in ranked] == ["a", "b", "c"]


def test_mirror_spreads_like_spread_and_negate_unspreads() -> None:
    judgment_spreader = spreader("proportional")
    mirrored = mirror(D("100.00"), BUNDLE, judgment_spreader)
    assert mirrored == spread(D("100.00"), BUNDLE, judgment_spreader)
    reversed_ = negate(mirrored)
    assert reversed_.total() == D("-100.00")
    after = balances_after(BUNDLE, mirrored)
    restored = balances_after(
        [AccountPosition(a.account_id, after[a.account_id], a.opened) for a in BUNDLE], reversed_
    )
    assert restored == {a.account_id: dict(a.balances) for a in BUNDLE}


def test_waterfall() -> None:
    paid, rest = waterfall(D("12.00"), {"fees": D("5.00"), "principal": D("5.00")}, ORDER)
    assert paid == {"fees": D("5.00"), "principal": D("5.00")}
    assert rest == D("2.00")


# --- properties ------------------------------------------------------------------------------

money = st.integers(min_value=-1_000, max_value=1_000_000).map(lambda n: D(n) * CENT)


@st.composite
def positions(draw: st.DrawFn) -> list[AccountPosition]:
    ids = draw(st.lists(st.sampled_from("ABCDEFG"), unique=True, max_size=5))
    return [
        AccountPosition(
            account_id,
            draw(st.dictionaries(st.sampled_from(BUCKETS), money, max_size=4)),
            draw(st.dates(date(2015, 1, 1), date(2024, 12, 31))),
            order_key=draw(st.sampled_from(["", "1", "2"])),
        )
        for account_id in ids
    ]


spreaders = st.builds(
    spreader,
    mode=st.sampled_from(["one_at_a_time", "across_buckets", "proportional", "even"]),
    by=st.sampled_from(["age", "balance"]),
    direction=st.sampled_from(["asc", "desc"]),
    order=st.lists(st.sampled_from(BUCKETS), unique=True, min_size=1, max_size=6),
)
payments = st.integers(min_value=0, max_value=5_000_000).map(lambda n: D(n) * CENT)


def owed(account: AccountPosition, order: Sequence[str]) -> Decimal:
    return sum((max(account.balances.get(b, D(0)), D(0)) for b in order), D(0))


@settings(max_examples=150, deadline=None)
@given(amount=payments, accounts=positions(), sp=spreaders)
def test_spread_places_every_cent_and_never_overpays_a_bucket(
    amount: Decimal, accounts: list[AccountPosition], sp: Spreader
) -> None:
    result = spread(amount, accounts, sp)
    assert result.total() == amount
    assert result.overpayment >= 0
    seen = set()
    for part in result.parts:
        assert (part.account_id, part.bucket) not in seen
        seen.add((part.account_id, part.bucket))
        assert part.bucket in sp.order
        balance = next(a for a in accounts if a.account_id == part.account_id).balances[part.bucket]
        assert 0 < part.amount <= balance
    total_owed = sum((owed(a, sp.order) for a in accounts), D(0))
    assert result.overpayment == max(amount - total_owed, D(0))


@settings(max_examples=60, deadline=None)
@given(amount=payments, accounts=positions(), sp=spreaders, seed=st.randoms())
def test_spread_is_deterministic_whatever_the_input_order(
    amount: Decimal, accounts: list[AccountPosition], sp: Spreader, seed: object
) -> None:
    shuffled = list(accounts)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    assert spread(amount, accounts, sp) == spread(amount, accounts, sp)
    assert spread(amount, shuffled, sp) == spread(amount, accounts, sp)


@settings(max_examples=100, deadline=None)
@given(amount=payments, accounts=positions(), sp=spreaders)
def test_proportional_shares_are_within_a_cent_of_exact(
    amount: Decimal, accounts: list[AccountPosition], sp: Spreader
) -> None:
    sp = spreader("proportional", sp.by, sp.direction, sp.order)
    balances = {a.account_id: owed(a, sp.order) for a in accounts}
    whole = sum(balances.values(), D(0))
    shares = spread(amount, accounts, sp).by_account()
    for account_id, balance in balances.items():
        share = shares.get(account_id, D(0))
        if amount >= whole:
            assert share == balance
        else:
            exact = Fraction(amount) * Fraction(balance) / Fraction(whole)
            assert abs(Fraction(share) - exact) < Fraction(1, 100)


@settings(max_examples=100, deadline=None)
@given(amount=payments, accounts=positions(), sp=spreaders)
def test_even_gives_accounts_still_owing_nearly_equal_shares(
    amount: Decimal, accounts: list[AccountPosition], sp: Spreader
) -> None:
    sp = spreader("even", sp.by, sp.direction, sp.order)
    result = spread(amount, accounts, sp)
    shares = result.by_account()
    owing = [a for a in accounts if shares.get(a.account_id, D(0)) < owed(a, sp.order)]
    if owing:
        got = [shares.get(a.account_id, D(0)) for a in owing]
        # each re-split round adds at most a cent of difference; there are ≤ len(accounts)
        assert max(got) - min(got) <= CENT * len(accounts)
        satisfied = [v for k, v in shares.items() if k not in {a.account_id for a in owing}]
        assert all(s <= min(got) + CENT * len(accounts) for s in satisfied)


@settings(max_examples=60, deadline=None)
@given(amount=payments, accounts=positions(), sp=spreaders)
def test_unspreading_restores_the_balances(
    amount: Decimal, accounts: list[AccountPosition], sp: Spreader
) -> None:
    allocation = spread(amount, accounts, sp)
    after = balances_after(accounts, allocation)
    moved = [AccountPosition(a.account_id, after[a.account_id], a.opened) for a in accounts]
    assert balances_after(moved, negate(allocation)) == {
        a.account_id: dict(a.balances) for a in accounts
    }
    assert negate(allocation).total() == -amount
