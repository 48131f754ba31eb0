"""Connector types: the built-ins in one visible table, third parties by entry point.

Built-ins are named here explicitly (imported on first use, so the CLI never pays for
WeasyPrint unless a letter is printed). Third-party packages declare

    [project.entry-points."docket.connectors"]
    fax = "acme_fax:FaxConnector"

and are found through ``importlib.metadata``. A third-party name that shadows a built-in is
ignored: a package cannot silently replace how Docket sends email.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from importlib.metadata import entry_points
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from engine.config.errors import did_you_mean
from engine.outbox.api import ENTRY_POINT_GROUP, ConnectorType
from engine.outbox.errors import UnknownConnector

BUILTINS: dict[str, str] = {
    "folder": "connectors.folder:FolderConnector",
    "smtp": "connectors.smtp:SmtpConnector",
    "sms_http": "connectors.sms:SmsGateway",
    "webhook": "connectors.webhook:WebhookConnector",
    "print_batch": "connectors.letters:PrintBatch",
}

# Relay settings every connector accepts under ``settings.retry`` (not the connector's own).
RETRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "max_attempts": {"type": "integer", "minimum": 1},
        "backoff_seconds": {"type": "number", "minimum": 0},
        "max_backoff_seconds": {"type": "number", "minimum": 0},
    },
}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a connector type comes from: ``builtin`` or the distribution that declares it."""

    name: str
    origin: str
    load: Callable[[], Any]


def _import(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def sources() -> dict[str, Source]:
    """Every connector type by name: built-ins first, then installed plug-ins."""
    found = {
        name: Source(name, "builtin", partial(_import, target)) for name, target in BUILTINS.items()
    }
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name in found:
            continue
        dist = point.dist.name if point.dist is not None else point.value
        found[point.name] = Source(point.name, dist, point.load)
    return found


def load_type(name: str) -> ConnectorType:
    """The connector class for a ``type:``; UnknownConnector with a suggestion if none."""
    known = sources()
    source = known.get(name)
    if source is None:
        raise UnknownConnector(
            f"unknown connector type '{name}'{did_you_mean(name, known)}; installed: "
            + ", ".join(sorted(known))
        )
    kind = source.load()
    missing = [attr for attr in ("name", "settings_schema", "send") if not hasattr(kind, attr)] + (
        [] if callable(kind) else ["__call__"]
    )
    if missing:
        raise UnknownConnector(
            f"connector type '{name}' from {source.origin} is not a connector "
            f"(missing {', '.join(missing)})"
        )
    result: ConnectorType = kind
    return result


def settings_problems(kind: ConnectorType, settings: Mapping[str, Any]) -> list[str]:
    """What is wrong with settings against the connector's JSON Schema (and ``retry``)."""
    own = {k: v for k, v in settings.items() if k != "retry"}
    problems = []
    validator = Draft202012Validator(dict(kind.settings_schema))
    errors = list(validator.iter_errors(own))
    if errors:
        problems.append(_describe(best_match(errors)))
        problems.extend(_describe(e) for e in errors if _describe(e) not in problems)
    if "retry" in settings:
        retry = Draft202012Validator(RETRY_SCHEMA)
        problems.extend(f"retry: {_describe(e)}" for e in retry.iter_errors(settings["retry"]))
    return problems


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return "; ".join(
            f"unknown setting '{'.'.join([where, key]) if where else key}'"
            f"{did_you_mean(key, allowed)}"
            for key in extra
        )
    if error.validator == "required":
        return str(error.message).replace("is a required property", "is required") + (
            f" in '{where}'" if where else ""
        )
    message = str(error.message)
    return f"'{where}': {message}" if where else message
