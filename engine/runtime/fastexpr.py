"""Conditions evaluated as plain Python: an expression's Jinja tree, translated once.

Jinja evaluates an expression by rendering a template (a context built from dict copies, a
generator): most of the time goes there, not into the comparison. For the shapes conditions
take — names, fields, comparisons, ``in``, and/or/not, arithmetic, literals — this module
generates one Python function calling the same sandbox operations (``getattr``/``getitem``,
Decimal-safe arithmetic, strict undefined names), so the value and the errors are the same.
Anything else (filters, tests, calls, slices) keeps the expression's own Jinja callable.

A field read on a plain ``dict`` (``event.data.amount``) takes the key directly when the
name is not a ``dict`` attribute: the sandbox would find no attribute and read the same key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.compiler import operators
from jinja2.exceptions import TemplateSyntaxError
from jinja2.parser import Parser
from jinja2.utils import missing

from engine.config.expressions import RuleEnvironment
from engine.config.model import Expression, Probe

Evaluator = Callable[[Mapping[str, Any]], Any]

# Filters, tests and the calendar are never used by translated code, so one sandbox serves
# every RuleSet; its getattr/getitem/call_binop are the ones each RuleSet's sandbox runs.
_ENV = RuleEnvironment()
_BINOPS: dict[type[nodes.Node], str] = {
    nodes.Add: "+",
    nodes.Sub: "-",
    nodes.Mul: "*",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
    nodes.Mod: "%",
    nodes.Pow: "**",
}
_NAMESPACE: dict[str, Any] = {
    "_missing": missing,
    "_globals": dict(_ENV.globals),
    "_undefined": _ENV.undefined,
    "_getattr": _ENV.getattr,
    "_getitem": _ENV.getitem,
    "_binop": _ENV.call_binop,
}
_lock = threading.Lock()
_expressions: dict[str, Evaluator | None] = {}
_probes: dict[str, Evaluator | None] = {}
_PLANS_MAX = 100_000  # plans keep their expressions alive: start over past this many


class _Unsupported(Exception):
    """The tree holds a node this translator leaves to Jinja."""


class _Writer:
    """Python source for one expression tree; constants are passed in a tuple."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.consts: list[Any] = []
        self.temps = 0

    def _const(self, value: Any) -> str:
        self.consts.append(value)
        return f"_c[{len(self.consts) - 1}]"

    def _field(self, inner: str, key: str | int, attribute: bool) -> str:
        self.temps += 1
        t = f"_t{self.temps}"
        slow = "_getattr" if attribute else "_getitem"
        return (
            f"({t}[{key!r}] if type({t} := {inner}) is dict and {key!r} in {t} "
            f"else {slow}({t}, {key!r}))"
        )

    def write(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Name) and node.ctx == "load":
            return self.names.setdefault(node.name, f"_n{len(self.names)}")
        if isinstance(node, nodes.Const):
            if node.value is None or type(node.value) in (bool, int, float, str):
                return self._const(node.value)
            raise _Unsupported(type(node.value).__name__)
        if isinstance(node, nodes.Getattr):
            inner = self.write(node.node)
            if hasattr(dict, node.attr):  # ``data.items``: the sandbox returns the method
                return f"_getattr({inner}, {node.attr!r})"
            return self._field(inner, node.attr, attribute=True)
        if isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Slice):
                raise _Unsupported("slice")
            inner = self.write(node.node)
            if isinstance(node.arg, nodes.Const) and type(node.arg.value) in (str, int):
                return self._field(inner, node.arg.value, attribute=False)
            return f"_getitem({inner}, {self.write(node.arg)})"
        if isinstance(node, nodes.Compare):
            parts = [self.write(node.expr)]
            for operand in node.ops:
                parts += [operators[operand.op], self.write(operand.expr)]
            return "(" + " ".join(parts) + ")"
        if isinstance(node, nodes.And):
            return f"({self.write(node.left)} and {self.write(node.right)})"
        if isinstance(node, nodes.Or):
            return f"({self.write(node.left)} or {self.write(node.right)})"
        if isinstance(node, nodes.Not):
            return f"(not {self.write(node.node)})"
        if isinstance(node, nodes.Neg):
            return f"(-{self.write(node.node)})"
        if isinstance(node, nodes.Pos):
            return f"(+{self.write(node.node)})"
        operator = _BINOPS.get(type(node))
        if operator is not None:
            assert isinstance(node, nodes.BinExpr)
            left, right = self.write(node.left), self.write(node.right)
            if operator in _ENV.intercepted_binops:
                return f"_binop(None, {operator!r}, {left}, {right})"
            return f"({left} {operator} {right})"
        if isinstance(node, nodes.CondExpr) and node.expr2 is not None:
            test, yes, no = self.write(node.test), self.write(node.expr1), self.write(node.expr2)
            return f"({yes} if {test} else {no})"
        if isinstance(node, nodes.List):
            return "[" + ", ".join(self.write(item) for item in node.items) + "]"
        if isinstance(node, nodes.Tuple) and node.ctx == "load":
            return "(" + "".join(self.write(item) + ", " for item in node.items) + ")"
        if isinstance(node, nodes.Dict):
            pairs = (f"{self.write(p.key)}: {self.write(p.value)}" for p in node.items)
            return "{" + ", ".join(pairs) + "}"
        raise _Unsupported(type(node).__name__)


