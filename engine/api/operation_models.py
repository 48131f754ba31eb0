"""Request bodies of the domain operations, derived from their Python signatures.

Every operation in ``OPERATIONS`` gets a pydantic model named after it: one field per
parameter (its type hint, its default), unknown fields forbidden. Operations registered later
get theirs the same way. Two rules keep HTTP callers inside their lane: a ``path`` parameter
(a file on the server, for the CLI) is not offered — send ``content`` instead — and floats are
turned into exact decimals by their shortest text before the operation sees them.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from engine.domain.models import CASE_DATE_FIELDS
from engine.domain.operations import accounts

HIDDEN = frozenset({"path"})  # server-side file paths: CLI only

# Operations taking ``**kwargs``: the parameters those stand for.
_KWARGS: dict[str, Callable[[], dict[str, tuple[Any, Any]]]] = {
    "place_account": lambda: (
        {name: spec for name, spec in _fields_of(accounts.place_account).items() if name != "id"}
        | {"id": (str | None, None)}
    ),
    "set_case_dates": lambda: {name: (date | None, None) for name in CASE_DATE_FIELDS},
}


def _api_type(hint: Any) -> Any:
    """The JSON-facing type of a hint: abstract collections become lists and dicts."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        mapped = tuple(_api_type(a) for a in args)
        return Union[mapped]  # noqa: UP007 - built from a runtime tuple
    if origin in (Iterable, list, tuple, set, frozenset) or origin is typing.Iterable:
        return list[_api_type(args[0]) if args else Any]  # type: ignore[misc]
    if origin in (Mapping, dict) or origin is typing.Mapping:
        key, value = args if len(args) == 2 else (str, Any)
        return dict[key, _api_type(value)]  # type: ignore[misc,valid-type]
    if hint is Decimal:
        return Decimal | str
    return hint


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # an unresolvable annotation: that parameter takes any JSON
        return {}


def _default(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _fields_of(fn: Callable[..., Any]) -> dict[str, tuple[Any, Any]]:
    hints = _hints(fn)
    fields: dict[str, tuple[Any, Any]] = {}
    for position, (name, param) in enumerate(inspect.signature(fn).parameters.items()):
        if position == 0 or name in HIDDEN:  # the unit of work
            continue
        if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
            continue
        hint = _api_type(hints.get(name, Any))
        default = ... if param.default is param.empty else _default(param.default)
        fields[name] = (hint, default)
    return fields


def params_model(name: str, fn: Callable[..., Any]) -> type[BaseModel]:
    """The request body model of operation ``name``."""
    fields = _fields_of(fn)
    open_kwargs = any(p.kind == p.VAR_KEYWORD for p in inspect.signature(fn).parameters.values())
    extra: Literal["allow", "forbid"] = "forbid"
    if open_kwargs:
        if name in _KWARGS:
            fields.update(_KWARGS[name]())
        else:
            extra = "allow"
    definitions = {
        field: (hint, Field(default=default)) for field, (hint, default) in fields.items()
    }
    title = "".join(part.capitalize() for part in name.split("_")) + "Params"
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        title,
        __config__=ConfigDict(extra=extra, title=title),
        **definitions,
    )
    model.__doc__ = (inspect.getdoc(fn) or f"Parameters of {name}.").splitlines()[0]
    return model


def exact(value: Any) -> Any:
    """Floats as Decimals by their shortest text (what the caller typed), recursively."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [exact(item) for item in value]
    return value
