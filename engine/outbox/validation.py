"""The connectors stage: what a configuration's connectors need, checked before anything runs.

``engine.config`` imports nothing of the engine, so it cannot know the connector types (they
are plug-ins). After its stages have compiled a RuleSet, this stage checks every configured
connector as the relay would start it (``routing.check``): its ``type`` is installed, its
settings pass that type's own JSON Schema (types, URLs, ports…), its ``${VARIABLES}`` are
set, and its constructor accepts the result. ``docket validate``, ``POST /config/validate``,
``docket run``, ``docket publish`` and every version switch (``POST /config/reload``, the
file watcher) validate through here.

An unset variable is an error where the configuration is about to run (``unset="error"``:
run, reload, publish, and the API's validate, which asks the service's own environment); a
warning for ``docket validate``, whose environment is seldom the service's (CI validates
without the secrets).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from engine.config import Finding, Validation, validate_root
from engine.config.errors import Severity
from engine.outbox import routing


def validate(
    root: str | Path,
    *,
    actions: Collection[str] = (),
    environ: Mapping[str, str] | None = None,
    unset: Severity = "error",
) -> Validation:
    """``validate_root`` and then the connectors stage; no RuleSet when either finds an error."""
    result = validate_root(root, actions=actions)
    if result.ruleset is None:
        return result
    found = routing.check(result.ruleset, environ, unset=unset)
    if not found:
        return result
    findings = sorted([*result.findings, *found], key=Finding.sort_key)
    failed = any(f.severity == "error" for f in found)
    return Validation(findings, None if failed else result.ruleset, result.files, result.hash)
