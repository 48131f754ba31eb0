"""Spreading a payment over buckets and accounts (DESIGN §5).

A spreader pays buckets in its ``order`` and shares the payment between accounts by its
``across_accounts`` mode. Buckets the order does not name are never paid by that spreader;
money that cannot go anywhere (balances exhausted, or only unnamed buckets left) goes to
``overpayment``, so parts plus overpayment always equal the payment. Negative (credit)
balances owe nothing and are never paid.

Accounts are ranked by the spreader's ``by`` (``age``: the opened date, so ``asc`` is the
oldest account first; ``balance``: the amount owed in the ordered buckets, so ``asc`` is
the smallest first) and ``direction``; ties go to ``order_key`` then ``account_id``,
ascending whatever the direction. The ranking decides who is paid first
(``one_at_a_time``, ``across_buckets``) and who receives an odd cent (``proportional``,
``even``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from engine.config.model import Spreader
from engine.domain.money import ZERO, largest_remainder, require_cents, require_non_negative


@dataclass(frozen=True, slots=True)
class AccountPosition:
    """An account's balances at the moment of a spread."""

    account_id: str
    balances: Mapping[str, Decimal]
    opened: date
    order_key: str = ""  # breaks ranking ties before account_id (e.g. the case's account order)


@dataclass(frozen=True, slots=True)
class Part:
    """Money applied to one bucket of one account."""

    account_id: str
    bucket: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    """The result of a spread: parts in ranking then bucket order, plus what was left over."""

    parts: tuple[Part, ...]
    overpayment: Decimal = ZERO

    def total(self) -> Decimal:
        """Everything allocated, overpayment included: equals the payment spread."""
        return sum((p.amount for p in self.parts), self.overpayment)

    def by_account(self) -> dict[str, Decimal]:
        """Total applied per account, in part order."""
        totals: dict[str, Decimal] = {}
        for part in self.parts:
            totals[part.account_id] = totals.get(part.account_id, ZERO) + part.amount
        return totals

    def by_bucket(self, account_id: str) -> dict[str, Decimal]:
        """Amount applied per bucket of one account."""
        return {p.bucket: p.amount for p in self.parts if p.account_id == account_id}


def waterfall(
    amount: Decimal, balances: Mapping[str, Decimal], order: Sequence[str]
) -> tuple[dict[str, Decimal], Decimal]:
    """Pay buckets in order, each up to its balance; return (paid per bucket, leftover)."""
    require_non_negative("amount", amount)
    paid: dict[str, Decimal] = {}
    rest = amount
    for bucket in order:
        if rest == 0:
            break
        owed = balances.get(bucket, ZERO)
        take = min(rest, owed)
        if take > 0:
            paid[bucket] = paid.get(bucket, ZERO) + take
            rest -= take
    return paid, rest


class _Ledger:
    """What each account still owes per ordered bucket, and what has been paid so far."""

    def __init__(self, accounts: Sequence[AccountPosition], order: Sequence[str]) -> None:
        self.order = tuple(dict.fromkeys(order))  # a bucket named twice is paid once
        self.owed: dict[str, dict[str, Decimal]] = {}
        self.paid: dict[tuple[str, str], Decimal] = {}
        for account in accounts:
            if account.account_id in self.owed:
                raise ValueError(f"account {account.account_id!r} appears twice in the spread")
            buckets: dict[str, Decimal] = {}
            for bucket in self.order:
                balance = account.balances.get(bucket, ZERO)
                require_cents(f"account {account.account_id!r} {bucket} balance", balance)
                buckets[bucket] = max(balance, ZERO)
            self.owed[account.account_id] = buckets

    def owing(self, account_id: str) -> Decimal:
        return sum(self.owed[account_id].values(), ZERO)

    def pay(self, account_id: str, bucket: str, amount: Decimal) -> Decimal:
        """Pay up to amount into one bucket; return what did not fit."""
        take = min(amount, self.owed[account_id][bucket])
        if take > 0:
            self.owed[account_id][bucket] -= take
            key = (account_id, bucket)
            self.paid[key] = self.paid.get(key, ZERO) + take
        return amount - take

    def pay_account(self, account_id: str, amount: Decimal) -> Decimal:
        """Pay an account's buckets in order; return what did not fit."""
        for bucket in self.order:
            if amount == 0:
                break
            amount = self.pay(account_id, bucket, amount)
        return amount

    def allocation(self, ranked: Sequence[str], overpayment: Decimal) -> Allocation:
        parts = tuple(
            Part(account_id, bucket, self.paid[(account_id, bucket)])
            for account_id in ranked
            for bucket in self.order
            if (account_id, bucket) in self.paid
        )
        return Allocation(parts, overpayment)


