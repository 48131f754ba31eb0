"""What one render or evaluation may spend: time and output size (``agency.limits``).

The sandbox asks the budget only where work can grow without bound — repetition and powers,
``range``, loops, calls, ``str.format`` widths, concatenation and the text a template writes —
never on a plain comparison. Time is checked cooperatively against a deadline set when a Jinja
render or evaluation starts; the translated fast path has no loops or calls, so only its
sizes are checked. Going over raises ``BudgetExceeded``, which fails the step like any error.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from string import Formatter
from time import monotonic
from typing import Any

from jinja2 import Template as JinjaTemplate
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from engine.config.errors import BudgetExceeded
from engine.config.model import Limits

MAX_RANGE = 100_000  # Jinja's own sandbox limit, now an error that says so
_WIDTH = re.compile(r"\d+")
_SIZED_METHODS = frozenset(("center", "ljust", "rjust", "zfill", "expandtabs"))


def _size(value: Any) -> int:
    """The characters (or items) a value holds, one level deep: what repeating it costs."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, list | tuple):
        return len(value) + sum(len(v) for v in value if isinstance(v, str | bytes | list | tuple))
    return 0


class Budget:
    """The limits of one RuleSet and the deadline of the render running on this thread."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._local = threading.local()

    @contextmanager
    def running(self) -> Iterator[None]:
        """Start the clock unless an outer render already did (an include, a macro)."""
        outer = getattr(self._local, "deadline", None)
        if outer is None:
            self._local.deadline = monotonic() + self.limits.render_ms / 1000
        try:
            yield
        except RecursionError:
            raise BudgetExceeded(
                "calls itself too deeply (a macro or include that recurses without end?)"
            ) from None
        finally:
            if outer is None:
                self._local.deadline = None

    def check_time(self) -> None:
        deadline = getattr(self._local, "deadline", None)
        if deadline is not None and monotonic() > deadline:
            raise BudgetExceeded(
                f"took longer than {self.limits.render_ms} ms (agency.limits.render_ms)"
            )

    def too_big(self, size: int, what: str) -> None:
        if size > self.limits.output_bytes:
            raise BudgetExceeded(
                f"{what} would be over {self.limits.output_bytes} characters"
                " (agency.limits.output_bytes)"
            )

    def sized(self, value: Any) -> Any:
        self.too_big(_size(value), "a value")
        return value

    def before_binop(self, operator: str, left: Any, right: Any) -> None:
        """Refuse repetition and powers whose result would be over the limit."""
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(count, int) and _size(seq):
                    self.too_big(_size(seq) * max(count, 0), "a repeated value")
        elif operator == "**":
            if type(left) is int and type(right) is int and abs(left) > 1 and right > 0:
                self.too_big(right * abs(left).bit_length() // 8, "a power")
        elif operator == "%" and isinstance(left, str):
            self.check_widths(left)
        self.check_time()

    def check_widths(self, text: str) -> None:
        """Refuse a format string (``{:>2000000000}``, ``%2000000000d``) with a huge width."""
        for digits in _WIDTH.findall(text):
            if len(digits) > 6:
                self.too_big(int(digits[:12]), "a format width")

    def check_format(self, template: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.check_time()
        for _literal, _field, spec, _conversion in Formatter().parse(template):
            if spec and "{" in spec:  # a width from an argument: check the arguments
                for value in (*args, *kwargs.values()):
                    if isinstance(value, int):
                        self.too_big(value, "a format width")
            elif spec:
                self.check_widths(spec)

    def check_call(self, obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.check_time()
        name = getattr(obj, "__name__", "")
        if isinstance(getattr(obj, "__self__", None), str):
            if name in _SIZED_METHODS:
                for value in (*args, *kwargs.values()):
                    if isinstance(value, int):
                        self.too_big(value, f"str.{name}()")
            elif name == "join" and args:
                items = args[0]
                self.too_big(_size(items) if isinstance(items, list | tuple) else 0, "a join")

    def range(self, *args: int) -> range:
        self.check_time()
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise BudgetExceeded(f"range() of {len(numbers)} numbers (at most {MAX_RANGE})")
        return numbers

    def lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        self.too_big(int(n) * int(max) * 12, "lipsum()")
        return str(generate_lorem_ipsum(n, html, min, max))

    def loop(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """A ``{% for %}`` loop's items, with the clock checked every 256 of them."""
        self.check_time()
        for count, item in enumerate(iterable):
            if not count & 255:
                self.check_time()
            yield item

    def chunks(self, parts: Iterable[str]) -> Iterator[str]:
        """The text a template writes, counted as it is written."""
        total = 0
        for part in parts:
            total += len(part)
            self.too_big(total, "the rendered text")
            self.check_time()
            yield part

    def checked_filter(self, fn: Callable[..., Any], name: str) -> Callable[..., Any]:
        """A filter whose integer arguments (widths, counts) are held to the output limit."""

        passes = hasattr(fn, "jinja_pass_arg")  # its first argument is Jinja's, not the value

        def filter_(*args: Any, **kwargs: Any) -> Any:
            self.check_time()
            given = args[1:] if passes else args
            for value in (*given[1:], *kwargs.values()):
                if isinstance(value, int):
                    self.too_big(value, f"|{name}")
            if name == "replace" and len(given) >= 3:
                text, old, new = (str(a) for a in given[:3])
                self.too_big(len(text) + (text.count(old) + 1) * len(new), "|replace")
            if name == "format" and given:
                self.check_widths(str(given[0]))
            return fn(*args, **kwargs)

        filter_.__dict__.update(fn.__dict__)  # keeps Jinja's pass_environment/context marks
        return filter_


