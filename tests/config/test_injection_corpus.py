"""Template injection and bombs: none executes, none hangs, none takes much memory.

Each payload goes three ways: as event data and as a party's name (printed by the sample
agency's HTML letter and its plain-text follow-up notice: the text comes out as given,
escaped in HTML), and as the source of a template and an expression in a configuration
(refused by validation, refused by the sandbox or the budget, or harmless output).
"""

from __future__ import annotations

import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jinja2.exceptions import SecurityError, TemplateError
from markupsafe import escape

from engine.config import load_ruleset
from engine.config.errors import BudgetExceeded
from engine.config.expressions import ExpressionCompiler, RuleEnvironment
from engine.config.model import Limits, Mark, RuleSet
from tests.config.helpers import REPO

SENTINEL = "/tmp/docket-injection-corpus-sentinel"
ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__ }}",
    "{{ config }}",
    "{{ self.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('touch SENTINEL').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'].popen('touch SENTINEL') }}",
    "{{ lipsum|attr('__globals__') }}",
    "{{ range.__globals__ }}",
    "{{ request.application.__globals__ }}",
    "{{ ''|attr('__class__') }}",
    "{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "{{ event.__class__.__base__.__subclasses__() }}",
    "{{ event.data.__init__ }}",
    "{{ account.balance.__class__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ '%s'|format(''.__class__) }}",
    "{{ '{0.__class__}'.format('') }}",
    "{{ '{0.__globals__}'.format(lipsum) }}",
    "{{ '{0.__init__.__globals__[os]}'.format(cycler) }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}{{ os.system('touch SENTINEL') }}",
    "{% extends '../../../../etc/passwd' %}",
    "{{ self._TemplateReference__context }}",
    "{{ ''.join.__self__.__class__ }}",
    "{% set x = ''.__class__ %}{{ x }}",
    "{{ dict.__base__.__subclasses__() }}",
    "{{ (1).__class__.__base__ }}",
    "{{ range(3)|map('attr', '__class__')|list }}",
    "{% macro m() %}{{ m.__globals__ }}{% endmacro %}{{ m() }}",
    "{{ cycler.next.__func__.__globals__ }}",
    "{{ namespace(a=1).__dict__ }}",
    "{{ open('/etc/passwd').read() }}",
    "{{ __import__('os').system('touch SENTINEL') }}",
    "{{ event.data.items.__self__.__class__ }}",
    "{{ 'x'.__add__.__self__ }}",
    "{{ [].append.__self__.__class__.__mro__ }}",
    "{{ {}.update({'a': 1}) }}",
    "{{ event.data.pop('n') }}",
]
BOMBS = [
    "{{ 'a' * 10**9 }}",
    "{{ [1] * 10**9 }}",
    "{{ [[1] * 1000] * 10**6 }}",
    "{{ 10 ** (10 ** 10) }}",
    "{{ '{:>2000000000}'.format(1) }}",
    "{{ '%2000000000d' % 1 }}",
    "{{ '%s'|format('x') ~ 'a' * 10**7 }}",
    "{{ 'a'|center(2000000000) }}",
    "{{ 'a'|indent(2000000000) }}",
    "{{ 'a'.zfill(10**9) }}",
    "{{ 'a\\tb'.expandtabs(10**9) }}",
    "{{ 'ab'|replace('', 'x' * 900000) }}",
    "{{ 'a' * 10**6 ~ 'a' * 10**6 }}",
    "{{ lipsum(n=100000) }}",
    "{{ range(10**9)|list }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}",
    "{% set l = range(100000)|list %}{% for a in l %}{% for b in l %}{% endfor %}{% endfor %}",
    "{% set ns = namespace(s=['a']) %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}"
    "{% endfor %}",
    "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
    "{% endfor %}",
    "{% macro f(n) %}{{ f(n + 1) }}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}",
    "{% macro f(n) %}{% for i in range(1000) %}{{ f(n) }}{% endfor %}{% endmacro %}{{ f(1) }}",
]
PAYLOADS = ESCAPES + BOMBS
LEAKS = ("<class", "<function", "<module", "<built-in", "<bound", "__globals__", "root:", "os.")
LIMITS = Limits(render_ms=500, output_bytes=1_000_000)
REFUSED = (SecurityError, TemplateError, BudgetExceeded, TypeError, ValueError)


def _context(payload: str) -> dict[str, Any]:
    party = {"name": payload}
    return {
        "party": party,
        "account": {"id": "A1", "balance": Decimal("10.00")},
        "client": {"name": payload},
        "today": "2026-12-04",
        "event": {"data": {"note": payload, "n": 3, "items": [payload]}},
        "follow_up": {"kind": "call_back", "owner": payload},
    }


@pytest.fixture(scope="module")
def sample() -> RuleSet:
    return load_ruleset(REPO)


@pytest.fixture(autouse=True)
def _no_sentinel() -> Any:
    Path(SENTINEL).unlink(missing_ok=True)
    yield
    assert not Path(SENTINEL).exists(), "a payload ran a command"


def test_the_corpus_is_large_enough() -> None:
    assert len(PAYLOADS) >= 40 and len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_data_prints_as_text(sample: RuleSet, payload: str) -> None:
    payload = payload.replace("SENTINEL", SENTINEL)
    html = sample.templates["validation-notice"].render(_context(payload))
    assert f"Dear {escape(payload)}," in html
    plain = sample.templates["follow-up-due"].render(_context(payload))
    assert f"owned by {payload} is due" in plain


def _bounded(run: Any) -> tuple[str | None, BaseException | None]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        return run(), None
    except REFUSED as exc:
        return None, exc
    finally:
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert elapsed < 5, f"took {elapsed:.1f} s"
        assert peak < 100_000_000, f"peak {peak} bytes"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_as_a_template_is_refused_or_harmless(payload: str) -> None:
    payload = payload.replace("SENTINEL", SENTINEL)
    compiler = ExpressionCompiler(RuleEnvironment(limits=LIMITS))
    compiler.set_templates({"letter": "<p>{{ party.name }}</p>"})
    template = compiler.template(payload, Mark("rules/templates/t.j2", 1, 1), "t", name="t")
    if template is None:  # refused at validation, at its file
        assert compiler.findings and compiler.findings[0].mark.file == "rules/templates/t.j2"
        return
    output, error = _bounded(lambda: template.render(_context("x")))
    if payload in BOMBS:
        assert error is not None, "a bomb rendered"
    if error is not None:
        assert (
            not isinstance(error, BudgetExceeded)
            or "agency.limits" in str(error)
            or "range()" in str(error)
            or "calls itself too deeply" in str(error)
        )
    for leak in LEAKS:
        assert leak not in (output or ""), output


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if p.startswith("{{ ")])
def test_a_payload_as_an_expression_is_refused_or_harmless(payload: str) -> None:
    source = payload.replace("SENTINEL", SENTINEL).removeprefix("{{ ").removesuffix(" }}")
    compiler = ExpressionCompiler(RuleEnvironment(limits=LIMITS))
    expression = compiler.expression(source, Mark("rules/triggers.yaml", 7, 11), "trigger 't'")
    if expression is None:
        assert [str(f.mark) for f in compiler.findings][:1] == ["rules/triggers.yaml:7:11"]
        return
    output, error = _bounded(lambda: str(expression.evaluate(_context("x"))))
    if payload in BOMBS:
        assert error is not None, "a bomb evaluated"
    for leak in LEAKS:
        assert leak not in (output or ""), output
