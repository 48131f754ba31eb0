"""The scenario runner's errors."""

from __future__ import annotations

from engine.config.errors import Finding
from engine.errors import DocketError


class ScenarioInvalid(DocketError):
    """A scenario file that cannot run; ``findings`` say where and why."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = sorted(findings, key=Finding.sort_key)
        super().__init__("\n".join(str(f) for f in self.findings))


class StepStopped(DocketError):
    """A step went wrong; the scenario stops there."""


class DatabaseChoiceError(DocketError):
    """The database named for scenarios cannot be used."""
