"""The config layer's errors: findings (errors and warnings) with their place, the exception
that carries them, and a duration that does not parse (raised by ``durations``)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from engine.config.durations import DurationError as DurationError  # raised by the parser
from engine.config.model import UNKNOWN, Mark
from engine.errors import DocketError

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in the configuration, printed as ``file:line:col: error: message``."""

    message: str
    mark: Mark = UNKNOWN
    severity: Severity = "error"
    stage: str = "schema"

    def __str__(self) -> str:
        return f"{self.mark}: {self.severity}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.mark.file, self.mark.line, self.mark.col, self.message)

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.mark.file,
            "line": self.mark.line,
            "col": self.mark.col,
            "severity": self.severity,
            "stage": self.stage,
            "message": self.message,
        }


class ConfigError(DocketError):
    """The configuration did not validate; ``findings`` holds every error, sorted."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = sorted(findings, key=Finding.sort_key)
        errors = [f for f in self.findings if f.severity == "error"]
        super().__init__("\n".join(str(f) for f in errors) or "invalid configuration")


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a close candidate exists, else an empty string."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class BudgetExceeded(DocketError):
    """A render or evaluation went over ``agency.limits`` (time or output size)."""
