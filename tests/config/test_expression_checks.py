"""The quick (Python-parser) reading of expressions agrees with Jinja's wherever it is used."""

from __future__ import annotations

import random

import pytest
from jinja2.parser import Parser

from bench.bench_config_load import condition
from engine.config import load_ruleset
from engine.config.compile_steps import expressions_in
from engine.config.expression_checks import Vocabulary, jinja_analysis, quick_analysis
from engine.config.expressions import ExpressionCompiler, RuleEnvironment
from engine.config.model import UNKNOWN, AllOf, AnyOf, Condition, Expression, NotOf
from tests.config.helpers import REPO

ENV = RuleEnvironment()
WORDS = Vocabulary(frozenset(ENV.globals), frozenset(ENV.filters), frozenset(ENV.tests))

SHARED = [
    "account.balance >= 500",
    "account.balance >= 500 and case.status != 'DISMISSED'",
    "not case.court_date or account.balance < 10.5",
    "case.accounts[0].balance > 0 and account.fields['court'] == \"Travis\"",
    "today.isoformat() > '2026-01-01' and now.year >= 2026",
    "account.balance * 0.1 + 1_000 > -5 ** 2 // 3 % 4",
    "0 < account.age_days <= 90",
    "account.status in ['LEGAL', 'AJ'] and account.worklist not in ['X']",
    "(account.balance if account.is_judgment else 0) > true",
    "vars.get('total', 0) > none",
    "acount.balance > 0 and case.stauts == 'X' and party.emial",
    "account['balanse'] > 0",
    "range(3) and dict(a=1)",
    "(account.balance\n  > 0)",
    "account.status == 'it is' and case.court == 'Room 1: 10.30'",
    "account.id == 'a' \"b\"",
    "party1.name == 1.5e3",
]
JINJA_ONLY = [
    "1. + account.balance",
    ".5 < account.balance",
    "r'a' == account.status",
    "account.balance is defined",
    "account.id, case.id",
    "account.balance | money",
    "account.balance # a comment",
    "f'{account.id}'",
    "lambda: 1",
    "case.accounts[1:2]",
    "{'a': 1}",
    "b'x' == account.id",
    "account.id ~ case.id",
    "account.balance if case.id",
    "'''a''' == account.id",
    "case.accounts.0",
    "'ünïcode' == account.id",
    "account.balance @ 2",
    "account.balance << 1",
    "account.balance > 1j",
    "account.balance > ...",
    "account.balance and\ncase.id",
    "(x := 1)",
    "account.balance > 0 for x in y",
    "[x for x in case.accounts]",
    "account.balance > 0; case.id",
    "call(*args)",
    "account.balance\n  > 0",
    "u'a' == account.id",
    "account.id == ('a'\n 'b')",
]


def _jinja(source: str) -> tuple[set[tuple[int, str]], list[str]]:
    node = Parser(ENV, source, state="variable").parse_expression()
    analysis = jinja_analysis(node, WORDS, template=False)
    return set(analysis.issues), [p[0] for p in analysis.probes]


def _sample_sources() -> list[str]:
    ruleset = load_ruleset(REPO)
    found: list[str] = []

    def conditions(condition: Condition | None) -> None:
        if isinstance(condition, Expression):
            found.append(condition.source)
        elif isinstance(condition, NotOf):
            conditions(condition.item)
        elif isinstance(condition, AllOf | AnyOf):
            for item in condition.items:
                conditions(item)

    for trigger in ruleset.triggers:
        conditions(trigger.condition)
        conditions(trigger.unless)
    for _path, step in ruleset.walk_steps():
        found.extend(expr.source for expr in expressions_in(step))
    return found


def _generated() -> list[str]:
    rng = random.Random(3)
    return [condition(rng) for _ in range(200)]


@pytest.mark.parametrize("source", SHARED + _sample_sources() + _generated())
def test_the_quick_reading_agrees_with_jinja(source: str) -> None:
    quick = quick_analysis(source, WORDS)
    issues, probes = _jinja(source)  # Jinja must accept whatever the quick path accepts
    if quick is not None:
        assert set(quick.issues) == issues
        # Same probes; the quick reading lists them in source order (Jinja puts an
        # inline if's condition first).
        assert sorted(p[0] for p in quick.probes) == sorted(probes)


@pytest.mark.parametrize("source", SHARED)
def test_the_shared_examples_take_the_quick_path(source: str) -> None:
    assert quick_analysis(source, WORDS) is not None


@pytest.mark.parametrize("source", JINJA_ONLY)
def test_text_outside_the_shared_subset_goes_to_jinja(source: str) -> None:
    assert quick_analysis(source, WORDS) is None


@pytest.mark.parametrize(
    "source", ["1. + account.balance", ".5 < account.balance", "r'a' == account.id"]
)
def test_python_would_accept_what_jinja_rejects(source: str) -> None:
    compiler = ExpressionCompiler(RuleEnvironment())
    assert compiler.expression(source, UNKNOWN, "t") is None
    assert "syntax error" in compiler.findings[0].message
