"""Expressions translated into plain Python functions while the configuration compiles.

Jinja evaluates an expression by rendering a template (a context built from dict copies, a
generator): most of the time goes there, not into the comparison. For the shapes conditions
take — names, fields, comparisons, ``in``, and/or/not, arithmetic, literals — this module
generates one Python function calling the same sandbox operations (``getattr``/``getitem``,
Decimal-safe arithmetic, strict undefined names), so the value and the errors are the same.
Anything else (filters, tests, calls, slices) keeps the expression's own Jinja callable.

Two readings of a source translate to the same code: Jinja's tree, and the Python tree the
quick reading (``expression_checks.quick_analysis``) already made, which spares most
conditions a second parse. The Python reading leaves ``**`` to Jinja's: Jinja groups
``a ** b ** c`` and ``-a ** b`` from the left.

A field read on a plain ``dict`` (``event.data.amount``) takes the key directly when the
name is not a ``dict`` attribute: the sandbox would find no attribute and read the same key.
"""

from __future__ import annotations

import ast
from types import CodeType, FunctionType
from typing import Any

from jinja2 import nodes
from jinja2.compiler import operators
from jinja2.exceptions import TemplateSyntaxError
from jinja2.parser import Parser
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

from engine.config.expression_checks import ProbePart
from engine.config.model import Evaluator
from engine.errors import DocketError

Translation = tuple[Evaluator, str]  # the function and its Python source

_BINOPS: dict[type[nodes.Node], str] = {
    nodes.Add: "+",
    nodes.Sub: "-",
    nodes.Mul: "*",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
    nodes.Mod: "%",
    nodes.Pow: "**",
}
_PYTHON_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
}
_PYTHON_COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
# Names Jinja reads as constants; Python's tree keeps the lower-case ones as names.
_CONSTANT_NAMES: dict[str, bool | None] = {
    "true": True,
    "True": True,
    "false": False,
    "False": False,
    "none": None,
    "None": None,
}


class _Unsupported(DocketError):
    """The tree holds a node this translator leaves to Jinja."""


# How tightly generated code binds as Python reads it: an operand binding more loosely than its
# place requires is parenthesised. Parentheses cost Python's compiler time, so only those.
_IFEXP, _OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _POWER, _ATOM = range(10)
_ARITHMETIC = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT, "//": _PRODUCT, "%": _PRODUCT}
Code = tuple[str, int]  # Python text and how tightly it binds


def _operand(code: Code, level: int) -> str:
    text, binds = code
    return text if binds >= level else f"({text})"


