"""Every render and evaluation runs on a budget of time and size (``agency.limits``)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from engine.config import load_ruleset, validate_root
from engine.config.errors import BudgetExceeded
from engine.config.expressions import ExpressionCompiler, RuleEnvironment
from engine.config.model import Expression, Limits, Mark
from tests.config.helpers import write_root

FAST = Limits(render_ms=300, output_bytes=1_000_000)
BOMBS = [
    ("{{ 'a' * 10**9 }}", "a repeated value"),
    ("{{ '{:>2000000000}'.format(1) }}", "a format width"),
    ("{{ '{:>{w}}'.format(1, w=2000000000) }}", "a format width"),
    ("{{ '%2000000000d' % 1 }}", "a format width"),
    ("{{ '%s'|format('x') ~ ('x' * 10**7) }}", "a repeated value"),
    ("{{ 'a'|center(2000000000) }}", "|center"),
    ("{{ 'x'.ljust(10**9) }}", "str.ljust()"),
    ("{{ lipsum(n=100000) }}", "lipsum()"),
    ("{{ range(10**9)|list }}", "range() of 1000000000 numbers"),
    ("{{ 10 ** (10 ** 10) }}", "a power"),
    (
        "{% set ns = namespace(s=['a']) %}{% for i in range(60) %}"
        "{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "a value would be over",
    ),
    (
        "{% set ns = namespace(s='ab') %}{% for i in range(60) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "a value would be over",
    ),
    ("{% for i in range(100000) %}{{ 'abcdefghijklmn' }}{% endfor %}", "the rendered text"),
    (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "took longer than 300 ms",
    ),
    (
        "{% set l = range(100000)|list %}{% for a in l %}{% for b in l %}{% endfor %}{% endfor %}",
        "took longer than 300 ms",
    ),
    (
        "{% macro f(n) %}{{ f(n + 1) }}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}",
        "",  # too deep, or the clock: either ends it with a budget error
    ),
    (
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}",
        "calls itself too deeply",
    ),
]


@pytest.mark.parametrize(("source", "message"), BOMBS)
def test_a_bomb_in_a_template_fails_fast_with_a_clear_error(source: str, message: str) -> None:
    env = RuleEnvironment(limits=FAST)
    started = time.monotonic()
    with pytest.raises(BudgetExceeded) as raised:
        env.from_string(source).render()
    assert time.monotonic() - started < 3
    assert message in str(raised.value)


def _expression(source: str, limits: Limits = FAST) -> Expression:
    compiler = ExpressionCompiler(RuleEnvironment(limits=limits))
    found = compiler.expression(source, Mark("rules/t.yaml", 4, 9), "trigger 't'")
    assert found is not None, compiler.findings
    return found


@pytest.mark.parametrize(
    ("source", "data"),
    [
        ("event.data.text * event.data.n", {"text": "a", "n": 10**9}),
        ("event.data.codes * event.data.n", {"codes": [1, 2], "n": 10**8}),
        ("event.data.n ** event.data.n", {"n": 10**7}),
        ("(event.data.text * event.data.n) != ''", {"text": "ab", "n": 10**9}),
    ],
)
def test_the_translated_fast_path_checks_repetition_and_powers(
    source: str, data: dict[str, Any]
) -> None:
    expression = _expression(source)
    assert expression.evaluate is not expression.fn  # the translated function ran
    with pytest.raises(BudgetExceeded, match=r"agency\.limits\.output_bytes"):
        expression.evaluate({"event": {"data": data}})
    with pytest.raises(BudgetExceeded):
        expression.fn({"event": {"data": data}})  # and Jinja's own callable alike


def test_small_arithmetic_is_unchanged() -> None:
    expression = _expression("event.data.text * 3 ~ (2 ** 10) | string")
    assert expression.evaluate({"event": {"data": {"text": "ab"}}}) == "ababab1024"


@pytest.mark.parametrize(
    ("source", "where"),
    [
        ("'a' * 10**9", "rules/t.yaml:4:9"),
        ("[0] * 10**8 == []", "rules/t.yaml:4:9"),
        ("10 ** (10 ** 10) > 0", "rules/t.yaml:4:9"),
    ],
)
def test_validation_refuses_a_constant_bomb_in_an_expression(source: str, where: str) -> None:
    compiler = ExpressionCompiler(RuleEnvironment(limits=FAST))
    assert compiler.expression(source, Mark("rules/t.yaml", 4, 9), "trigger 't'") is None
    assert [str(f.mark) for f in compiler.findings] == [where]
    assert "agency.limits.output_bytes" in compiler.findings[0].message


def test_validation_refuses_a_constant_bomb_in_a_template_file_at_its_line(
    tmp_path: Any,
) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/templates/bomb.j2": "Hello\n\n{{ 'a' * 10**9 }}\n",
            "rules/agency.yaml": "agency: {name: A, timezone: UTC, limits: {render_ms: 500}}\n",
        },
    )
    result = validate_root(root)
    shown = [str(f) for f in result.findings if f.severity == "error"]
    assert shown == [
        "rules/templates/bomb.j2:3:1: error: template 'bomb': a repeated value would be over"
        " 1000000 characters (agency.limits.output_bytes)"
    ]


def test_agency_limits_are_read_and_default_safely(tmp_path: Any) -> None:
    default = load_ruleset(write_root(tmp_path / "a", {}))
    assert default.agency.limits == Limits(render_ms=2000, output_bytes=1_000_000)
    given = load_ruleset(
        write_root(
            tmp_path / "b",
            {
                "rules/agency.yaml": "agency:\n  name: A\n  timezone: UTC\n"
                "  limits: {render_ms: 250, output_bytes: 5000}\n"
            },
        )
    )
    assert given.agency.limits == Limits(render_ms=250, output_bytes=5000)
    with pytest.raises(BudgetExceeded, match="over 5000 characters"):
        given_env = RuleEnvironment(limits=given.agency.limits)
        given_env.from_string("{{ 'a' * 6000 }}").render()


def test_an_unknown_limit_is_a_schema_error(tmp_path: Any) -> None:
    root = write_root(
        tmp_path,
        {"rules/agency.yaml": "agency:\n  name: A\n  timezone: UTC\n  limits: {cpu_ms: 5}\n"},
    )
    errors = [f for f in validate_root(root).findings if f.severity == "error"]
    assert errors and errors[0].mark.file == "rules/agency.yaml"
