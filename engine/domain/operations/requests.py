"""Operations that take one frozen request: callers give the request's fields as parameters.

A scenario's ``with:``, the CLI and the API give an operation flat parameters. A button that
works on one typed request (``JudgmentRequest``) gets an operation entry whose signature is the
request's fields, so binding the parameters and the API's request body come from the request
itself, never from a copy of its fields.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import operator
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol, Self, TypeVar

from engine.domain.unit import Unit


class Request(Protocol):
    """A frozen dataclass a button takes whole; ``read`` builds it from the parameters given."""

    @classmethod
    def read(cls, given: Mapping[str, Any]) -> Self: ...


R = TypeVar("R", bound=Request)
T = TypeVar("T")


def given_type(hint: Any) -> Any:
    """What a caller may give for a request field of type ``hint``: for a Decimal, optional or
    not, any value (text or a number, which ``read`` takes exactly or refuses naming the field);
    for a mapping of Decimals, a mapping of any values. Other types are given as they are."""
    if hint is Decimal:
        return Any
    if Decimal not in _leaves(hint):
        return hint
    given = tuple(given_type(arg) for arg in typing.get_args(hint))
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return Any if Any in given else functools.reduce(operator.or_, given)
    return typing.get_origin(hint)[given]


def _leaves(hint: Any) -> set[Any]:
    args = typing.get_args(hint)
    return set().union(*(_leaves(arg) for arg in args)) if args else {hint}


def taking(request: type[R], button: Callable[[Unit, R], T]) -> Callable[..., T]:
    """The operation entry of ``button``: called with the fields of ``request`` as parameters,
    it reads them into the request and hands it to the button."""

    def operation(unit: Unit, **given: Any) -> T:
        return button(unit, request.read(given))

    hints = typing.get_type_hints(request)
    parameters = [
        inspect.Parameter("unit", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Unit)
    ]
    for field in dataclasses.fields(request):  # type: ignore[arg-type]
        parameters.append(
            inspect.Parameter(
                field.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=inspect.Parameter.empty
                if field.default is dataclasses.MISSING
                else field.default,
                annotation=given_type(hints[field.name]),
            )
        )
    operation.__name__ = button.__name__
    operation.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    operation.__annotations__ = {p.name: p.annotation for p in parameters}
    return operation
