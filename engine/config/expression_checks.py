"""Load-time checks of an expression or template: names, fields, filters, tests, probes.

Two readers produce the same ``Analysis``. Jinja's own parser reads everything. Because it
costs ~0.2 ms an expression, the common shape of a condition — comparisons of context
fields joined by and/or — is first read by Python's C parser, but only when the text uses
nothing whose meaning or validity differs between the two languages (filters, tests,
string prefixes, trailing-dot numbers, comments, backslashes, bare tuples, non-ASCII…);
anything else goes to Jinja. Values are always Jinja's: where the quick reading's tree is
translated into Python (``translate``), it gives the code Jinja's tree gives.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from jinja2 import TemplateSyntaxError, nodes

from engine.config.context import CONTEXT_ATTRIBUTES, EXPRESSION_NAMES
from engine.config.errors import did_you_mean

ProbePart = tuple[bool, str | int]  # (is attribute, key)
ProbeSpec = tuple[str, str, tuple[ProbePart, ...]]  # (text, root name, path)
Issue = tuple[int, str]  # (line within the source, message)

# Names Jinja itself binds inside templates (loops, macros, blocks).
TEMPLATE_IMPLICIT = frozenset(("loop", "caller", "varargs", "kwargs", "self", "super"))
_JINJA_CONSTANTS = frozenset(("true", "false", "none", "True", "False", "None"))


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a source text parsed to: Jinja's node, or Python's tree when read by the quick path."""

    node: nodes.Node | None
    issues: tuple[Issue, ...]
    probes: tuple[ProbeSpec, ...] = ()
    tree: ast.expr | None = None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the environment offers besides the context: globals, filters, tests."""

    globals: frozenset[str]
    filters: frozenset[str]
    tests: frozenset[str]


def _field_issue(base: str, attr: object, declared: Collection[str]) -> str | None:
    if base in declared or not isinstance(attr, str):
        return None
    known = CONTEXT_ATTRIBUTES.get(base)
    if known is None or attr in known:
        return None
    return f"'{base}' has no field '{attr}'{did_you_mean(attr, sorted(known))}"


def _name_issue(name: str, allowed: Collection[str], reported: set[str]) -> str | None:
    if name in allowed or name in reported:
        return None
    reported.add(name)
    return f"unknown name '{name}'{did_you_mean(name, sorted(EXPRESSION_NAMES))}"


def chain_text(root: str, parts: tuple[ProbePart, ...]) -> str:
    """``account.fields['court']`` from its root and path."""
    return root + "".join(f".{key}" if is_attr else f"[{key!r}]" for is_attr, key in parts)


def _record(out: dict[str, ProbeSpec], root: str, parts: tuple[ProbePart, ...]) -> None:
    if root in EXPRESSION_NAMES:
        text = chain_text(root, parts)
        out.setdefault(text, (text, root, parts))


# --- Jinja's reading -------------------------------------------------------------------------


def _children(node: nodes.Node) -> Iterator[nodes.Node]:
    for name in node.fields:
        value = getattr(node, name, None)
        if isinstance(value, nodes.Node):
            yield value
        elif isinstance(value, list):
            yield from (item for item in value if isinstance(item, nodes.Node))


def all_nodes(root: nodes.Node) -> list[nodes.Node]:
    """``root`` and every node below it in source order (one walk; ``find_all`` is slow)."""
    found: list[nodes.Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(list(_children(node))))
    return found


def _jinja_chain(node: nodes.Node) -> tuple[str, tuple[ProbePart, ...]] | None:
    parts: list[ProbePart] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append((True, node.attr))
            node = node.node
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str | int)
        ):
            parts.append((False, node.arg.value))
            node = node.node
        elif isinstance(node, nodes.Name):
            return node.name, tuple(reversed(parts))
        else:
            return None


def _jinja_probes(node: nodes.Node, out: dict[str, ProbeSpec]) -> None:
    if isinstance(node, nodes.Call):
        called = _jinja_chain(node.node)
        if called is not None:
            # ``today.isoformat()``: show the object the method is called on.
            _record(out, called[0], called[1][:-1])
        for child in _children(node):
            if child is not node.node or called is None:
                _jinja_probes(child, out)
        return
    chain = _jinja_chain(node)
    if chain is not None:
        _record(out, *chain)
        return
    for child in _children(node):
        _jinja_probes(child, out)


def declared_names(node: nodes.Node) -> frozenset[str]:
    """Names a template binds itself (loop targets, set, macros, imports)."""
    names: set[str] = set(TEMPLATE_IMPLICIT)
    for item in all_nodes(node):
        if (isinstance(item, nodes.Name) and item.ctx in ("store", "param")) or isinstance(
            item, nodes.Macro
        ):
            names.add(item.name)
        elif isinstance(item, nodes.Import):
            names.add(item.target)
        elif isinstance(item, nodes.FromImport):
            names.update(n if isinstance(n, str) else n[1] for n in item.names)
    return frozenset(names)


def jinja_analysis(node: nodes.Node, words: Vocabulary, *, template: bool) -> Analysis:
    """Check a node Jinja parsed: unknown names, fields, filters and tests; probes."""
    declared = declared_names(node) if template else frozenset()
    allowed = EXPRESSION_NAMES | declared | words.globals
    issues: list[Issue] = []
    reported: set[str] = set()
    for item in all_nodes(node):
        issue: str | None = None
        if isinstance(item, nodes.Name) and item.ctx == "load":
            issue = _name_issue(item.name, allowed, reported)
        elif isinstance(item, nodes.Getattr) and isinstance(item.node, nodes.Name):
            issue = _field_issue(item.node.name, item.attr, declared)
        elif (
            isinstance(item, nodes.Getitem)
            and isinstance(item.node, nodes.Name)
            and isinstance(item.arg, nodes.Const)
        ):
            issue = _field_issue(item.node.name, item.arg.value, declared)
        elif isinstance(item, nodes.Filter) and item.name not in words.filters:
            hint = did_you_mean(item.name, sorted(words.filters))
            issue = f"unknown filter '{item.name}'{hint}"
        elif isinstance(item, nodes.Test) and item.name not in words.tests:
            issue = f"unknown test '{item.name}'{did_you_mean(item.name, sorted(words.tests))}"
        if issue:
            issues.append((item.lineno, issue))
    probes: dict[str, ProbeSpec] = {}
    if not template:
        _jinja_probes(node, probes)
    return Analysis(node, tuple(issues), tuple(probes.values()))


def syntax_message(exc: TemplateSyntaxError, *, template: bool) -> str:
    """Jinja's message, worded for an expression when it is one."""
    message = exc.message or "invalid syntax"
    if not template:
        message = message.replace("end of print statement", "end of the expression")
        message = message.replace("'end of template'", "end of the expression")
    return message


