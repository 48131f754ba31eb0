"""Which connector sends a message: the ``connectors:`` section, checked and instantiated.

Routing: a connector serves the channels it lists (default: its type's channels) and, when
it lists ``clients``, only those clients' messages. For a message the first connector, in
configuration order, that names the message's client wins; else the first that serves every
client. With no connector configured at all, the ``folder`` connector writes every message
under ``./docket-outbox`` (the demo and a fresh checkout work offline). With connectors
configured, a channel nobody serves is an error on the message (a dead letter), never a
silent fallback.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.config.errors import ConfigError, Finding, Severity
from engine.config.model import ConnectorConfig, RuleSet
from engine.config.secrets import credentials_in_url, url_credentials, variable_name
from engine.outbox.api import Connector, ConnectorContext, ConnectorType
from engine.outbox.errors import UnknownConnector
from engine.outbox.registry import load_type, settings_problems
from engine.outbox.secrets import Redactor, expand, inline_secrets

DEFAULT_CONNECTOR = "outbox-folder"
STAGE = "connectors"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter; ``max_attempts`` sends before a dead letter."""

    max_attempts: int = 5
    backoff_seconds: float = 30.0
    max_backoff_seconds: float = 3600.0

    def delay(self, attempts: int, retry_after: float | None = None, rng: Any = random) -> float:
        """Seconds to wait after the ``attempts``-th failed send ("equal jitter")."""
        doubled = self.backoff_seconds * 2.0 ** max(attempts - 1, 0)
        ceiling = min(self.max_backoff_seconds, doubled)
        wait = ceiling / 2 + float(rng.uniform(0, ceiling / 2))
        return max(wait, retry_after or 0.0)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> RetryPolicy:
        default, values = cls(), dict(settings or {})
        return cls(
            int(values.get("max_attempts", default.max_attempts)),
            float(values.get("backoff_seconds", default.backoff_seconds)),
            float(values.get("max_backoff_seconds", default.max_backoff_seconds)),
        )


@dataclass(slots=True)
class Route:
    """One configured connector, ready to send."""

    id: str
    type: str
    kind: ConnectorType
    connector: Connector
    channels: tuple[str, ...]
    clients: tuple[str, ...]
    retry: RetryPolicy

    @property
    def deduplicates(self) -> bool:
        return bool(getattr(self.kind, "deduplicates", False))

    def serves(self, channel: str) -> bool:
        return "*" in self.channels or channel in self.channels


@dataclass(slots=True)
class Router:
    """The routes of one RuleSet and the redactor for their secrets."""

    routes: list[Route]
    redact: Redactor = field(default_factory=Redactor)

    def route(self, channel: str, client: str | None) -> Route | None:
        serving = [r for r in self.routes if r.serves(channel)]
        for route in serving:
            if client is not None and client in route.clients:
                return route
        return next((r for r in serving if not r.clients), None)

    def get(self, route_id: str) -> Route | None:
        return next((r for r in self.routes if r.id == route_id), None)

    def close(self) -> None:
        for route in self.routes:
            closer = getattr(route.connector, "close", None)
            if callable(closer):
                closer()


def _context(ruleset: RuleSet, workdir: Path | None) -> ConnectorContext:
    return ConnectorContext(
        agency=ruleset.agency.name,
        timezone=ruleset.agency.timezone,
        config_root=Path(ruleset.root),
        workdir=workdir or Path.cwd(),
    )


def _configured(ruleset: RuleSet) -> tuple[ConnectorConfig, ...]:
    if ruleset.connectors:
        return ruleset.connectors
    return (ConnectorConfig(DEFAULT_CONNECTOR, "folder", {}, ("*",)),)


