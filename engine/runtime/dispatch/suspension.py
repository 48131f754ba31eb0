"""Suspend checks: reasons a subject's automation is skipped, recorded in the trace.

The dispatcher asks each check in ``DEFAULT_SUSPEND_CHECKS`` before running any trigger for
an event (event and date triggers alike); the first reason wins and every trigger of that
event is recorded as ``suspended`` with it. Integrators may add checks to a dispatcher's
``suspend_checks``.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.domain import Unit
from engine.runtime.context.subjects import Subject

SuspendCheck = Callable[[Unit, Subject], "str | None"]


def follow_up_suspension(unit: Unit, subject: Subject) -> str | None:
    """An open follow-up with ``suspends_automation`` takes its account or case out of the
    standard automation; follow-up events themselves (insert, due, resolved) still run."""
    if subject.kind == "follow_up":
        return None
    accounts = [account.id for account in subject.accounts]
    cases = [subject.case.id] if subject.case is not None else []
    found = unit.scope.suspending(unit.session, accounts, cases)
    if found is None:
        return None
    on = f"case {found.case_id}" if found.case_id else f"account {found.account_id}"
    return (
        f"follow-up '{found.id}' ({found.kind.replace('_', ' ')}) on {on} suspends automation "
        f"until it is resolved"
    )


DEFAULT_SUSPEND_CHECKS: tuple[SuspendCheck, ...] = (follow_up_suspension,)
