"""The action registry: one visible table of built-in actions; integrators register more."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.config.model import ActionStep, RuleSet, Template
from engine.config.model import Expression as CompiledExpression
from engine.config.render_marks import failure_mark
from engine.domain import DomainError, Unit
from engine.domain import models as m
from engine.runtime.context.conditions import evaluate_expression
from engine.runtime.context.subjects import Subject
from engine.runtime.errors import StepFailed


@dataclass(slots=True)
class StepContext:
    """Everything an action needs: the unit of work, the subject, the expression context."""

    unit: Unit
    ruleset: RuleSet
    subject: Subject
    context: dict[str, Any]
    run_id: int  # the run this step belongs to, part of idempotency keys
    step: ActionStep
    position: str  # the step's place in the run, part of idempotency keys

    def target_accounts(self, params: Mapping[str, Any]) -> list[m.Account]:
        """Accounts an account action applies to: ``account:`` if given, else the subject's."""
        wanted = params.get("account")
        if wanted is None:
            if not self.subject.accounts:
                raise StepFailed(f"{self.step.action}: the {self.subject.kind} has no account")
            return list(self.subject.accounts)
        ids = [wanted] if isinstance(wanted, str) else [str(x) for x in wanted]
        return [self.unit.get(m.Account, str(i), "account") for i in ids]

    @property
    def variables(self) -> dict[str, Any]:
        variables: dict[str, Any] = self.context["vars"]
        return variables


Action = Callable[[StepContext, dict[str, Any]], dict[str, Any]]


class ActionRegistry:
    """Maps step names to callables; ``register`` is how integrators add actions."""

    def __init__(self) -> None:
        self._actions: dict[str, Action] = {}

    def register(self, name: str, fn: Action | None = None) -> Any:
        """Register ``fn`` under ``name``; usable as a decorator."""

        def add(func: Action) -> Action:
            self._actions[name] = func
            return func

        return add(fn) if fn is not None else add

    def get(self, name: str) -> Action:
        try:
            return self._actions[name]
        except KeyError:
            raise StepFailed(f"no action named '{name}' is registered") from None

    def names(self) -> Iterable[str]:
        return tuple(self._actions)

    def copy(self) -> ActionRegistry:
        other = ActionRegistry()
        other._actions = dict(self._actions)
        return other


def resolve_params(value: Any, context: Mapping[str, Any]) -> Any:
    """Evaluate compiled expressions and render templates inside step parameters."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # most of them
        return value
    if kind is dict:
        return {k: resolve_params(item, context) for k, item in value.items()}
    if isinstance(value, CompiledExpression):
        return evaluate_expression(value, context)
    if isinstance(value, Template):
        try:
            return value.render(context)
        except Exception as exc:
            raise StepFailed(f"{failure_mark(value, exc)}: template failed: {exc}") from exc
    if isinstance(value, Mapping):
        return {k: resolve_params(item, context) for k, item in value.items()}
    if isinstance(value, list | tuple):
        return [resolve_params(item, context) for item in value]
    return value


def call(registry: ActionRegistry, ctx: StepContext) -> dict[str, Any]:
    """Resolve the step's parameters and run its action; domain refusals become failures."""
    params = resolve_params(ctx.step.params, ctx.context)
    try:
        return registry.get(ctx.step.action)(ctx, params)
    except DomainError as exc:
        raise StepFailed(str(exc)) from exc
