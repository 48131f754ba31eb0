"""Run a scenario: a fresh store, a simulated clock, the production daily cycle every day.

The clock starts at ``start``; ``given`` is placed and its events processed, then the daily
cycle (``engine.scheduler.jobs.run_day``, the code production runs) runs for the start day
and for every following day up to each step's day. On a step's day the cycle runs first
(the morning sweep), then the step's operation, then the frequent job (``run_due``: dates
entered today, due waits, the inbox), as production's interval job would. ``down`` days run
no cycle and accept no operation; the restart day's cycle catches up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from engine.config import load_ruleset
from engine.config.errors import ConfigError, Finding
from engine.config.model import Mark, RuleSet
from engine.domain import DomainError, InvalidInput, SimulatedClock
from engine.domain.operations import OPERATIONS, accounts
from engine.runtime import Engine
from engine.scenario import timeline as timeline_mod
from engine.scenario.database import fresh_database
from engine.scenario.errors import ScenarioInvalid, StepStopped
from engine.scenario.expect import Outcome, check
from engine.scenario.model import Scenario, Step, days, display_path, load_scenario
from engine.scheduler import versions
from engine.scheduler.jobs import run_day, run_due

Relay = Callable[[Engine], Any]


@dataclass(slots=True)
class StepOutcome:
    step: Step
    ok: bool
    message: str
    mark: Mark | None = None  # the value at fault in the step's ``with:``, when one is named

    @property
    def at(self) -> Mark:
        """Where the outcome points: the value at fault, else the step."""
        return self.mark or self.step.mark

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.step.label(),
            "ok": self.ok,
            "message": self.message,
            "at": str(self.at),
        }


@dataclass(slots=True)
class ScenarioResult:
    """Everything ``docket test`` and ``docket simulate`` report about one scenario file."""

    path: Path
    name: str = ""
    findings: list[Finding] = field(default_factory=list)  # the file or its config is invalid
    error: str | None = None  # a step failed and the scenario stopped
    steps: list[StepOutcome] = field(default_factory=list)
    expectations: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # events that failed while running
    timeline: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return (
            not self.findings
            and self.error is None
            and all(outcome.passed for outcome in self.expectations)
        )

    @property
    def failures(self) -> list[Outcome]:
        return [outcome for outcome in self.expectations if not outcome.passed]

    def as_json(self, with_timeline: bool = False) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file": display_path(self.path),
            "scenario": self.name,
            "passed": self.passed,
            "findings": [f.as_json() for f in self.findings],
            "error": self.error,
            "steps": [s.as_json() for s in self.steps],
            "expectations": [e.as_json() for e in self.expectations],
            "problems": self.problems,
            "seconds": round(self.seconds, 3),
        }
        if with_timeline:
            doc["timeline"] = self.timeline
        return doc


class RuleSets:
    """Compiled configurations by root, loaded once per ``docket test`` run."""

    def __init__(self) -> None:
        self._loaded: dict[Path, RuleSet | list[Finding]] = {}

    def get(self, root: Path) -> RuleSet | list[Finding]:
        if root not in self._loaded:
            try:
                self._loaded[root] = load_ruleset(root)
            except ConfigError as exc:
                shown = display_path(root)
                self._loaded[root] = [
                    Finding(
                        f.message,
                        Mark(f"{shown}/{f.mark.file}", f.mark.line, f.mark.col),
                        f.severity,
                        f.stage,
                    )
                    for f in exc.findings
                    if f.severity == "error"
                ]
            except Exception as exc:  # a loader bug must fail these scenarios, not the run
                where = Mark(display_path(root), 0, 0)
                message = f"the configuration could not be loaded: {type(exc).__name__}: {exc}"
                self._loaded[root] = [Finding(message, where, stage="load")]
        return self._loaded[root]


def run_file(
    path: Path,
    rulesets: RuleSets | None = None,
    db_base: str | None = None,
    with_timeline: bool = False,
    relay: Relay | None = None,
) -> ScenarioResult:
    """Load and run one scenario file; never raises for a bad file or a failing rule.

    ``relay`` (the demo's) is called whenever production's relay job would run: after each
    day's cycle and after each step. Scenarios leave it out: their messages stay queued.
    """
    started = time.perf_counter()
    result = ScenarioResult(path)
    try:
        scenario = load_scenario(path)
    except ScenarioInvalid as invalid:
        result.findings = invalid.findings
        return result
    result.name = scenario.name
    ruleset = (rulesets or RuleSets()).get(scenario.config_root)
    if isinstance(ruleset, list):
        result.findings = ruleset
        return result
    with fresh_database(db_base) as url:
        simulation = Simulation(scenario, ruleset, url, relay)
        try:
            simulation.run(result)
            with simulation.engine.sessions() as session:
                session.info["today"] = simulation.clock.today()
                if result.error is None:
                    result.expectations = check(scenario, session)
                result.problems = timeline_mod.problems(session)
                if with_timeline:
                    result.timeline = timeline_mod.build(
                        session, simulation.log, ruleset.agency.calendar
                    )
        finally:
            simulation.engine.close()
    result.seconds = time.perf_counter() - started
    return result


class Simulation:
    """One scenario's engine, clock and day log."""

    def __init__(
        self, scenario: Scenario, ruleset: RuleSet, url: str, relay: Relay | None = None
    ) -> None:
        self.scenario = scenario
        self.relay = relay
        self.clock = SimulatedClock(scenario.start, ruleset.agency.timezone)
        self.engine = Engine(ruleset, url, clock=self.clock)
        self.log: dict[date, timeline_mod.DayLog] = {}
        self.current = scenario.start

    def day(self, day: date) -> timeline_mod.DayLog:
        return self.log.setdefault(day, timeline_mod.DayLog(day))

    def run(self, result: ScenarioResult) -> None:
        versions.install(self.engine)
        try:
            self._given()
        except DomainError as exc:
            result.error = f"given: {exc}"
            return
        self._cycle(self.scenario.start)
        for step in self.scenario.steps:
            try:
                outcome = self._step(step)
            except StepStopped as stop:
                outcome = StepOutcome(step, False, str(stop), stop.mark)
                result.steps.append(outcome)
                result.error = f"{step.label()} at {outcome.at}: {stop}"
                self.day(self.clock.today()).operations.append(f"{step.label()}: {stop}")
                return
            result.steps.append(outcome)

    # --- the clock -----------------------------------------------------------------------

    def _cycle(self, day: date) -> None:
        self.clock.set(day)
        self.current = day
        self.day(day).cycle = run_day(self.engine, day).as_json()
        if self.relay is not None:
            self.relay(self.engine)

    def _advance(self, target: date) -> None:
        for day in days(self.current, target)[1:]:
            self._cycle(day)

    # --- steps ---------------------------------------------------------------------------

    def _step(self, step: Step) -> StepOutcome:
        assert step.on is not None
        if step.kind == "until":
            self._advance(step.on)
            return StepOutcome(step, True, f"ran to {step.on}")
        if step.kind == "down":
            assert step.down_from is not None
            self._advance(step.down_from - timedelta(days=1))
            for day in days(step.down_from, step.on)[:-1]:
                self.day(day).down = True
            self.current = step.on
            self._cycle(step.on)
            return StepOutcome(step, True, f"down {step.down_from} to {step.on}; caught up")
        self._advance(step.on)
        message = self._operate(step)
        run_due(self.engine)  # what the frequent job does after an operation in production
        if self.relay is not None:
            self.relay(self.engine)
        self.day(step.on).operations.append(f"{step.operation}: {message}")
        return StepOutcome(step, True, message)

    def _operate(self, step: Step) -> str:
        name = str(step.operation)
        try:
            if name == "emit":
                value = self._emit(step.params)
            elif name not in OPERATIONS:
                raise DomainError(
                    f"operation not available: '{name}' is not built in this version of Docket"
                )
            else:
                value = self.engine.operate(name, dict(step.params), source="scenario")
        except DomainError as exc:
            if step.expect_error is not None and step.expect_error.lower() in str(exc).lower():
                return f"refused as expected: {exc}"
            # A value out of form is pointed at where the file gives it.
            at = (
                self.scenario.mark("steps", step.index, "with", *exc.path)
                if isinstance(exc, InvalidInput)
                else None
            )
            if step.expect_error is not None:
                raise StepStopped(
                    f"expected an error containing '{step.expect_error}', got: {exc}", at
                ) from exc
            raise StepStopped(str(exc), at) from exc
        except Exception as exc:  # a bug must fail this scenario, not the whole test run
            raise StepStopped(f"internal error: {type(exc).__name__}: {exc}") from exc
        if step.expect_error is not None:
            raise StepStopped(
                f"expected an error containing '{step.expect_error}', but it succeeded"
            )
        return f"ok {_short(value)}"

    def _emit(self, params: Mapping[str, Any]) -> Any:
        known = {"event", "account", "case", "data"}
        unknown = sorted(set(params) - known)
        if unknown or "event" not in params:
            raise DomainError(f"emit takes {{event, account or case, data}}; got {sorted(params)}")
        submitted = self.engine.submit(
            str(params["event"]),
            account=params.get("account"),
            case=params.get("case"),
            data=params.get("data"),
            source="scenario",
        )
        if submitted.status == "rejected":
            raise DomainError(str(submitted.reason))
        return {"event": params["event"], "id": submitted.id}

    # --- given ---------------------------------------------------------------------------

    def _given(self) -> None:
        given = self.scenario.given
        roles = {str(p["id"]): p.get("roles") for p in given.get("parties") or []}
        with self.engine.unit("scenario") as unit:
            for client in given.get("clients") or []:
                accounts.ensure_client(unit, str(client["code"]))
            for party in given.get("parties") or []:
                spec = dict(party)
                if isinstance(spec.get("address"), Mapping):
                    spec["address"] = ", ".join(str(v) for v in spec["address"].values() if v)
                accounts.upsert_party(unit, spec)
            for account in given.get("accounts") or []:
                spec = dict(account)
                spec["parties"] = [
                    {"party": link, "roles": roles.get(str(link)) or ["responsible"]}
                    if not isinstance(link, Mapping)
                    else dict(link)
                    for link in spec.get("parties") or []
                ]
                for key in ("placed_date", "next_work_date"):
                    if spec.get(key):
                        spec[key] = date.fromisoformat(str(spec[key]))
                accounts.place_account(unit, **spec)
        self.engine.process()


def _short(value: Any) -> str:
    text = str(value) if value is not None else ""
    return text if len(text) <= 120 else text[:117] + "..."


def iter_results(
    paths: list[Path], db_base: str | None = None, with_timeline: bool = False
) -> Iterator[ScenarioResult]:
    """Run scenario files in order, sharing compiled configurations."""
    rulesets = RuleSets()
    for path in paths:
        yield run_file(path, rulesets, db_base, with_timeline)
