"""Follow-up actions: open a workspace on the run's subject, or resolve the subject's ones."""

from __future__ import annotations

from typing import Any

from engine.domain.operations import follow_ups as ops
from engine.runtime.actions.accounts import due_date
from engine.runtime.actions.registry import StepContext
from engine.runtime.errors import StepFailed


def _target(ctx: StepContext) -> dict[str, str]:
    """Where a path opens a follow-up: a case subject's case, else the subject's account."""
    subject = ctx.subject
    if subject.follow_up is not None:  # a follow-up's path opens the next one beside it
        if subject.follow_up.case_id:
            return {"case": subject.follow_up.case_id}
        if subject.follow_up.account_id:
            return {"account": subject.follow_up.account_id}
    if subject.kind == "case" and subject.case is not None:
        return {"case": subject.case.id}
    if subject.account is not None:
        return {"account": subject.account.id}
    raise StepFailed(f"open_follow_up: the {subject.kind} '{subject.id}' has no account or case")


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0", ""):
        return False
    raise StepFailed(f"'{name}' must be true or false, got '{value}'")


def open_follow_up(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    """``open_follow_up: {kind, title, owner, due, stakeholders, items, suspend}``."""
    row = ops.open_follow_up(
        ctx.unit,
        str(params.get("kind") or ""),
        **_target(ctx),
        follow_up=params.get("id"),
        owner=params.get("owner"),
        stakeholders=params.get("stakeholders"),
        due_date=due_date(ctx, params.get("due")),
        items=params.get("items"),
        suspend_automation=_flag(params.get("suspend"), "suspend"),
        title=params.get("title"),
    )
    return {
        "follow_up": row.id,
        "kind": row.kind,
        "owner": row.owner,
        "due": row.due_date,
        "suspends_automation": row.suspends_automation,
    }


def resolve_follow_up(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    """``resolve_follow_up: {outcome, kind?, follow_up?}``: the subject's open follow-ups.

    On a follow-up's own event it resolves that follow-up; elsewhere every open follow-up on
    the subject's accounts and case (of ``kind``, when given).
    """
    outcome = params.get("outcome")
    subject = ctx.subject
    wanted, kind = params.get("follow_up"), params.get("kind")
    if wanted is not None:
        ids = [str(wanted)]
    elif subject.follow_up is not None and kind is None:
        ids = [subject.follow_up.id]
    else:
        cases = [subject.case.id] if subject.case is not None else []
        accounts = [account.id for account in subject.accounts]
        ids = [row.id for row in ops.open_on(ctx.unit.session, accounts, cases, kind)]
    for ident in ids:
        ops.resolve_follow_up(ctx.unit, ident, str(outcome or ""))
    return {"resolved": ids, "outcome": outcome}
