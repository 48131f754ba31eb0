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
import json
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


SettingsPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class SettingsProblem:
    """One thing wrong with a connector's settings, and where: a path below ``settings``
    (ending in ``"__key__"`` when the key itself is wrong)."""

    path: SettingsPath
    message: str


def settings_problems(kind: ConnectorType, settings: Mapping[str, Any]) -> list[SettingsProblem]:
    """What is wrong with settings against the connector's JSON Schema (and ``retry``)."""
    own = {k: v for k, v in settings.items() if k != "retry"}
    problems: list[SettingsProblem] = []
    validator = Draft202012Validator(dict(kind.settings_schema))
    errors = list(validator.iter_errors(own))
    if errors:
        first = best_match(errors)
        for error in [first, *(e for e in errors if e is not first)]:
            problems.extend(p for p in _describe(error) if p not in problems)
    if "retry" in settings:
        retry = Draft202012Validator(RETRY_SCHEMA)
        for error in retry.iter_errors(settings["retry"]):
            problems.extend(
                SettingsProblem(("retry", *p.path), f"retry: {p.message}") for p in _describe(error)
            )
    return problems


def _got(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value, default=str)


def _describe(error: Any) -> list[SettingsProblem]:
    path: SettingsPath = tuple(error.absolute_path)
    where = ".".join(str(p) for p in path)
    named = f"'{where}'"
    kind, schema, value = error.validator, error.schema, error.instance
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        return [
            SettingsProblem(
                (*path, key, "__key__"),
                f"unknown setting '{'.'.join([where, key]) if where else key}'"
                f"{did_you_mean(key, allowed)}",
            )
            for key in sorted(set(value) - set(allowed))
        ]
    if kind in ("required", "dependentRequired"):
        message = str(error.message).replace("is a required property", "is required")
        return [SettingsProblem(path, message + (f" in {named}" if where else ""))]
    if not where:
        return [SettingsProblem(path, str(error.message))]
    bound = error.validator_value
    if kind == "maximum":
        message = f"{named} must be at most {bound} (got {_got(value)})"
    elif kind == "minimum":
        message = f"{named} must be at least {bound} (got {_got(value)})"
    elif kind == "exclusiveMinimum":
        message = f"{named} must be more than {bound} (got {_got(value)})"
    elif kind == "type":
        message = f"{named} must be of type {bound} (got {_got(value)})"
    elif kind == "enum":
        hint = did_you_mean(str(value), [str(v) for v in bound])
        choices = ", ".join(str(v) for v in bound)
        message = f"{named} must be one of {choices} (got {_got(value)}){hint}"
    elif kind == "pattern" and "title" in schema:
        message = f"{named} is not {schema['title']} (got {_got(value)})"
    else:
        message = f"{named}: {error.message}"
    return [SettingsProblem(path, message)]
