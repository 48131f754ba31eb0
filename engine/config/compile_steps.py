"""Compile conditions, step parameters and the steps of action paths."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.config import steps as catalogue_steps
from engine.config.durations import Duration, DurationError, parse_duration
from engine.config.errors import Finding
from engine.config.expressions import ExpressionCompiler
from engine.config.loader import Node
from engine.config.model import (
    ActionStep,
    AllOf,
    AnyOf,
    Condition,
    Expression,
    IfStep,
    NotOf,
    RunStep,
    Step,
    StopStep,
    WaitStep,
)
from engine.config.references import References

# Keys that complete another step key, and the key each needs.
COMPANIONS: dict[str, str] = {"then": "if", "else": "if", "until": "wait"}
_ALLOWED: dict[str, tuple[str, ...]] = {"if": ("then", "else"), "wait": ("until",)}
_HEADS = frozenset(("if", "wait", "run", "stop"))
_CONDITION_SHAPE = (
    "a condition is an expression, a list (all must hold), {any: [...]}, {all: [...]} or {not: ...}"
)


class FrozenParams(Mapping[str, Any]):
    """Step parameters: a read-only, hashable mapping (nested values frozen too)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._data) == dict(other)

    def __repr__(self) -> str:
        return f"FrozenParams({self._data!r})"