def translate(source: str, *, use_globals: bool = True) -> tuple[Evaluator, str] | None:
    """A Python function evaluating ``source`` and its code; None when Jinja must do it.

    ``use_globals=False`` reads as condition probes do: names come from the context only,
    and a missing one is the value (undefined), not an error further down the chain.
    """
    try:
        parser = Parser(_ENV, source, state="variable")
        node = parser.parse_expression()
        if not parser.stream.eos:
            return None
        writer = _Writer()
        body = writer.write(node)
    except (TemplateSyntaxError, _Unsupported):
        return None
    lines = ["def _evaluate(context):"]
    for name, var in writer.names.items():
        lines.append(f"    {var} = context.get({name!r}, _missing)")
        lines.append(f"    if {var} is _missing:")
        if use_globals:
            lines.append(f"        {var} = _globals.get({name!r}, _missing)")
            lines.append(f"    if {var} is _missing:")
            lines.append(f"        {var} = _undefined(name={name!r})")
        else:  # a probe of a name the context lacks shows that name as undefined
            lines.append(f"        return _undefined(name={name!r})")
    lines.append(f"    return {body}")
    code = "\n".join(lines)
    namespace = {**_NAMESPACE, "_c": tuple(writer.consts)}
    exec(compile(code, f"<expression {source!r}>", "exec"), namespace)
    fn: Evaluator = namespace["_evaluate"]
    return fn, code


def _cached(cache: dict[str, Evaluator | None], source: str, use_globals: bool) -> Any:
    found = cache.get(source, missing)
    if found is missing:
        translated = translate(source, use_globals=use_globals)
        found = translated[0] if translated is not None else None
        with _lock:
            cache[source] = found
    return found


def evaluator(expr: Expression) -> Evaluator:
    """The fastest callable computing ``expr`` (its own Jinja callable when untranslatable)."""
    fn = _expressions.get(expr.source)
    if fn is None:
        fn = _cached(_expressions, expr.source, True)
    return fn if fn is not None else expr.fn


def probe_evaluator(probe: Probe) -> Evaluator:
    """The fastest callable reading a probe (``account.balance``) for a trace."""
    fn = _probes.get(probe.source)
    if fn is None:
        fn = _cached(_probes, probe.source, False)
    return fn if fn is not None else probe.fn


@dataclass(frozen=True, slots=True)
class Plan:
    """What evaluating and tracing one compiled expression needs, resolved once."""

    expr: Expression
    fn: Evaluator
    at: str  # the expression's mark as traces show it
    probes: tuple[tuple[str, Evaluator], ...]


_plans: dict[int, Plan] = {}


def plan(expr: Expression) -> Plan:
    """The evaluation plan of ``expr`` (cached by identity: RuleSets are immutable)."""
    found = _plans.get(id(expr))
    if found is not None and found.expr is expr:
        return found
    made = Plan(
        expr,
        evaluator(expr),
        str(expr.mark),
        tuple((probe.source, probe_evaluator(probe)) for probe in expr.probes),
    )
    with _lock:
        if len(_plans) >= _PLANS_MAX:
            _plans.clear()
        _plans[id(expr)] = made
    return made
