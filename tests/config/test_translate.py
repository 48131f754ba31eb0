"""Expressions translated at compile time give what Jinja gives: the same values and errors."""

from __future__ import annotations

import ast
import random
from datetime import date
from decimal import Decimal
from types import BuiltinMethodType, MethodType
from types import SimpleNamespace as Obj
from typing import Any

import pytest
from jinja2 import Undefined
from jinja2.sandbox import SandboxedEnvironment

from bench.bench_config_load import condition
from engine.config.calendar import BusinessCalendar
from engine.config.expression_checks import quick_analysis
from engine.config.expressions import ExpressionCompiler, RuleEnvironment
from engine.config.model import Expression, Mark
from engine.config.translate import Translator
from engine.runtime import explain
from tests.config.test_expression_checks import SHARED, WORDS

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
# Shapes whose value depends on how the generated code groups them (it writes only the
# parentheses Python needs).
GROUPINGS = [
    "(event.data.amount > 100) == (client.code == 'ACME')",
    "(event.data.amount > 100) == (1 < 2 < 3) == true",
    "not event.data.amount > 100 == false",
    "(not judgment) == false",
    "not (judgment or event.data.amount)",
    "(event.data.amount or judgment) and judgment",
    "(judgment or 0) + (event.data.amount or 1) * 2",
    "event.data.amount - (vars.half - 1) - 1",
    "event.data.amount - -(vars.half * 2)",
    "('a' if event.data.amount else 'b') if judgment else 'c'",
    "'a' if judgment else 'b' if event.data.amount else 'c'",
    "[1 if judgment else 2, not judgment, -event.data.amount]",
    "(2 ** 3) ** 2 == 2 ** 3 ** 2",
    "-2 ** 2 + (-2) ** 2",
    "10 - 4 - 3 == 10 - (4 - 3)",
    "2 * (3 + 4) % 5 // 2",
    "(judgment, event.data.amount > 1, {'k': not judgment})",
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


@pytest.mark.parametrize("source", SOURCES + GROUPINGS)
def test_translated_expression_matches_jinja(compiler: ExpressionCompiler, source: str) -> None:
    compiled = _expr(compiler, source)
    assert _outcome(compiled.evaluate, CONTEXT) == _outcome(compiled.fn, CONTEXT)


def test_common_shapes_are_translated_and_the_rest_left_to_jinja(
    compiler: ExpressionCompiler,
) -> None:
    translator = Translator(compiler.env)
    assert (
        translator.translate("account.balance >= 500 and event.data.channel == 'web'") is not None
    )
    assert translator.translate("account.status in ['PIF', 'SIF']") is not None
    money = _expr(compiler, "account.balance | money > 1000")
    assert money.evaluate is money.fn
    call = _expr(compiler, "today.isoformat() == '2026-05-22'")
    assert call.evaluate is call.fn


def test_probes_read_what_jinja_probes_read(compiler: ExpressionCompiler) -> None:
    compiled = _expr(
        compiler, "event.data['amount'] > 500 and account.balance < 3 or case.court_date"
    )
    assert compiled.probes
    context = {**CONTEXT, "case": None}
    for probe in compiled.probes:
        assert _outcome(probe.read, context) == _outcome(probe.fn, context)
    missing = {k: v for k, v in CONTEXT.items() if k != "account"}
    for probe in compiled.probes:
        assert _outcome(probe.read, missing) == _outcome(probe.fn, missing)


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


def test_identical_sources_share_one_translation(compiler: ExpressionCompiler) -> None:
    first = _expr(compiler, "account.balance >= 500 and event.data.amount > 1")
    second = compiler.expression(first.source, Mark("rules/x.yaml", 9, 3), "trigger 'x'")
    assert second is not None and second.evaluate is first.evaluate
    assert first.evaluate is not first.fn
    assert [p.read for p in second.probes] == [p.read for p in first.probes]


def test_translation_is_made_when_the_configuration_compiles(compiler: ExpressionCompiler) -> None:
    compiled = _expr(compiler, "account.balance >= 500")
    assert compiled.evaluate.__code__.co_filename == "<expression 'account.balance >= 500'>"
    assert compiled.at == "rules/t.yaml:4:9"


@pytest.mark.parametrize(
    "source",
    [*SOURCES, *GROUPINGS, *SHARED, *(condition(random.Random(seed)) for seed in range(40))],
)
def test_python_and_jinja_readings_translate_to_the_same_code(source: str) -> None:
    translator = Translator(RuleEnvironment())
    quick = quick_analysis(source, WORDS)
    if quick is None or quick.tree is None:
        return  # Jinja alone reads it
    from_python = translator.python(source, quick.tree)
    left_to_jinja = any(
        isinstance(node, ast.Call) or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow))
        for node in ast.walk(quick.tree)
    )
    assert (from_python is None) is left_to_jinja
    if from_python is not None:
        from_jinja = translator.translate(source)
        assert from_jinja is not None and from_python[1] == from_jinja[1]


def test_power_is_left_to_jinja_which_groups_it_from_the_left(
    compiler: ExpressionCompiler,
) -> None:
    assert _expr(compiler, "-2 ** 2")(CONTEXT) == 4
    assert _expr(compiler, "2 ** 3 ** 2")(CONTEXT) == 64
    assert _expr(compiler, "2 ** 3 ** 2").fn(CONTEXT) == 64


def test_a_probe_reads_as_the_translation_of_its_text(compiler: ExpressionCompiler) -> None:
    translator = Translator(compiler.env)
    compiled = _expr(compiler, "event.data['amount'] > 500 and vars.items and account.balance")
    analysis = quick_analysis(compiled.source, WORDS)
    assert analysis is not None
    for text, root, parts in analysis.probes:
        from_text = translator.translate(text, use_globals=False)
        assert from_text is not None and translator.probe(text, root, parts)[1] == from_text[1]


@pytest.mark.parametrize(
    "source",
    ["10 - 4 - 3", "10 - (4 - 3)", "2 * (3 + 4) % 5 // 2", "(2 ** 3) ** 2", "2 ** 3 ** 2",
     "-2 ** 2", "(-2) ** 2", "-(2 * 3) - -1", "2 ** -1", "(1 + 2) * -(3 - 4) ** 2"],
)  # fmt: skip
def test_arithmetic_in_a_sandbox_without_intercepted_operators_keeps_its_grouping(
    source: str,
) -> None:
    sandbox = SandboxedEnvironment()
    translated = Translator(sandbox).translate(source)
    assert translated is not None and "_binop" not in translated[1]
    assert translated[0]({}) == sandbox.compile_expression(source)()