# --- the quick path: Python's parser on the shared subset -----------------------------------

# Text Python reads differently from Jinja (comments, escapes, ``1.``, ``.5``, triple
# quotes) goes to Jinja; everything else that differs is refused on the syntax tree below.
_NOT_SHARED = re.compile(r"[#\\{}]|(?<![\w.])\d[\d_]*\.(?!\d)|(?<![\w)\]])\.\d|'''|\"\"\"")
# One or more plain quoted strings (Python joins neighbours, as Jinja does): no prefixes.
_PLAIN_STRINGS = re.compile(r"""(?:'[^']*'|"[^"]*")(?:\s*(?:'[^']*'|"[^"]*"))*""")
_OPERATORS = (
    ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Load,
)  # fmt: skip
_SHARED_NODES = (
    ast.Expression, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.Compare, ast.Name,
    ast.Attribute, ast.Subscript, ast.Constant, ast.Call, ast.IfExp, ast.List,
    ast.keyword, *_OPERATORS,
)  # fmt: skip


_CONSTANT_TYPES = (str, int, float, bool, type(None))


def _python_chain(node: ast.AST) -> tuple[str, tuple[ProbePart, ...]] | None:
    parts: list[ProbePart] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append((True, node.attr))
            node = node.value
        elif isinstance(node, ast.Subscript) and (key := _const_key(node.slice)) is not None:
            parts.append((False, key))
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id, tuple(reversed(parts))
        else:
            return None


def _python_probes(walked: list[ast.AST]) -> tuple[ProbeSpec, ...]:
    """Maximal name/attribute chains in source order (what the Jinja reading records)."""
    inner: set[int] = set()
    heads: list[tuple[int, int, str, tuple[ProbePart, ...]]] = []
    for node in walked:
        if isinstance(node, ast.Attribute) or (
            isinstance(node, ast.Subscript) and _const_key(node.slice) is not None
        ):
            inner.add(id(node.value))
        elif isinstance(node, ast.Call):
            called = _python_chain(node.func)
            if called is not None:
                # ``today.isoformat()``: show the object the method is called on.
                inner.add(id(node.func))
                heads.append((node.lineno, node.col_offset, called[0], called[1][:-1]))
    for node in walked:
        if id(node) in inner or not isinstance(node, ast.Name | ast.Attribute | ast.Subscript):
            continue
        chain = _python_chain(node)
        if chain is not None and chain[0] not in _JINJA_CONSTANTS:
            heads.append((node.lineno, node.col_offset, *chain))
    out: dict[str, ProbeSpec] = {}
    for _line, _col, root, parts in sorted(heads, key=lambda head: head[:2]):
        _record(out, root, parts)
    return tuple(out.values())


def _const_key(node: ast.AST) -> str | int | None:
    if isinstance(node, ast.Constant) and type(node.value) in (str, int):
        return node.value if isinstance(node.value, str | int) else None
    return None


def _shared(walked: list[ast.AST], lines: list[str]) -> bool:
    for node in walked:
        if not isinstance(node, _SHARED_NODES):
            return False
        if isinstance(node, ast.Constant):
            if type(node.value) not in _CONSTANT_TYPES:
                return False
            # r'', f'', u'' and b'' prefixes exist in Python only.
            if isinstance(node.value, str):
                if node.lineno != node.end_lineno or node.end_col_offset is None:
                    return False
                text = lines[node.lineno - 1][node.col_offset : node.end_col_offset]
                if not _PLAIN_STRINGS.fullmatch(text):
                    return False
        if isinstance(node, ast.keyword) and node.arg is None:
            return False  # **kwargs
    return True


def quick_analysis(source: str, words: Vocabulary) -> Analysis | None:
    """The analysis of an expression in the Python/Jinja shared subset, else None."""
    if not source.isascii() or _NOT_SHARED.search(source):
        return None
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return None  # Jinja reads it and words the error
    walked = list(ast.walk(tree))
    if not _shared(walked, source.splitlines()):
        return None
    allowed = EXPRESSION_NAMES | words.globals | _JINJA_CONSTANTS
    issues: list[Issue] = []
    reported: set[str] = set()
    for node in walked:
        issue: str | None = None
        if isinstance(node, ast.Name):
            issue = _name_issue(node.id, allowed, reported)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            issue = _field_issue(node.value.id, node.attr, ())
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and isinstance(node.slice, ast.Constant)
        ):
            issue = _field_issue(node.value.id, node.slice.value, ())
        if issue:
            issues.append((getattr(node, "lineno", 1), issue))
    return Analysis(None, tuple(issues), _python_probes(walked), tree.body)
