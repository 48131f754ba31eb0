"""Judgments: the request to render one, rendering it, judgment interest, the judgment view,
and the judgment button."""

from __future__ import annotations

from engine.domain.operations.judgments.accrual import accrual_start, interest_due, interest_rules
from engine.domain.operations.judgments.rendering import DEFAULT_RESULT, render_judgment
from engine.domain.operations.judgments.request import JudgmentRequest
from engine.domain.operations.judgments.views import describe

__all__ = [
    "DEFAULT_RESULT",
    "JudgmentRequest",
    "accrual_start",
    "describe",
    "interest_due",
    "interest_rules",
    "render_judgment",
]
