"""Request bodies of the domain operations, derived from their Python signatures.

Every operation in ``OPERATIONS`` gets a pydantic model named after it: one field per
parameter (its type hint, its default), unknown fields forbidden. Operations registered later
get theirs the same way. A ``path`` parameter (a file on the server, for the CLI) is not
offered — send ``content`` instead. Parameters named for an id (``case``, ``account``…) keep
the id rule and parameters named for an amount (``amount``, ``balances``…) the money format,
so the API refuses them with a 422 naming the field before the operation runs; the operation
checks again whatever reaches it another way (nested amounts, the CLI, scenarios).
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

from engine.api.inputs import Amount, ClientCode, Ident, Idents
from engine.domain.models import CASE_DATE_FIELDS
from engine.domain.operations import accounts

HIDDEN = frozenset({"path"})  # server-side file paths: CLI only

# Parameters by name: the ids, client codes, lists of ids, amounts and maps of amounts.
ID_PARAMS = frozenset(
    [
        "id",
        "account",
        "bundle",
        "case",
        "settlement",
        "offer",
        "follow_up",
        "judgment",
        "judgment_account",
    ]
)
CLIENT_PARAMS = frozenset({"client", "judgment_client"})
ID_LIST_PARAMS = frozenset({"accounts", "defendants"})
MONEY_PARAMS = frozenset({"amount", "court_costs", "attorney_fees"})
MONEY_MAP_PARAMS = frozenset({"balances", "spread"})

# Operations taking ``**kwargs``: the parameters those stand for.
_KWARGS: dict[str, Callable[[], dict[str, tuple[Any, Any]]]] = {
    "place_account": lambda: (
        {name: spec for name, spec in _fields_of(accounts.place_account).items() if name != "id"}
        | {"id": (Ident | None, None)}
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


def _by_name(name: str, hint: Any, optional: bool) -> Any:
    """The API type of a parameter named for an id or an amount; ``hint`` for any other."""
    if name in ID_PARAMS:
        found: Any = Ident
    elif name in CLIENT_PARAMS:
        found = ClientCode
    elif name in ID_LIST_PARAMS:
        found = Idents
    elif name in MONEY_PARAMS:
        found = Amount
    elif name in MONEY_MAP_PARAMS:
        found = dict[str, Amount]
    else:
        return hint
    return found | None if optional else found


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # an unresolvable annotation: that parameter takes any JSON
        return {}


def _admits_none(hint: Any) -> bool:
    return typing.get_origin(hint) in (Union, types.UnionType) and type(None) in typing.get_args(
        hint
    )


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
        default = ... if param.default is param.empty else _default(param.default)
        optional = default is None or _admits_none(hints.get(name, Any))
        hint = _by_name(name, _api_type(hints.get(name, Any)), optional)
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