def build(
    ruleset: RuleSet,
    environ: Mapping[str, str] | None = None,
    workdir: Path | None = None,
    *,
    unset: Severity = "error",
) -> tuple[Router, list[Finding]]:
    """Check and instantiate every configured connector; findings for the ones that fail,
    each at the line of what is wrong. ``unset``: the severity of a ``${VARIABLE}`` the
    environment lacks (a connector that needs one is not started either way)."""
    env = os.environ if environ is None else environ
    context = _context(ruleset, workdir)
    routes: list[Route] = []
    findings: list[Finding] = []
    secrets: list[str] = []
    for config in _configured(ruleset):
        owner = f"connector '{config.id}'"
        mine: list[Finding] = []

        def problem(
            message: str,
            path: tuple[str | int, ...] = (),
            severity: Severity = "error",
            config: ConnectorConfig = config,
            owner: str = owner,
            mine: list[Finding] = mine,
        ) -> None:
            where = config.where(path) if path else config.mark
            mine.append(Finding(f"{owner}: {message}", where, severity, STAGE))

        for path in inline_secrets(config.settings):
            problem(
                f"settings '{'.'.join(map(str, path))}' is written inline; put it in an "
                f"environment variable and write ${{{variable_name(config.id, *path)}}}",
                ("settings", *path),
            )
        for path in url_credentials(config.settings):
            problem(credentials_in_url(config.id, path), ("settings", *path))
        expanded = expand(config.settings, env)
        secrets.extend(expanded.secrets)
        unresolved: set[tuple[str | int, ...]] = set()
        for where, variable in expanded.missing:
            path = _settings_path(config, where)
            unresolved.add(path)
            later = "" if unset == "error" else " (docket run, reload and publish refuse it)"
            problem(
                f"settings '{where}' needs the environment variable {variable}, which is "
                f"unset{later}",
                ("settings", *path),
                unset,
            )
        try:
            kind = load_type(config.type)
        except UnknownConnector as exc:
            problem(str(exc), ("type",))
            findings.extend(mine)
            continue
        redact = Redactor(expanded.secrets)
        for found in settings_problems(kind, expanded.settings):
            # A value whose variable is unset was read as "": that is reported above.
            if not any(found.path[: len(p)] == p for p in unresolved):
                problem(f"settings: {redact(found.message)}", ("settings", *found.path))
        channels = config.channels or tuple(getattr(kind, "channels", ()) or ("*",))
        findings.extend(mine)
        if mine:
            continue
        try:
            connector = kind(expanded.settings, context)
        except Exception as exc:  # a plug-in's constructor may refuse its settings
            problem(f"cannot start: {redact(f'{type(exc).__name__}: {exc}')}", ("settings",))
            findings.extend(mine)
            continue
        routes.append(
            Route(
                config.id,
                config.type,
                kind,
                connector,
                channels,
                config.clients,
                RetryPolicy.from_settings(expanded.settings.get("retry")),
            )
        )
    return Router(routes, Redactor(secrets)), findings


def _settings_path(config: ConnectorConfig, dotted: str) -> tuple[str | int, ...]:
    """``retry.max_attempts`` or ``headers.0`` as the path its marks are kept under."""
    path: tuple[str | int, ...] = ()
    for part in dotted.split(".") if dotted else ():
        as_index: str | int = int(part) if part.isdigit() else part
        path += (as_index if ("settings", *path, as_index) in config.marks else part,)
    return path


def check(
    ruleset: RuleSet,
    environ: Mapping[str, str] | None = None,
    workdir: Path | None = None,
    *,
    unset: Severity = "error",
) -> list[Finding]:
    """Findings about the ``connectors:`` section (unknown types, settings, secrets), each
    connector started and closed again as the relay would start it."""
    router, findings = build(ruleset, environ, workdir, unset=unset)
    router.close()
    return findings


def router_for(
    ruleset: RuleSet, environ: Mapping[str, str] | None = None, workdir: Path | None = None
) -> Router:
    """A Router, or ConfigError with every connector finding."""
    router, findings = build(ruleset, environ, workdir)
    if findings:
        router.close()
        raise ConfigError(findings)
    return router
