"""The judgment button by public name: render the judgment, optionally move the later payments
on the originals to it, and answer plain values (ids, ISO dates, amounts as text).

The operations table gives it its parameters from ``JudgmentRequest`` (``requests.taking``).
"""

from __future__ import annotations

from typing import Any

from engine.domain.operations.judgments.rendering import render_judgment as render
from engine.domain.operations.judgments.request import JudgmentRequest
from engine.domain.operations.judgments.views import describe
from engine.domain.operations.payments.posting import move_payments_after
from engine.domain.unit import Unit


def render_judgment(unit: Unit, request: JudgmentRequest) -> dict[str, Any]:
    rendered = render(unit, request)
    moved = move_payments_after(unit, rendered) if request.move_payments_after else []
    detail = describe(unit.session, unit.ruleset, rendered.id, unit.today)
    return {
        "case": request.case,
        "judgment": rendered.id,
        "judgment_account": rendered.account_id,
        "amount": str(rendered.amount),
        "judgment_date": rendered.judgment_date.isoformat(),
        "spread": {k: str(v) for k, v in detail["spread"].items()},
        "moved_payments": [tx.id for tx in moved],
    }
