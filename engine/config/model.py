"""The compiled configuration: frozen, slotted dataclasses the runtime reads.

Nothing here holds raw YAML. Expressions and templates are compiled callables; every object
keeps the ``Mark`` (file, line, column) it came from so runtime errors can point at the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from engine.config.calendar import BusinessCalendar
from engine.config.durations import Duration

BUCKETS: tuple[str, ...] = (
    "principal",
    "interest",
    "fees",
    "court_costs",
    "attorney_fees",
    "other",
)


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a node was written: file relative to the configuration root, 1-based line/col."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


UNKNOWN = Mark("<unknown>", 0, 0)


# --- expressions -----------------------------------------------------------------------------


Evaluator = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class Probe:
    """A sub-expression (a name or attribute path) evaluated for "why not" traces."""

    source: str
    fn: Evaluator = field(compare=False, repr=False)  # through the sandbox, step by step
    read: Evaluator = field(compare=False, repr=False)  # the same read as generated Python


@dataclass(frozen=True, slots=True)
class Expression:
    """A Jinja2 expression compiled once in the sandbox, with its ready evaluator."""

    source: str
    mark: Mark
    fn: Evaluator = field(compare=False, repr=False)  # Jinja's own callable
    evaluate: Evaluator = field(compare=False, repr=False)  # its translation, else ``fn``
    probes: tuple[Probe, ...] = field(default=(), compare=False, repr=False)
    at: str = field(init=False, compare=False, repr=False)  # the mark as traces show it

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", str(self.mark))

    def __call__(self, context: Mapping[str, Any]) -> Any:
        return self.evaluate(context)


@dataclass(frozen=True, slots=True)
class Template:
    """A Jinja2 string template (a step parameter with ``{{ }}``, or a ``.j2`` file)."""

    source: str
    mark: Mark
    render: Callable[[Mapping[str, Any]], str] = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]
    mark: Mark


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]
    mark: Mark


@dataclass(frozen=True, slots=True)
class NotOf:
    item: Condition
    mark: Mark


Condition = Expression | AllOf | AnyOf | NotOf


# --- agency, codes, worklists ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limits:
    """What one render or evaluation may spend (``agency.limits``)."""

    render_ms: int = 2000
    output_bytes: int = 1_000_000


@dataclass(frozen=True, slots=True)
class Agency:
    name: str
    timezone: str
    calendar: BusinessCalendar
    max_event_depth: int = 8
    sweep_time: str = "06:00"  # local time of the daily date sweep
    mark: Mark = UNKNOWN
    limits: Limits = Limits()


@dataclass(frozen=True, slots=True)
class Pill:
    text: str
    color: str


@dataclass(frozen=True, slots=True)
class StatusCode:
    code: str
    label: str
    pill: Pill | None = None
    legal: bool = False
    closed: bool = False
    stop_contact: bool = False
    mark: Mark = UNKNOWN


@dataclass(frozen=True, slots=True)
class Worklist:
    id: str
    label: str
    mark: Mark = UNKNOWN


# --- triggers and action paths ---------------------------------------------------------------

CatchUp = Literal["once", "skip", "all"]


@dataclass(frozen=True, slots=True)
class Trigger:
    """``on`` is a catalogue name; a custom date trigger has ``on`` = ``date:<field>``."""

    id: str
    on: str
    run: tuple[str, ...]
    date_field: str | None = None  # e.g. "case.court_date", "account.next_work_date"
    offset: Duration | None = None
    condition: Condition | None = None  # ``if``
    unless: Condition | None = None
    catch_up: CatchUp = "once"
    catch_up_window: Duration | None = None  # for ``all``: how far back to replay
    enabled: bool = True
    description: str = ""
    mark: Mark = UNKNOWN

    @property
    def is_date(self) -> bool:
        return self.date_field is not None


ParamValue = Any  # str | Template | Decimal | int | bool | None | tuple | FrozenParams


@dataclass(frozen=True, slots=True)
class ActionStep:
    """A call of a registered action; ``params`` values may hold compiled templates."""

    action: str
    params: Mapping[str, ParamValue]
    mark: Mark = UNKNOWN
    label: str = ""


@dataclass(frozen=True, slots=True)
class IfStep:
    condition: Condition
    then: tuple[Step, ...]
    otherwise: tuple[Step, ...] = ()
    mark: Mark = UNKNOWN


@dataclass(frozen=True, slots=True)
class WaitStep:
    duration: Duration
    until: Condition | None = None
    mark: Mark = UNKNOWN


@dataclass(frozen=True, slots=True)
class RunStep:
    path: str
    mark: Mark = UNKNOWN


@dataclass(frozen=True, slots=True)
class StopStep:
    reason: str = ""
    mark: Mark = UNKNOWN


Step = ActionStep | IfStep | WaitStep | RunStep | StopStep

RunMode = Literal["queue", "restart", "skip"]
OnChange = Literal["finish", "restart", "cancel"]


@dataclass(frozen=True, slots=True)
class ActionPath:
    id: str
    steps: tuple[Step, ...]
    description: str = ""
    mode: RunMode = "queue"
    on_change: OnChange = "finish"
    mark: Mark = UNKNOWN


# --- clients, spreaders, contact policy ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tolerance:
    percent: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SettlementRules:
    authority: str = ""
    percentages: Mapping[str, Decimal] = field(default_factory=dict)
    include_new_interest: bool = False
    tolerance: Tolerance = Tolerance()
    max_term_days: int | None = None
    on_reached: str | None = None  # action path id
    write_off_remainder: bool = False


@dataclass(frozen=True, slots=True)
class RateChange:
    effective: date
    rate: Decimal


@dataclass(frozen=True, slots=True)
class InterestRules:
    rate: Decimal  # entered percentage: 9.0 means 9 %
    basis: int = 365  # 360, 364 or 365
    buckets: tuple[str, ...] = ("principal",)
    changes: tuple[RateChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Client:
    code: str
    name: str
    judgment: bool = False
    spreader: str | None = None
    judgment_spreader: str | None = None
    settlement: SettlementRules | None = None
    interest: InterestRules | None = None
    fee_percent: Decimal | None = None
    mark: Mark = UNKNOWN


AcrossAccounts = Literal["one_at_a_time", "across_buckets", "proportional", "even"]


@dataclass(frozen=True, slots=True)
class Spreader:
    id: str
    order: tuple[str, ...]
    across_accounts: AcrossAccounts = "one_at_a_time"
    by: Literal["age", "balance"] = "age"
    direction: Literal["asc", "desc"] = "asc"
    mark: Mark = UNKNOWN


@dataclass(frozen=True, slots=True)
class ContactCap:
    channel: str
    max: int
    per_days: int


@dataclass(frozen=True, slots=True)
class ContactPolicy:
    quiet_from: str | None = None  # "21:00" in the party's time zone
    quiet_to: str | None = None
    caps: tuple[ContactCap, ...] = ()
    holds: tuple[str, ...] = ()
    when_blocked: Literal["defer", "skip"] = "defer"
    mark: Mark = UNKNOWN


@dataclass(frozen=True, slots=True)
class ConnectorConfig:
    """A configured connector: its plug-in name, settings, and the channels it serves."""

    id: str
    type: str
    settings: Mapping[str, Any]
    channels: tuple[str, ...] = ()
    clients: tuple[str, ...] = ()  # empty: every client
    mark: Mark = UNKNOWN
    # Where each part of the item was written, by path below it (``("settings", "port")``;
    # a key's own place under ``(*path, "__key__")``): the outbox checks the settings
    # against their connector type and reports each problem at its line.
    marks: Mapping[tuple[str | int, ...], Mark] = field(default_factory=dict, compare=False)

    def where(self, path: tuple[str | int, ...]) -> Mark:
        """Where ``path`` (or the nearest part above it) was written; else the item."""
        while path:
            found = self.marks.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return self.mark


# --- the whole ruleset -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class RuleSet:
    """One loaded configuration version. Equal and hashed by its content hash."""

    root: Path
    hash: str
    agency: Agency
    status_codes: Mapping[str, StatusCode]
    worklists: Mapping[str, Worklist]
    triggers: tuple[Trigger, ...]
    action_paths: Mapping[str, ActionPath]
    clients: Mapping[str, Client]
    spreaders: Mapping[str, Spreader]
    contact_policy: ContactPolicy
    templates: Mapping[str, Template]
    connectors: tuple[ConnectorConfig, ...] = ()
    triggers_by_event: Mapping[str, tuple[Trigger, ...]] = field(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleSet) and other.hash == self.hash

    def __hash__(self) -> int:
        return hash(self.hash)

    @property
    def date_triggers(self) -> tuple[Trigger, ...]:
        return tuple(t for t in self.triggers if t.is_date and t.enabled)

    def triggers_for(self, event: str) -> tuple[Trigger, ...]:
        return self.triggers_by_event.get(event, ())

    def walk_steps(self) -> Iterator[tuple[ActionPath, Step]]:
        """Every step of every path, nested ones included."""
        for path in self.action_paths.values():
            yield from ((path, step) for step in _walk(path.steps))


def _walk(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        if isinstance(step, IfStep):
            yield from _walk(step.then)
            yield from _walk(step.otherwise)
