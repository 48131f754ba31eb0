"""Evaluate compiled conditions and record why: the value, the failing part, what it saw."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.config.model import AllOf, AnyOf, Condition, Expression, NotOf
from engine.runtime.errors import ExpressionFailed

_PLAIN = frozenset((int, bool, float, Decimal, date, datetime))
_NUMBERS = frozenset((int, bool, float, Decimal))


def show(value: Any) -> str:
    """A value as a trace shows it (Decimals plain, dates ISO, None as none)."""
    if value is None:
        return "none"
    kind = type(value)
    if kind is str:
        return repr(value)
    if kind in _PLAIN:  # the common values first, without the attribute probe below
        return str(value.isoformat()) if kind in (date, datetime) else str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, str):
        return repr(value)
    return str(value)


def evaluate_expression(expr: Expression, context: Mapping[str, Any]) -> Any:
    try:
        return expr.evaluate(context)
    except Exception as exc:  # Jinja's errors come in many types; all are the rule's fault.
        raise ExpressionFailed(f"{expr.mark}: expression '{expr.source}' failed: {exc}") from exc


def _seen(expr: Expression, context: Mapping[str, Any]) -> dict[str, str]:
    seen = {}
    for probe in expr.probes:
        source = probe.source
        try:
            value = probe.read(context)
            kind = type(value)  # strings and numbers inline: what ``show`` does, sooner
            if kind is str:
                seen[source] = repr(value)
            elif kind in _NUMBERS:
                seen[source] = str(value)
            else:
                seen[source] = show(value)
        except Exception as exc:  # a probe failing must not hide the condition's own result
            seen[source] = f"<error: {exc}>"
    return seen


def explain(condition: Condition, context: Mapping[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Evaluate; return the truth and a detail dict for the trace (failing part for false)."""
    if isinstance(condition, Expression):
        try:
            value = condition.evaluate(context)
        except Exception as exc:  # as evaluate_expression: the rule's fault, named
            raise ExpressionFailed(
                f"{condition.mark}: expression '{condition.source}' failed: {exc}"
            ) from exc
        detail: dict[str, Any] = {
            "expr": condition.source,
            "value": bool(value),
            "at": condition.at,
        }
        if not value:
            detail["seen"] = _seen(condition, context)
        return bool(value), detail
    if isinstance(condition, NotOf):
        inner, inner_detail = explain(condition.item, context)
        return (not inner), {"not": inner_detail, "value": not inner}
    items: list[dict[str, Any]] = []
    if isinstance(condition, AllOf):
        for item in condition.items:
            ok, item_detail = explain(item, context)
            items.append(item_detail)
            if not ok:
                return False, {"all": items, "value": False, "failing": item_detail}
        return True, {"all": items, "value": True}
    assert isinstance(condition, AnyOf)
    for item in condition.items:
        ok, item_detail = explain(item, context)
        items.append(item_detail)
        if ok:
            return True, {"any": items, "value": True}
    return False, {"any": items, "value": False}


def failing_summary(detail: Mapping[str, Any]) -> str:
    """One line for humans: the failing expression and the values it saw."""
    if "failing" in detail:
        return failing_summary(detail["failing"])
    if "not" in detail:
        return f"not ({failing_summary(detail['not'])})"
    if "any" in detail:
        return " and ".join(failing_summary(d) for d in detail["any"])
    seen = detail.get("seen") or {}
    values = ", ".join(f"{k} = {v}" for k, v in seen.items())
    return f"{detail.get('expr')}" + (f" (saw {values})" if values else "")


def holding_summary(detail: Mapping[str, Any]) -> str:
    """One line for humans: the part of a true condition that made it true (an ``unless``)."""
    if "expr" in detail:
        return str(detail["expr"])
    if "not" in detail:
        return f"not ({failing_summary(detail['not'])})"
    if "any" in detail:
        held = [d for d in detail["any"] if d.get("value")]
        return holding_summary(held[0]) if held else "any"
    return " and ".join(holding_summary(d) for d in detail.get("all") or [])
