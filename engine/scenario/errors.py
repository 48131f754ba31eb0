"""The scenario runner's errors."""

from __future__ import annotations

from engine.config.errors import Finding
from engine.config.model import Mark
from engine.errors import DocketError


class ScenarioInvalid(DocketError):
    """A scenario file that cannot run; ``findings`` say where and why."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = sorted(findings, key=Finding.sort_key)
        super().__init__("\n".join(str(f) for f in self.findings))


class StepStopped(DocketError):
    """A step went wrong; the scenario stops there. ``mark`` is the value at fault, when the
    refusal names one (an amount in ``with:``), else None: the step's own mark applies."""

    def __init__(self, message: str, mark: Mark | None = None) -> None:
        super().__init__(message)
        self.mark = mark


class DatabaseChoiceError(DocketError):
    """The database named for scenarios cannot be used."""
