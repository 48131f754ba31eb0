"""Scenario files (DESIGN §10): read, validate against the JSON Schema, and check the steps.

Errors read like the configuration's: ``tests/scenarios/x.yaml:12:7: error: …``. A file is a
scenario when its top level holds ``scenario:``; ``version`` (default 1) must be one this
Docket reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from engine.config.errors import Finding
from engine.config.model import Mark
from engine.config.schema import validate_scenario_file
from engine.config.yamlload import LoadedFile, PathKey, load_file
from engine.domain import InvalidInput, check_client_code, check_id, check_zone
from engine.domain.operations.params import money_param
from engine.scenario.errors import ScenarioInvalid

StepKind = Literal["do", "down", "until"]


@dataclass(frozen=True, slots=True)
class Step:
    """One step: an operation on a day, an outage, or a run of the clock."""

    index: int
    kind: StepKind
    mark: Mark
    on: date | None = None  # do: the day; until: the last day; down: the restart day
    operation: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    expect_error: str | None = None
    down_from: date | None = None

    def label(self) -> str:
        if self.kind == "do":
            return f"step {self.index + 1} ({self.operation} on {self.on})"
        if self.kind == "down":
            return f"step {self.index + 1} (down {self.down_from} to {self.on})"
        return f"step {self.index + 1} (until {self.on})"


@dataclass(slots=True)
class Scenario:
    """A parsed scenario file; ``file`` keeps the marks so expectations can point at lines."""

    path: Path
    name: str
    config_root: Path
    start: date
    given: dict[str, Any]
    steps: list[Step]
    expect: dict[str, Any]
    file: LoadedFile

    @property
    def end(self) -> date:
        """The last simulated day: the latest step's day (or the start)."""
        days = [self.start, *(s.on for s in self.steps if s.on is not None)]
        return max(days)

    def mark(self, *path: str | int) -> Mark:
        return self.file.mark(tuple(path))


def display_path(path: Path) -> str:
    """The path as messages print it: relative to the working directory when below it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def read_file(path: Path) -> LoadedFile:
    rel = display_path(path)
    loaded = load_file(path.resolve(), Path.cwd().resolve())
    loaded.rel = rel
    return loaded


def is_scenario_file(path: Path) -> bool:
    """True when a YAML file's top level has a ``scenario:`` key (cheap check, no parse)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith("scenario:") for line in text.splitlines())


def load_scenario(path: Path) -> Scenario:
    """Read and check one scenario file; raises ScenarioInvalid with file:line findings."""
    loaded = read_file(path)
    if loaded.findings:
        raise ScenarioInvalid(loaded.findings)
    findings = validate_scenario_file(loaded)
    if findings:
        raise ScenarioInvalid(findings)
    data: dict[str, Any] = loaded.data
    config_root = (path.resolve().parent / str(data["config"])).resolve()
    problems: list[Finding] = []
    if not (config_root / "rules").is_dir():
        problems.append(
            Finding(
                f"config root '{data['config']}' has no rules/ folder (looked in {config_root})",
                loaded.mark(("config",)),
            )
        )
    problems += _given_problems(loaded, data.get("given") or {})
    start = date.fromisoformat(data["start"])
    steps = _steps(loaded, data.get("steps") or [], start, problems)
    if problems:
        raise ScenarioInvalid(problems)
    return Scenario(
        path,
        str(data["scenario"]),
        config_root,
        start,
        dict(data.get("given") or {}),
        steps,
        dict(data.get("expect") or {}),
        loaded,
    )


def _given_problems(loaded: LoadedFile, given: dict[str, Any]) -> list[Finding]:
    """What the store would refuse in ``given``, at the line that gives it: ids (their length
    too, which the schema leaves open), time zones and amounts."""
    found: list[Finding] = []

    def check(path: PathKey, rule: Callable[[Any], object], value: Any) -> None:
        try:
            rule(value)
        except InvalidInput as exc:
            found.append(Finding(str(exc), loaded.mark(("given", *path))))

    for n, client in enumerate(given.get("clients") or []):
        check(("clients", n, "code"), check_client_code, client.get("code"))
    for n, party in enumerate(given.get("parties") or []):
        check(("parties", n, "id"), lambda v: check_id(v, "id", "party id"), party.get("id"))
        if party.get("timezone") is not None:
            check(("parties", n, "timezone"), check_zone, party["timezone"])
    for n, account in enumerate(given.get("accounts") or []):
        check(("accounts", n, "id"), lambda v: check_id(v, "id", "account id"), account["id"])
        if account.get("bundle") is not None:
            check(("accounts", n, "bundle"), lambda v: check_id(v, "bundle"), account["bundle"])
        for bucket, value in (account.get("balances") or {}).items():
            check(("accounts", n, "balances", bucket), _amount(str(bucket)), value)
    return found


def _amount(bucket: str) -> Callable[[Any], object]:
    return lambda value: money_param(("balances", bucket), value, f"balance '{bucket}'")


def _steps(
    loaded: LoadedFile, raw: list[dict[str, Any]], start: date, problems: list[Finding]
) -> list[Step]:
    steps: list[Step] = []
    current = start
    down: list[tuple[date, date]] = []
    for index, item in enumerate(raw):
        where: PathKey = ("steps", index)
        mark = loaded.mark(where)
        if "down" in item:
            first = date.fromisoformat(item["down"]["from"])
            restart = date.fromisoformat(item["down"]["to"])
            if restart <= first:
                problems.append(
                    Finding(
                        "down: 'to' (the restart day) must come after 'from'",
                        loaded.mark((*where, "down")),
                    )
                )
            elif first <= current:
                problems.append(
                    Finding(
                        f"down from {first}: the clock is already at {current}",
                        loaded.mark((*where, "down", "from")),
                    )
                )
            down.append((first, restart))
            steps.append(Step(index, "down", mark, on=restart, down_from=first))
            current = max(current, restart)
            continue
        key = "until" if "until" in item else "on"
        day = date.fromisoformat(item[key])
        outage = next(((a, b) for a, b in down if a <= day < b), None)
        if outage is not None:
            problems.append(
                Finding(
                    f"{key} {day}: the engine is down from {outage[0]} until {outage[1]}",
                    loaded.mark((*where, key)),
                )
            )
        elif day < current:
            problems.append(
                Finding(
                    f"{key} {day} is before the previous step's day {current}: "
                    "steps run in date order",
                    loaded.mark((*where, key)),
                )
            )
        current = max(current, day)
        if key == "until":
            steps.append(Step(index, "until", mark, on=day))
        else:
            steps.append(
                Step(
                    index,
                    "do",
                    mark,
                    on=day,
                    operation=str(item["do"]),
                    params=dict(item.get("with") or {}),
                    expect_error=item.get("expect_error"),
                )
            )
    return steps


def days(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
