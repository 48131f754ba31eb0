"""Translated conditions give what Jinja gives: the same values and the same errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import BuiltinMethodType, MethodType
from types import SimpleNamespace as Obj
from typing import Any

import pytest
from jinja2 import Undefined

from engine.config.calendar import BusinessCalendar
from engine.config.expressions import ExpressionCompiler, RuleEnvironment
from engine.config.model import Expression, Mark
from engine.runtime.context.conditions import explain
from engine.runtime.fastexpr import evaluator, probe_evaluator, translate

MARK = Mark("rules/t.yaml", 4, 9)


class AccountLike:
    """Attributes through properties and ``__getattr__``, as the runtime's views do."""

    status = "LEGAL"

    @property
    def balance(self) -> Decimal:
        return Decimal("1200.00")

    def __getattr__(self, name: str) -> Any:
        if name == "flags":
            return ["DISPUTED"]
        raise AttributeError(name)


CONTEXT: dict[str, Any] = {
    "account": AccountLike(),
    "case": Obj(status="OPEN", court_date=date(2026, 5, 22), serve_response_days=20),
    "client": {"code": "ACME", "settlement": {"write_off_remainder": True}},
    "event": {"name": "onAfterPaymentPost", "data": {"amount": 120, "items": "x", "n": None}},
    "vars": {"half": Decimal("600.00"), "items": [1, 2]},
    "today": date(2026, 5, 22),
    "judgment": None,
}

SOURCES = [
    "account.balance >= 500",
    "account.balance > 1199.995 and account.status == 'LEGAL'",
    "account.status in ['PIF', 'SIF', 'LEGAL']",
    "account.status not in ('PIF', 'SIF')",
    "'DISPUTED' in account.flags",
    "0 < event.data.amount < 121",
    "not (event.data.amount > 100) or client.code != 'ACME'",
    "event.data.amount > 100 and client.settlement.write_off_remainder",
    "event.data['amount'] == 120 and event.data['n'] is none",
    "event.data.n or 'fallback'",
    "event.data.amount and vars.half",
    "account.balance * 0.5 == vars.half",
    "account.balance - vars.half + 1.25",
    "-event.data.amount + 2 ** 3 // 3 % 5",
    "vars.half / 3",
    "'yes' if account.balance > 1000 else 'no'",
    "[event.data.amount, {'k': client.code}, (1,)]",
    "case.court_date == today",
    "case.serve_response_days >= 20",
    "judgment",
    "event.data.items",  # a dict method name: the sandbox returns the method, not the key
    "vars.items",
    "vars['items'][1]",
    "event.data.missing > 3",  # StrictUndefined: both raise the same error
    "account.balance > 'x'",  # TypeError from the comparison itself
    "settlement.status == 'OPEN'",  # a name missing from the context
    "vars.__class__",  # the sandbox refuses: an undefined carrying the security error
    "vars.__class__ == 1",
    "account.balance | money > 1000",  # a filter: left to Jinja
    "today.isoformat() == '2026-05-22'",  # a call: left to Jinja
]


@pytest.fixture
def compiler() -> ExpressionCompiler:
    return ExpressionCompiler(RuleEnvironment(BusinessCalendar("US")))


def _expr(compiler: ExpressionCompiler, source: str) -> Expression:
    compiled = compiler.expression(source, MARK, "trigger 't'")
    assert compiled is not None, [str(f) for f in compiler.findings]
    return compiled


def _outcome(fn: Any, context: dict[str, Any]) -> tuple[str, Any]:
    try:
        value = fn(context)
    except Exception as exc:
        return "error", (type(exc), str(exc))
    if isinstance(value, Undefined):
        return "undefined", (type(value), value._undefined_message)
    if isinstance(value, MethodType | BuiltinMethodType):  # compare object and method name
        return "method", (id(value.__self__), value.__name__)
    return "value", (type(value), value)


@pytest.mark.parametrize("source", SOURCES)
def test_translated_expression_matches_jinja(compiler: ExpressionCompiler, source: str) -> None:
    compiled = _expr(compiler, source)
    assert _outcome(evaluator(compiled), CONTEXT) == _outcome(compiled.fn, CONTEXT)


def test_common_shapes_are_translated_and_the_rest_left_to_jinja(
    compiler: ExpressionCompiler,
) -> None:
    assert translate("account.balance >= 500 and event.data.channel == 'web'") is not None
    assert translate("account.status in ['PIF', 'SIF']") is not None
    money = _expr(compiler, "account.balance | money > 1000")
    assert evaluator(money) is money.fn
    call = _expr(compiler, "today.isoformat() == '2026-05-22'")
    assert evaluator(call) is call.fn


def test_probes_read_what_jinja_probes_read(compiler: ExpressionCompiler) -> None:
    compiled = _expr(
        compiler, "event.data['amount'] > 500 and account.balance < 3 or case.court_date"
    )
    assert compiled.probes
    context = {**CONTEXT, "case": None}
    for probe in compiled.probes:
        assert _outcome(probe_evaluator(probe), context) == _outcome(probe.fn, context)
    missing = {k: v for k, v in CONTEXT.items() if k != "account"}
    for probe in compiled.probes:
        assert _outcome(probe_evaluator(probe), missing) == _outcome(probe.fn, missing)


def test_explain_traces_a_false_condition_with_the_values_seen(
    compiler: ExpressionCompiler,
) -> None:
    compiled = _expr(compiler, "account.balance >= 5000 and event.data.amount > 1")
    value, detail = explain(compiled, CONTEXT)
    assert value is False
    assert detail == {
        "expr": "account.balance >= 5000 and event.data.amount > 1",
        "value": False,
        "at": "rules/t.yaml:4:9",
        "seen": {"account.balance": "1200.00", "event.data.amount": "120"},
    }