class _Writer:
    """Python source for one expression tree; constants are passed in a tuple."""

    def __init__(self, intercepted: frozenset[str]) -> None:
        self.names: dict[str, str] = {}
        self.consts: list[Any] = []
        self._intercepted = intercepted

    def _name(self, name: str) -> Code:
        return self.names.setdefault(name, f"_n{len(self.names)}"), _ATOM

    def _const(self, value: Any) -> Code:
        if value is not None and type(value) not in (bool, int, float, str):
            raise _Unsupported(type(value).__name__)
        self.consts.append(value)
        return f"_c[{len(self.consts) - 1}]", _ATOM

    def _field(self, inner: Code, key: str | int, attribute: bool) -> Code:
        if attribute and isinstance(key, str) and hasattr(dict, key):
            return f"_getattr({inner[0]}, {key!r})", _ATOM  # ``data.items``: the dict's method
        return f"{'_attr' if attribute else '_item'}({inner[0]}, {key!r})", _ATOM

    def _compare(self, first: Code, rest: list[tuple[str, Code]]) -> Code:
        text = _operand(first, _COMPARE + 1)  # ``(a < b) < c`` is not ``a < b < c``
        for operator, operand in rest:
            text += f" {operator} {_operand(operand, _COMPARE + 1)}"
        return text, _COMPARE

    def _boolean(self, word: str, left: Code, right: Code) -> Code:
        level = _AND if word == "and" else _OR
        return f"{_operand(left, level)} {word} {_operand(right, level + 1)}", level

    def _unary(self, sign: str, operand: Code) -> Code:
        if sign == "not ":
            return f"not {_operand(operand, _NOT)}", _NOT
        return f"{sign}{_operand(operand, _UNARY)}", _UNARY

    def _binop(self, operator: str, left: Code, right: Code) -> Code:
        if operator in self._intercepted:
            return f"_binop(None, {operator!r}, {left[0]}, {right[0]})", _ATOM
        if operator == "**":  # Python groups ``**`` from the right, below unary minus
            return f"{_operand(left, _ATOM)} ** {_operand(right, _UNARY)}", _POWER
        level = _ARITHMETIC[operator]
        return f"{_operand(left, level)} {operator} {_operand(right, level + 1)}", level

    def _condition(self, test: Code, yes: Code, no: Code) -> Code:
        return f"{_operand(yes, _OR)} if {_operand(test, _OR)} else {no[0]}", _IFEXP

    def chain(self, root: str, parts: tuple[ProbePart, ...]) -> Code:
        """A name followed by fields: what a probe reads."""
        code = self._name(root)
        for is_attr, key in parts:
            code = self._field(code, key, attribute=is_attr)
        return code

    def jinja(self, node: nodes.Node) -> Code:
        """The code of a tree Jinja's parser made."""
        if isinstance(node, nodes.Name) and node.ctx == "load":
            return self._name(node.name)
        if isinstance(node, nodes.Const):
            return self._const(node.value)
        if isinstance(node, nodes.Getattr):
            return self._field(self.jinja(node.node), node.attr, attribute=True)
        if isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Slice):
                raise _Unsupported("slice")
            inner = self.jinja(node.node)
            if isinstance(node.arg, nodes.Const) and type(node.arg.value) in (str, int):
                return self._field(inner, node.arg.value, attribute=False)
            return f"_getitem({inner[0]}, {self.jinja(node.arg)[0]})", _ATOM
        if isinstance(node, nodes.Compare):
            first = self.jinja(node.expr)
            rest = [(operators[operand.op], self.jinja(operand.expr)) for operand in node.ops]
            return self._compare(first, rest)
        if isinstance(node, nodes.And | nodes.Or):
            word = "and" if isinstance(node, nodes.And) else "or"
            return self._boolean(word, self.jinja(node.left), self.jinja(node.right))
        if isinstance(node, nodes.Not | nodes.Neg | nodes.Pos):
            sign = (
                "not "
                if isinstance(node, nodes.Not)
                else "-"
                if isinstance(node, nodes.Neg)
                else "+"
            )
            return self._unary(sign, self.jinja(node.node))
        operator = _BINOPS.get(type(node))
        if operator is not None:
            assert isinstance(node, nodes.BinExpr)
            return self._binop(operator, self.jinja(node.left), self.jinja(node.right))
        if isinstance(node, nodes.CondExpr) and node.expr2 is not None:
            test, yes, no = self.jinja(node.test), self.jinja(node.expr1), self.jinja(node.expr2)
            return self._condition(test, yes, no)
        if isinstance(node, nodes.List):
            return "[" + ", ".join(self.jinja(item)[0] for item in node.items) + "]", _ATOM
        if isinstance(node, nodes.Tuple) and node.ctx == "load":
            return "(" + "".join(self.jinja(item)[0] + ", " for item in node.items) + ")", _ATOM
        if isinstance(node, nodes.Dict):
            pairs = (f"{self.jinja(p.key)[0]}: {self.jinja(p.value)[0]}" for p in node.items)
            return "{" + ", ".join(pairs) + "}", _ATOM
        raise _Unsupported(type(node).__name__)

    def python(self, node: ast.expr) -> Code:
        """The code of a tree Python's parser made, written as ``jinja`` writes Jinja's."""
        if isinstance(node, ast.Name):
            if node.id in _CONSTANT_NAMES:
                return self._const(_CONSTANT_NAMES[node.id])
            return self._name(node.id)
        if isinstance(node, ast.Constant):
            return self._const(node.value)
        if isinstance(node, ast.Attribute):
            return self._field(self.python(node.value), node.attr, attribute=True)
        if isinstance(node, ast.Subscript):
            inner = self.python(node.value)
            key = node.slice.value if isinstance(node.slice, ast.Constant) else None
            if type(key) is str or type(key) is int:  # not a bool, as ``jinja`` reads a Const
                return self._field(inner, key, attribute=False)
            return f"_getitem({inner[0]}, {self.python(node.slice)[0]})", _ATOM
        if isinstance(node, ast.Compare):
            first = self.python(node.left)
            rest = []
            for op, right in zip(node.ops, node.comparators, strict=True):
                comparison = _PYTHON_COMPARISONS.get(type(op))
                if comparison is None:
                    raise _Unsupported(type(op).__name__)
                rest.append((comparison, self.python(right)))
            return self._compare(first, rest)
        if isinstance(node, ast.BoolOp):
            word = "and" if isinstance(node.op, ast.And) else "or"
            code = self.python(node.values[0])
            for value in node.values[1:]:  # Jinja nests ``a and b and c`` from the left
                code = self._boolean(word, code, self.python(value))
            return code
        if isinstance(node, ast.UnaryOp):
            sign = {ast.Not: "not ", ast.USub: "-", ast.UAdd: "+"}.get(type(node.op))
            if sign is None:
                raise _Unsupported(type(node.op).__name__)
            return self._unary(sign, self.python(node.operand))
        if isinstance(node, ast.BinOp):
            operator = _PYTHON_BINOPS.get(type(node.op))
            if operator is None:  # ``**`` among them: Jinja reads its grouping differently
                raise _Unsupported(type(node.op).__name__)
            return self._binop(operator, self.python(node.left), self.python(node.right))
        if isinstance(node, ast.IfExp):
            test, yes, no = self.python(node.test), self.python(node.body), self.python(node.orelse)
            return self._condition(test, yes, no)
        if isinstance(node, ast.List):
            return "[" + ", ".join(self.python(item)[0] for item in node.elts) + "]", _ATOM
        raise _Unsupported(type(node).__name__)


