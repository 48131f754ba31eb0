"""Jinja2 expressions and templates in a sandbox, checked at load time and kept Decimal-exact.

One ``RuleEnvironment`` serves one RuleSet (its filters need the agency calendar). Every
expression is parsed and checked when the configuration loads — syntax, unknown names,
unknown fields of the context objects, unknown filters — so nothing an admin wrote fails
for a reason that could have been known. Each distinct expression is translated into a plain
Python function then (``translate``); identical sources share one compiled callable. Jinja's
own code generation, its slow part, runs on the first call of what was not translated.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from jinja2 import (
    BaseLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    nodes,
)
from jinja2 import Template as JinjaTemplate
from jinja2.environment import Environment
from jinja2.lexer import describe_token
from jinja2.parser import Parser
from jinja2.runtime import Context

from engine.config.budget import BudgetedSandbox, constant_bombs
from engine.config.calendar import BusinessCalendar
from engine.config.errors import Finding
from engine.config.expression_checks import (
    Analysis,
    Issue,
    ProbePart,
    Vocabulary,
    jinja_analysis,
    quick_analysis,
    syntax_message,
)
from engine.config.model import Evaluator, Expression, Limits, Mark, Probe, Template
from engine.config.template_checks import is_html_template, missing_templates, subject_line
from engine.config.translate import Translation, Translator
from engine.config.values import CENT as CENT
from engine.config.values import _days, _decimal_safe, _money, _percent, _sum, _to_date
from engine.config.values import to_decimal as to_decimal

_GROWING = frozenset(("*", "**", "%", "+"))  # the operators whose result can outgrow the budget
_SINGLE_EXPRESSION = re.compile(r"\s*\{\{(?P<expr>(?:(?!\{\{|\}\}|\{%|%\}).)*)\}\}\s*", re.DOTALL)


class RuleEnvironment(BudgetedSandbox):
    """The sandbox for one RuleSet: strict undefined names, Decimal-keeping filters."""

    intercepted_binops = frozenset(("+", "-", "*", "/", "//", "%", "**"))

    def __init__(
        self, calendar: BusinessCalendar | None = None, limits: Limits | None = None
    ) -> None:
        super().__init__(
            limits or Limits(),
            undefined=StrictUndefined,
            autoescape=self._is_html,
            keep_trailing_newline=True,
            finalize=lambda value: "" if value is None else value,
        )
        self.calendar = calendar or BusinessCalendar()
        self.filters.update(
            money=_money,
            percent=_percent,
            days=_days,
            business_days=self._business_days,
            sum=_sum,
        )
        self.compile_lock = threading.Lock()
        self.html_templates: frozenset[str] = frozenset()

    def _is_html(self, name: str | None) -> bool:
        # Decided by the template file, never by the data: an expression, a subject line or an
        # inline parameter (no name) stays plain text; a .j2 file that writes markup escapes.
        return name is not None and name in self.html_templates

    def _business_days(self, value: Any, amount: Any) -> date:
        return self.calendar.add_business_days(_to_date(value), int(amount))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        left, right = _decimal_safe(left, right)
        if operator in _GROWING:
            self.budget.before_binop(operator, left, right)
            if operator == "+":
                return self.budget.sized(left + right)
        return self.binop_table[operator](left, right)


# --- checking --------------------------------------------------------------------------------

# --- compiled callables ----------------------------------------------------------------------


class _LazyExpression:
    """Evaluates an expression natively; parses and generates its Python code on first use."""

    __slots__ = ("_env", "_node", "_source", "_template")

    def __init__(self, env: RuleEnvironment, source: str, node: nodes.Node | None) -> None:
        self._env = env
        self._source = source
        self._node = node
        self._template: JinjaTemplate | None = None

    def compile(self) -> JinjaTemplate:
        with self._env.compile_lock:
            if self._template is None:
                node = self._node
                if node is None:  # checked by the quick path: Jinja reads it now
                    node = Parser(self._env, self._source, state="variable").parse_expression()
                assert isinstance(node, nodes.Expr)
                body = [nodes.Assign(nodes.Name("result", "store"), node, lineno=1)]
                tree = nodes.Template(body, lineno=1)
                tree.set_environment(self._env)
                self._template = self._env.from_string(tree)
            return self._template

    def __call__(self, context: Mapping[str, Any]) -> Any:
        template = self._template or self.compile()
        ctx = template.new_context(dict(context))
        with self._env.budget.running():
            for _ in template.root_render_func(ctx):
                pass
        return ctx.vars["result"]


class _LazyTemplate:
    """Renders a parsed template to text; generates its Python code on first use."""

    __slots__ = ("_env", "_file", "_name", "_node", "_template")

    def __init__(
        self, env: RuleEnvironment, node: nodes.Template, name: str | None, file: str | None
    ) -> None:
        self._env = env
        self._node = node
        self._name = name
        self._file = file  # a .j2 file's path: a failure's traceback names it (render_marks)
        self._template: JinjaTemplate | None = None

    def compile(self) -> JinjaTemplate:
        with self._env.compile_lock:
            if self._template is None:
                code = self._env.compile(self._node, name=self._name, filename=self._file)
                globals_ = self._env.make_globals(None)
                self._template = self._env.template_class.from_code(self._env, code, globals_, None)
            return self._template

    def __call__(self, context: Mapping[str, Any]) -> str:
        template = self._template or self.compile()
        return str(template.render(dict(context)))  # plain str, not Markup, for the outbox


class _FileLoader(BaseLoader):
    """Templates by name, each with its file name, as a file system loader would give them."""

    def __init__(self, mapping: Mapping[str, str], files: Mapping[str, str]) -> None:
        self.mapping = dict(mapping)
        self.files = dict(files)

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool]]:
        if template not in self.mapping:
            raise TemplateNotFound(template)
        source = self.mapping[template]
        file = self.files.get(template.removesuffix(".j2"))
        return source, file, lambda: source == self.mapping.get(template)

    def list_templates(self) -> list[str]:
        return sorted(self.mapping)


def _probe_fn(env: RuleEnvironment, root: str, parts: tuple[ProbePart, ...]) -> Callable[..., Any]:
    def probe(context: Mapping[str, Any]) -> Any:
        if root not in context:
            return env.undefined(name=root)
        value = context[root]
        for is_attr, key in parts:
            value = env.getattr(value, str(key)) if is_attr else env.getitem(value, key)
        return value

    return probe


# --- the compiler ----------------------------------------------------------------------------


class ExpressionCompiler:
    """Compiles the expressions and templates of one RuleSet, collecting findings."""

    def __init__(self, env: RuleEnvironment) -> None:
        self.env = env
        self.findings: list[Finding] = []
        self._analyses: dict[tuple[str, str], Analysis] = {}
        self._words = Vocabulary(
            frozenset(env.globals), frozenset(env.filters), frozenset(env.tests)
        )
        self._translator = Translator(env)
        self._expressions: dict[str, tuple[_LazyExpression, Evaluator, tuple[Probe, ...]]] = {}
        self._templates: dict[str, _LazyTemplate] = {}
        self._probes: dict[str, Probe] = {}
        self._template_names: frozenset[str] = frozenset()
        self._issues: dict[str, tuple[Issue, ...]] = {}  # a template's, with missing includes

    def _analyse(self, source: str, kind: str) -> Analysis:
        key = (kind, source)
        found = self._analyses.get(key)
        if found is None:
            found = self._parse(source, template=kind == "template")
            if "*" in source and not found.issues:
                found = self._bombs(source, found, template=kind == "template")
            self._analyses[key] = found
        return found

    def _bombs(self, source: str, analysis: Analysis, *, template: bool) -> Analysis:
        """Refuse ``'a' * 10**9`` and its kind now: literals the budget would refuse anyway."""
        tree = analysis.node
        if tree is None:
            tree = Parser(self.env, source, state="variable").parse_expression()
        bombs = constant_bombs(tree, self.env.budget.limits)
        return replace(analysis, issues=analysis.issues + tuple(bombs)) if bombs else analysis

    def _parse(self, source: str, *, template: bool) -> Analysis:
        if not template:
            quick = quick_analysis(source, self._words)
            if quick is not None:
                return quick
        node: nodes.Node
        try:
            if template:
                node = self.env.parse(source)
            else:
                parser = Parser(self.env, source, state="variable")
                node = parser.parse_expression()
                if not parser.stream.eos:
                    extra = describe_token(parser.stream.current)
                    raise TemplateSyntaxError(
                        f"unexpected '{extra}' after the end of the expression",
                        parser.stream.current.lineno,
                    )
        except TemplateSyntaxError as exc:
            message = f"syntax error: {syntax_message(exc, template=template)}"
            return Analysis(None, ((exc.lineno, message),))
        return jinja_analysis(node, self._words, template=template)

    def _report(self, analysis: Analysis, mark: Mark, owner: str, multiline_base: bool) -> bool:
        return self._report_issues(analysis.issues, mark, owner, multiline_base)

    def _report_issues(
        self, issues: Iterable[Issue], mark: Mark, owner: str, multiline_base: bool
    ) -> bool:
        issues = tuple(issues)
        for lineno, message in issues:
            line = mark.line + lineno - 1 if multiline_base else lineno
            col = mark.col if (lineno == 1 and multiline_base) else 1
            where = Mark(mark.file, line, col)
            self.findings.append(Finding(f"{owner}: {message}", where, stage="expressions"))
        return not issues

    def _probe(self, text: str, root: str, parts: tuple[ProbePart, ...]) -> Probe:
        probe = self._probes.get(text)
        if probe is None:
            read, _code = self._translator.probe(text, root, parts)
            probe = self._probes[text] = Probe(text, _probe_fn(self.env, root, parts), read)
        return probe

    def _jinja_reading(self, source: str) -> tuple[nodes.Node | None, bool]:
        """Jinja's tree of an expression the quick path checked, and whether it read it all."""
        try:
            parser = Parser(self.env, source, state="variable")
            node = parser.parse_expression()
        except TemplateSyntaxError:
            return None, False  # Jinja's callable reports it when it runs, as it always did
        return node, parser.stream.eos

    def _compile(
        self, source: str, analysis: Analysis
    ) -> tuple[_LazyExpression, Evaluator, tuple[Probe, ...]]:
        """Jinja's callable, the ready evaluator (its translation, else Jinja's) and probes."""
        node = analysis.node
        translated: Translation | None = None
        if analysis.tree is not None:
            translated = self._translator.python(source, analysis.tree)
        if translated is None:
            whole = True
            if node is None:  # read by Jinja now, so that nothing parses text when it runs
                node, whole = self._jinja_reading(source)
            if node is not None and whole:
                translated = self._translator.jinja(source, node)
        fn = _LazyExpression(self.env, source, node)
        probes = tuple(self._probe(*p) for p in analysis.probes)
        return fn, fn if translated is None else translated[0], probes

    def expression(self, source: str, mark: Mark, owner: str) -> Expression | None:
        """A checked expression whose value is native (a Decimal stays a Decimal)."""
        source = source.strip()
        compiled = self._expressions.get(source)
        if compiled is None:
            analysis = self._analyse(source, "expression")
            if not self._report(analysis, mark, owner, True):
                return None
            compiled = self._expressions[source] = self._compile(source, analysis)
            # Checked and compiled once: keeping its syntax trees would only feed the collector.
            del self._analyses[("expression", source)]
        fn, evaluate, probes = compiled
        return Expression(source, mark, fn, evaluate, probes)

    def template(
        self, source: str, mark: Mark, owner: str, *, name: str | None = None
    ) -> Template | None:
        """A checked template rendered to text; ``name`` marks a ``.j2`` file (lines absolute)."""
        analysis = self._analyse(source, "template")
        issues = self._issues.get(source)
        if issues is None:
            issues = analysis.issues
            if analysis.node is not None:
                issues += tuple(missing_templates(analysis.node, self._template_names))
            self._issues[source] = issues
        if not self._report_issues(issues, mark, owner, name is None) or analysis.node is None:
            return None
        fn = self._templates.get(source) if name is None else None
        if fn is None:
            assert isinstance(analysis.node, nodes.Template)
            fn = _LazyTemplate(self.env, analysis.node, name, None if name is None else mark.file)
            if name is None:
                self._templates[source] = fn
            else:
                fn.compile()  # template files are few: generate them now
        return Template(source, mark, fn)

    def value(self, text: str, mark: Mark, owner: str) -> Any:
        """A parameter: one ``{{ expr }}`` → Expression; other Jinja → Template; else the text."""
        if "{{" not in text and "{%" not in text and "{#" not in text:
            return text
        single = _SINGLE_EXPRESSION.fullmatch(text)
        if single is not None:
            return self.expression(single["expr"], mark, owner)
        return self.template(text, mark, owner)

    def set_templates(
        self, sources: Mapping[str, str], files: Mapping[str, str] | None = None
    ) -> None:
        """Let templates include each other by name (``{% include 'footer.j2' %}``);
        ``files`` names each one's file, for the place of a failure at run time."""
        mapping = dict(sources)
        mapping.update({f"{name}.j2": text for name, text in sources.items()})
        self.env.html_templates = frozenset(
            key for key, text in mapping.items() if is_html_template(key, text)
        )
        self.env.loader = _FileLoader(mapping, files or {})
        self._template_names = frozenset(mapping)

    def subject(self, source: str, rel: str, owner: str) -> None:
        """Check a template file's ``{# subject: … #}`` line like a template of its own."""
        found = subject_line(source)
        if found is not None:
            self.template(found.text, Mark(rel, found.line, found.col), f"{owner}: subject")


def precompile(items: Iterable[Expression | Template]) -> None:
    """Generate the code of every expression/template now (e.g. in a warm-up after load)."""
    for item in items:
        fn = item.fn if isinstance(item, Expression) else item.render
        if isinstance(fn, _LazyExpression | _LazyTemplate):
            fn.compile()
