"""Suspend checks: reasons a subject's automation is skipped, recorded in the trace.

The dispatcher asks each check in ``DEFAULT_SUSPEND_CHECKS`` before running any trigger for
an event (event and date triggers alike); the first reason wins and every trigger of that
event is recorded as ``suspended`` with it. Integrators may add checks to a dispatcher's
``suspend_checks``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from engine.domain import models as m
from engine.domain.operations.follow_ups import suspending
from engine.domain.unit import Unit
from engine.runtime import batch
from engine.runtime.subjects import Subject

SuspendCheck = Callable[[Unit, Subject], "str | None"]
_IN_CHUNK = 500


@dataclass(slots=True)
class Suspending:
    """A batch's open suspending follow-ups on its accounts and their cases, oldest first."""

    accounts: frozenset[str]  # the batch's accounts (their case links are known too)
    cases: frozenset[str]  # every case those accounts belong to
    found: list[m.FollowUp]

    def answer(
        self, links: dict[str, set[str]], accounts: Sequence[str], cases: Sequence[str]
    ) -> tuple[bool, m.FollowUp | None]:
        """(known, the oldest suspending follow-up); known is False when the query must answer."""
        if not set(accounts) <= self.accounts or not set(cases) <= self.cases:
            return False, None
        covered = set(cases).union(*(links[a] for a in accounts))
        for follow_up in self.found:
            if follow_up.account_id in accounts or follow_up.case_id in covered:
                return True, follow_up
        return True, None


def _batch_answer(
    unit: Unit, accounts: Sequence[str], cases: Sequence[str]
) -> tuple[bool, m.FollowUp | None]:
    """The batch's cached answer, read once per batch; (False, None) when it cannot tell."""
    cache = batch.current(unit.session)
    if cache is None or m.FollowUp in cache.touched or m.CaseAccount in cache.touched:
        return False, None
    if cache.suspending is None:
        cache.suspending = _read(unit, frozenset(cache.links), cache.links)
    known: Suspending = cache.suspending
    return known.answer(cache.links, accounts, cases)


def _read(unit: Unit, accounts: frozenset[str], links: dict[str, set[str]]) -> Suspending:
    cases = frozenset(case for linked in links.values() for case in linked)
    found: dict[str, m.FollowUp] = {}
    for column, ids in ((m.FollowUp.account_id, accounts), (m.FollowUp.case_id, cases)):
        ordered = sorted(ids)
        for start in range(0, len(ordered), _IN_CHUNK):
            query = select(m.FollowUp).where(
                m.FollowUp.status == "open",
                m.FollowUp.suspends_automation.is_(True),
                column.in_(ordered[start : start + _IN_CHUNK]),
            )
            found.update((f.id, f) for f in unit.session.scalars(query))
    oldest_first = sorted(found.values(), key=lambda f: (f.created_at, f.id))
    return Suspending(accounts, cases, oldest_first)


def follow_up_suspension(unit: Unit, subject: Subject) -> str | None:
    """An open follow-up with ``suspends_automation`` takes its account or case out of the
    standard automation; follow-up events themselves (insert, due, resolved) still run."""
    if subject.kind == "follow_up":
        return None
    accounts = [account.id for account in subject.accounts]
    cases = [subject.case.id] if subject.case is not None else []
    known, found = _batch_answer(unit, accounts, cases)
    if not known:
        found = suspending(unit.session, accounts, cases)
    if found is None:
        return None
    on = f"case {found.case_id}" if found.case_id else f"account {found.account_id}"
    return (
        f"follow-up '{found.id}' ({found.kind.replace('_', ' ')}) on {on} suspends automation "
        f"until it is resolved"
    )


DEFAULT_SUSPEND_CHECKS: tuple[SuspendCheck, ...] = (follow_up_suspension,)