class Translator:
    """Writes the Python functions of one RuleSet's expressions, with its sandbox's operations."""

    def __init__(self, env: SandboxedEnvironment) -> None:
        self._env = env
        known = dict(env.globals)
        undefined, sandbox_getattr, sandbox_getitem = env.undefined, env.getattr, env.getitem

        def global_(name: str) -> Any:
            value = known.get(name, missing)
            return undefined(name=name) if value is missing else value

        # A plain dict's key is what the sandbox would find after looking for an attribute.
        def attr(obj: Any, key: str) -> Any:
            return obj[key] if type(obj) is dict and key in obj else sandbox_getattr(obj, key)

        def item(obj: Any, key: str | int) -> Any:
            return obj[key] if type(obj) is dict and key in obj else sandbox_getitem(obj, key)

        self._namespace: dict[str, Any] = {
            "_global": global_,
            "_undefined": undefined,
            "_attr": attr,
            "_item": item,
            "_getattr": sandbox_getattr,
            "_getitem": sandbox_getitem,
            "_binop": env.call_binop,
        }

    def _writer(self) -> _Writer:
        return _Writer(self._env.intercepted_binops)

    def _function(self, source: str, writer: _Writer, body: Code, use_globals: bool) -> Translation:
        lines = ["def _evaluate(context, *, _c):"]
        for name, var in writer.names.items():
            if use_globals:
                lines.append(
                    f"    {var} = context[{name!r}] if {name!r} in context else _global({name!r})"
                )
            else:  # a probe of a name the context lacks shows that name as undefined
                lines.append(f"    if {name!r} not in context: return _undefined(name={name!r})")
                lines.append(f"    {var} = context[{name!r}]")
        lines.append(f"    return {body[0]}")
        code = "\n".join(lines)
        module = compile(code, f"<expression {source!r}>", "exec")
        function = next(c for c in module.co_consts if isinstance(c, CodeType))
        # One namespace for every function, constants as a default: no dict and no reference
        # cycle (function → its globals → function) per expression for the collector to walk.
        evaluate = FunctionType(function, self._namespace, "_evaluate")
        evaluate.__kwdefaults__ = {"_c": tuple(writer.consts)}
        return evaluate, code

    def jinja(
        self, source: str, node: nodes.Node, *, use_globals: bool = True
    ) -> Translation | None:
        """The function computing ``source`` from Jinja's tree; None when Jinja must do it.

        ``use_globals=False`` reads as condition probes do: names come from the context only,
        and a missing one is the value (undefined), not an error further down the chain.
        """
        writer = self._writer()
        try:
            body = writer.jinja(node)
        except _Unsupported:
            return None
        return self._function(source, writer, body, use_globals)

    def python(self, source: str, tree: ast.expr) -> Translation | None:
        """The function computing ``source`` from the quick reading's Python tree, or None."""
        writer = self._writer()
        try:
            body = writer.python(tree)
        except _Unsupported:
            return None
        return self._function(source, writer, body, True)

    def probe(self, text: str, root: str, parts: tuple[ProbePart, ...]) -> Translation:
        """The function reading a probe (``account.balance``) for a trace."""
        writer = self._writer()
        return self._function(text, writer, writer.chain(root, parts), False)

    def translate(self, source: str, *, use_globals: bool = True) -> Translation | None:
        """Parse ``source`` with Jinja and translate it; None when Jinja must evaluate it."""
        try:
            parser = Parser(self._env, source, state="variable")
            node = parser.parse_expression()
        except TemplateSyntaxError:
            return None
        if not parser.stream.eos:
            return None
        return self.jinja(source, node, use_globals=use_globals)