def freeze(value: Any) -> Any:
    """Plain YAML data made read-only: mappings → FrozenParams, lists → tuples, floats → Decimal."""
    if isinstance(value, dict):
        return FrozenParams({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    if isinstance(value, float):
        return Decimal(str(value))
    return value


@dataclass(slots=True)
class StepCompiler:
    """Compiles steps for one RuleSet; findings go to ``findings``."""

    exprs: ExpressionCompiler
    refs: References
    findings: list[Finding] = field(default_factory=list)

    def error(self, message: str, node: Node, stage: str = "schema", *, key: bool = False) -> None:
        mark = node.key_mark if key else node.mark
        self.findings.append(Finding(message, mark, stage=stage))

    # --- conditions ----------------------------------------------------------------------

    def condition(self, node: Node, owner: str) -> Condition | None:
        """A string → Expression; a list → AllOf; {any|all|not: ...} → AnyOf/AllOf/NotOf."""
        value = node.value
        if isinstance(value, bool):
            return self.exprs.expression("true" if value else "false", node.mark, owner)
        if isinstance(value, str):
            return self.exprs.expression(value, node.mark, owner)
        if isinstance(value, list):
            return self._all(node, owner)
        if isinstance(value, dict) and len(value) == 1:
            ((key, inner),) = node.entries()
            if key == "not":
                item = self.condition(inner, owner)
                return NotOf(item, node.mark) if item is not None else None
            if key == "all":
                return self._all(inner, owner)
            if key == "any":
                items = self._items(inner, owner)
                return AnyOf(items, inner.mark) if items is not None else None
        self.error(f"{owner}: {_CONDITION_SHAPE}", node)
        return None

    def _items(self, node: Node, owner: str) -> tuple[Condition, ...] | None:
        if not isinstance(node.value, list) or not node.value:
            self.error(f"{owner}: expected a non-empty list of conditions", node)
            return None
        compiled = [self.condition(item, owner) for item in node.items()]
        if any(item is None for item in compiled):
            return None
        return tuple(item for item in compiled if item is not None)

    def _all(self, node: Node, owner: str) -> AllOf | None:
        items = self._items(node, owner)
        return AllOf(items, node.mark) if items is not None else None

    # --- values --------------------------------------------------------------------------

    def value(self, node: Node, owner: str) -> Any:
        """A parameter value: Jinja strings compiled, floats made Decimal, containers frozen."""
        value = node.value
        if isinstance(value, str):
            return self.exprs.value(value, node.mark, owner)
        if isinstance(value, float):
            return Decimal(str(value))
        if isinstance(value, dict):
            return FrozenParams({key: self.value(child, owner) for key, child in node.entries()})
        if isinstance(value, list):
            return tuple(self.value(child, owner) for child in node.items())
        return value

    def duration(self, node: Node, owner: str, what: str) -> Duration | None:
        """Parse an offset or duration; a bad one is a finding of the durations stage."""
        try:
            return parse_duration(node.value)
        except DurationError as exc:
            self.error(f"{owner}: {what}: {exc}", node, "durations")
            return None

    # --- steps ---------------------------------------------------------------------------

    def steps(self, node: Node, owner: str) -> tuple[Step, ...]:
        if not isinstance(node.value, list) or not node.value:
            self.error(f"{owner}: needs at least one step", node)
            return ()
        compiled = (self.step(item, owner) for item in node.items())
        return tuple(step for step in compiled if step is not None)

    def step(self, node: Node, owner: str) -> Step | None:
        if not isinstance(node.value, dict) or not node.value:
            self.error(f"{owner}: a step is a mapping such as {{set_status: LEGAL}}", node)
            return None
        keys = [str(key) for key in node.value if key != "label"]
        heads = [key for key in keys if key not in COMPANIONS]
        if len(heads) > 1:
            self.error(
                f"{owner}: a step holds one action, found '{heads[0]}' and '{heads[1]}' "
                "(write them as two steps)",
                node,
            )
            return None
        head = heads[0] if heads else None
        if head is not None and head not in _HEADS:
            body = self._at(node, head)
            if not self.refs.check("action", head, body.key_mark, owner):
                return None
        for key in keys:
            if key in COMPANIONS and key not in _ALLOWED.get(head or "", ()):
                needs = COMPANIONS[key]
                self.error(
                    f"{owner}: '{key}' without '{needs}' in the same step",
                    self._at(node, key),
                    key=True,
                )
                return None
        if head is None:
            self.error(f"{owner}: empty step", node)
            return None
        if head == "if":
            return self._if(node, owner)
        if head == "wait":
            return self._wait(node, owner)
        if head == "run":
            target = self._at(node, "run")
            if not isinstance(target.value, str):
                self.error(f"{owner}: 'run' names one action path", target)
                return None
            self.refs.check("action_path", target.value, target.mark, owner)
            return RunStep(target.value, node.mark)
        if head == "stop":
            reason = self._at(node, "stop").value
            return StopStep("" if reason in (None, True) else str(reason), node.mark)
        return self._action(node, head, owner)

    @staticmethod
    def _at(node: Node, key: str) -> Node:
        found = node.get(key)
        assert found is not None
        return found

    def _if(self, node: Node, owner: str) -> IfStep | None:
        if node.get("then") is None:
            self.error(f"{owner}: 'if' without 'then'", self._at(node, "if"), key=True)
            return None
        condition = self.condition(self._at(node, "if"), owner)
        then = self.steps(self._at(node, "then"), owner)
        otherwise_node = node.get("else")
        otherwise = self.steps(otherwise_node, owner) if otherwise_node is not None else ()
        if condition is None:
            return None
        return IfStep(condition, then, otherwise, node.mark)

    def _wait(self, node: Node, owner: str) -> WaitStep | None:
        duration = self.duration(self._at(node, "wait"), owner, "wait")
        until_node = node.get("until")
        until = self.condition(until_node, owner) if until_node is not None else None
        if duration is None or (until_node is not None and until is None):
            return None
        return WaitStep(duration, until, node.mark)

    def _action(self, node: Node, name: str, owner: str) -> ActionStep | None:
        body = self._at(node, name)
        spec = catalogue_steps.BY_NAME.get(name)
        label_node = node.get("label")
        label = str(label_node.value) if label_node is not None else ""
        if body.value is None:
            params_node: dict[str, Node] = {}
        elif isinstance(body.value, dict):
            params_node = dict(body.entries())
        elif spec is None or spec.shorthand is not None:
            # The shorthand: ``set_status: LEGAL`` is ``set_status: {code: LEGAL}``.
            params_node = {spec.shorthand if spec and spec.shorthand else "value": body}
        else:
            self.error(f"{owner}: action '{name}' takes named parameters, not a single value", body)
            return None
        ok = True
        if spec is not None:
            for required in spec.required:
                if required not in params_node:
                    self.error(
                        f"{owner}: action '{name}' needs '{required}'", body, "references", key=True
                    )
                    ok = False
            ok = self._check_param_refs(spec, params_node, owner) and ok
        params = {key: self.value(child, owner) for key, child in params_node.items()}
        return ActionStep(name, FrozenParams(params), node.mark, label) if ok else None

    def _check_param_refs(
        self, spec: catalogue_steps.ActionSpec, params: Mapping[str, Node], owner: str
    ) -> bool:
        ok = True
        for param, kind in spec.refs.items():
            target = params.get(param)
            if target is None or not isinstance(target.value, str) or "{" in target.value:
                continue  # computed at run time: nothing to check now
            if kind == "event":
                ok = self.refs.check_emitted(target.value, target.mark, owner) and ok
            elif kind in ("status_code", "worklist", "template", "action_path", "client"):
                ok = self.refs.check(kind, target.value, target.mark, owner) and ok
        for param in spec.durations:
            target = params.get(param)
            if target is None or (isinstance(target.value, str) and "{" in target.value):
                continue
            ok = self.duration(target, owner, param) is not None and ok
        return ok


def expressions_in(step: Step) -> Iterator[Expression]:
    """Every compiled expression a step holds (for warm-up and tests)."""
    if isinstance(step, ActionStep):
        yield from _values(step.params)
    elif isinstance(step, IfStep):
        yield from _conditions(step.condition)
    elif isinstance(step, WaitStep) and step.until is not None:
        yield from _conditions(step.until)


def _values(value: Any) -> Iterator[Expression]:
    if isinstance(value, Expression):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _values(item)
    elif isinstance(value, tuple):
        for item in value:
            yield from _values(item)


def _conditions(condition: Condition) -> Iterator[Expression]:
    if isinstance(condition, Expression):
        yield condition
    elif isinstance(condition, NotOf):
        yield from _conditions(condition.item)
    else:
        for item in condition.items:
            yield from _conditions(item)