def rank(accounts: Sequence[AccountPosition], spreader: Spreader) -> list[AccountPosition]:
    """Accounts in the order the spreader serves them (see the module docstring)."""
    ledger = _Ledger(accounts, spreader.order)
    ties = sorted(accounts, key=lambda a: (a.order_key, a.account_id))
    descending = spreader.direction == "desc"
    if spreader.by == "age":
        return sorted(ties, key=lambda a: a.opened, reverse=descending)
    if spreader.by == "balance":
        return sorted(ties, key=lambda a: ledger.owing(a.account_id), reverse=descending)
    raise ValueError(f"spreader {spreader.id!r}: unknown ranking {spreader.by!r}")


def spread(amount: Decimal, accounts: Sequence[AccountPosition], spreader: Spreader) -> Allocation:
    """Allocate a payment over the accounts' buckets by the spreader; the excess is overpayment."""
    require_non_negative("payment amount", amount)
    ledger = _Ledger(accounts, spreader.order)
    ranked = [a.account_id for a in rank(accounts, spreader)]
    mode = spreader.across_accounts
    rest = amount
    if mode == "one_at_a_time":
        for account_id in ranked:
            rest = ledger.pay_account(account_id, rest)
    elif mode == "across_buckets":
        for bucket in ledger.order:
            for account_id in ranked:
                rest = ledger.pay(account_id, bucket, rest)
    elif mode in ("proportional", "even"):
        rest = _share_out(ledger, ranked, amount, proportional=mode == "proportional")
    else:
        raise ValueError(f"spreader {spreader.id!r}: unknown across_accounts {mode!r}")
    return ledger.allocation(ranked, rest)


def _share_out(
    ledger: _Ledger, ranked: Sequence[str], amount: Decimal, proportional: bool
) -> Decimal:
    """Share amount between accounts still owing, re-splitting what a satisfied account
    could not take, until it is all placed or nobody owes; return the leftover."""
    rest = amount
    while rest > 0:
        owing = [a for a in ranked if ledger.owing(a) > 0]
        if not owing:
            break
        weights = [ledger.owing(a) if proportional else Decimal(1) for a in owing]
        shares = largest_remainder(rest, weights)
        rest = sum((ledger.pay_account(a, s) for a, s in zip(owing, shares, strict=True)), ZERO)
        # Any residue means some account took less than its share and now owes nothing, so
        # the next round has fewer accounts: the loop ends after at most len(ranked) rounds.
    return rest


def mirror(amount: Decimal, originals: Sequence[AccountPosition], spreader: Spreader) -> Allocation:
    """Mirror a judgment payment onto the original accounts by the judgment spreader."""
    return spread(amount, originals, spreader)


def negate(allocation: Allocation) -> Allocation:
    """The reversing allocation (every part and the overpayment negated), for unspreading."""
    return Allocation(
        tuple(Part(p.account_id, p.bucket, -p.amount) for p in allocation.parts),
        -allocation.overpayment,
    )


def balances_after(
    accounts: Sequence[AccountPosition], allocation: Allocation
) -> dict[str, dict[str, Decimal]]:
    """Each account's balances once the allocation is posted (an unspread adds back)."""
    result = {a.account_id: dict(a.balances) for a in accounts}
    for part in allocation.parts:
        buckets = result[part.account_id]
        buckets[part.bucket] = buckets.get(part.bucket, ZERO) - part.amount
    return result