class BudgetTemplate(JinjaTemplate):
    """A template whose render runs on the clock and counts the text it writes."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        env = self.environment
        budget: Budget = env.budget  # type: ignore[attr-defined]
        ctx = self.new_context(dict(*args, **kwargs))
        try:
            with budget.running():
                return str(env.concat(budget.chunks(self.root_render_func(ctx))))
        except Exception:
            env.handle_exception()  # Jinja's traceback rewrite: the template's own line


class BudgetCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every ``~`` concatenation's result held to the limit."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.budget.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


class _NotConstant(Exception):
    pass


def _fold(node: nodes.Node, budget: Budget) -> Any:
    """A constant operand's value, computed only when the budget allows it."""
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.List | nodes.Tuple):
        return [_fold(item, budget) for item in node.items]
    if isinstance(node, nodes.Mul | nodes.Pow):
        left, right = _fold(node.left, budget), _fold(node.right, budget)
        budget.before_binop(node.operator, left, right)
        return left * right if node.operator == "*" else left**right
    raise _NotConstant


def constant_bombs(tree: nodes.Node, limits: Limits) -> list[tuple[int, str]]:
    """Repetitions and powers of literals that would go over the budget (line, message)."""
    budget, found = Budget(limits), []
    roots = [tree] if isinstance(tree, nodes.Mul | nodes.Pow) else []
    for item in (*roots, *tree.find_all((nodes.Mul, nodes.Pow))):
        try:
            _fold(item, budget)
        except _NotConstant:
            continue
        except BudgetExceeded as exc:
            found.append((item.lineno, str(exc)))
            break  # the outermost one says it; its operands would repeat it
        except (TypeError, ValueError, OverflowError):
            continue  # not a bomb; the evaluation reports it as it always did
    return found


def count_loops(tree: nodes.Node) -> None:
    """Route every ``{% for %}`` loop's items through the budget (``|_budget_loop``)."""
    for loop in tree.find_all(nodes.For):
        if not (isinstance(loop.iter, nodes.Filter) and loop.iter.name == "_budget_loop"):
            loop.iter = nodes.Filter(loop.iter, "_budget_loop", [], [], None, None)
            loop.iter.set_lineno(loop.lineno)


class BudgetedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with every hook that can run long or grow large asking the budget."""

    code_generator_class = BudgetCodeGenerator
    template_class = BudgetTemplate

    def __init__(self, limits: Limits, **options: Any) -> None:
        self.budget = Budget(limits)
        super().__init__(**options)
        for name in ("center", "format", "indent", "replace", "wordwrap", "truncate"):
            self.filters[name] = self.budget.checked_filter(self.filters[name], name)
        self.filters["_budget_loop"] = self.budget.loop
        self.globals.update(range=self.budget.range, lipsum=self.budget.lipsum)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.budget.check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        formatted = super().wrap_str_format(value)
        if formatted is None:
            return None
        text, check = value.__self__, self.budget.check_format

        def checked(*args: Any, **kwargs: Any) -> str:
            check(str(text), args, kwargs)
            return formatted(*args, **kwargs)

        return checked

    def _generate(self, source: nodes.Template, *args: Any, **kwargs: Any) -> str:
        count_loops(source)
        return super()._generate(source, *args, **kwargs)
