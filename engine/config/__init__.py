"""Load, validate and compile a configuration root into a frozen, hashed RuleSet.

Stages, every error reported at once and sorted by file and line: yaml → schema → (merge)
→ references → expressions → durations → graph.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from engine.config.compile import RuleSetCompiler
from engine.config.compile_steps import FrozenParams
from engine.config.errors import ConfigError, Finding
from engine.config.loader import RULE_FOLDERS, merge, read_sources
from engine.config.model import Mark, RuleSet

__all__ = [
    "ConfigError",
    "Finding",
    "FrozenParams",
    "RuleSet",
    "Validation",
    "load_ruleset",
    "validate_root",
]


@dataclass(frozen=True, slots=True)
class Validation:
    """The outcome of validating a root: every finding (warnings too), and the RuleSet if valid."""

    findings: list[Finding] = field(default_factory=list)
    ruleset: RuleSet | None = None
    files: int = 0  # files read: YAML and templates
    hash: str = ""  # content hash of the files read (the RuleSet's hash when valid)

    @property
    def valid(self) -> bool:
        return self.ruleset is not None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def validate_root(root: str | Path, *, actions: Collection[str] = ()) -> Validation:
    """Run every stage over ``root``; ``actions`` names actions registered beyond the built-ins."""
    base = Path(root)
    if not (base / RULE_FOLDERS[0]).is_dir():
        missing = Finding(f"no {RULE_FOLDERS[0]}/ folder in {base}", Mark(str(base), 0, 0))
        return Validation([missing])
    sources = read_sources(base)
    merged = merge(sources)
    ruleset, findings = RuleSetCompiler(sources, merged, actions).compile()
    everything = sorted([*sources.findings, *findings], key=Finding.sort_key)
    return Validation(everything, ruleset, sources.read, sources.digest)


def load_ruleset(root: str | Path, *, actions: Collection[str] = ()) -> RuleSet:
    """The compiled RuleSet of ``root``; raises ConfigError carrying every finding if invalid."""
    result = validate_root(root, actions=actions)
    if result.ruleset is None:
        raise ConfigError(result.findings)
    return result.ruleset
