"""Compile merged configuration items into the frozen RuleSet (stages references → graph)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any

import holidays as holidays_lib

from engine.config import catalogue
from engine.config.calendar import WEEKDAYS, BusinessCalendar
from engine.config.compile_parts import PartCompiler
from engine.config.compile_steps import StepCompiler, freeze
from engine.config.errors import Finding, did_you_mean
from engine.config.expressions import ExpressionCompiler, RuleEnvironment
from engine.config.graph import GraphCheck
from engine.config.loader import Item, Merged, Node, Sources
from engine.config.model import (
    ActionPath,
    Agency,
    CatchUp,
    ContactPolicy,
    Limits,
    Mark,
    OnChange,
    RuleSet,
    RunMode,
    Template,
    Trigger,
)
from engine.config.references import References

DEFAULT_AGENCY_NAME = "Docket agency"


@cache
def _countries() -> dict[str, list[str]]:
    return dict(holidays_lib.list_supported_countries())


def _text(node: Node | None, default: str = "") -> str:
    return str(node.value) if node is not None and node.value is not None else default


def _limits(node: Node | None) -> Limits:
    """``agency.limits`` (the schema checked the numbers); a missing one keeps its default."""
    given = {} if node is None else {key: node.get(key) for key in ("render_ms", "output_bytes")}
    values = {k: v.value for k, v in given.items() if v is not None and isinstance(v.value, int)}
    return Limits(**values)


class RuleSetCompiler:
    """Turns merged items into a RuleSet; every problem becomes a finding, none an exception."""

    def __init__(self, sources: Sources, merged: Merged, actions: Collection[str] = ()) -> None:
        self.sources = sources
        self.merged = merged
        self.findings: list[Finding] = []
        agency_item = merged.singles.get("agency")
        self.agency = self._agency(agency_item.node if agency_item and agency_item.usable else None)
        self.env = RuleEnvironment(self.agency.calendar, self.agency.limits)
        self.exprs = ExpressionCompiler(self.env)
        self.exprs.set_templates(
            {name: text for name, (_rel, text) in sources.templates.items()},
            {name: rel for name, (rel, _text) in sources.templates.items()},
        )
        self.refs = References.build(merged.known, sources.templates, actions, merged.unread)
        self.steps = StepCompiler(self.exprs, self.refs)
        self.parts = PartCompiler(self.refs, self.findings)

    def error(self, message: str, node: Node, stage: str = "schema") -> None:
        self.findings.append(Finding(message, node.mark, stage=stage))

    def _usable(self, section: str) -> list[Item]:
        return [item for item in self.merged.sections.get(section, []) if item.usable]

    # --- agency ----------------------------------------------------------------------------

    def _agency(self, node: Node | None) -> Agency:
        if node is None:
            return Agency(DEFAULT_AGENCY_NAME, "UTC", BusinessCalendar())
        timezone = _text(node.get("timezone"), "UTC")
        tz_node = node.get("timezone")
        if tz_node is not None and not self._zone_exists(timezone):
            hint = did_you_mean(timezone, sorted(zoneinfo.available_timezones()))
            self.error(f"agency: unknown time zone '{timezone}'{hint}", tz_node, "references")
        depth = node.get("max_event_depth")
        sweep = node.get("sweep_time")
        return Agency(
            name=_text(node.get("name"), DEFAULT_AGENCY_NAME),
            timezone=timezone,
            calendar=self._calendar(node.get("calendar")),
            max_event_depth=depth.value
            if depth is not None and isinstance(depth.value, int)
            else 8,
            sweep_time=_text(sweep, "06:00"),
            mark=node.mark,
            limits=_limits(node.get("limits")),
        )

    @staticmethod
    def _zone_exists(name: str) -> bool:
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return False
        return True

    def _calendar(self, node: Node | None) -> BusinessCalendar:
        if node is None:
            return BusinessCalendar()
        country: str | None = "US"
        subdivision: str | None = None
        holidays = node.get("holidays")
        if holidays is not None:
            if isinstance(holidays.value, dict):
                country = _text(holidays.get("country")) or None
                subdivision = _text(holidays.get("subdivision")) or None
            else:
                country = str(holidays.value) if holidays.value else None
            country, subdivision = self._check_country(holidays, country, subdivision)
        weekend_node = node.get("weekend")
        weekend: tuple[str, ...] = ("sat", "sun")
        if weekend_node is not None and isinstance(weekend_node.value, list):
            weekend = tuple(str(day) for day in weekend_node.value if str(day) in WEEKDAYS)
        extra: list[date] = []
        extra_node = node.get("extra_holidays")
        for day in extra_node.items() if extra_node is not None else ():
            try:
                extra.append(date.fromisoformat(str(day.value)))
            except ValueError:
                self.error(f"agency: '{day.value}' is not a date (YYYY-MM-DD)", day)
        return BusinessCalendar(country, subdivision, weekend, tuple(extra))

    def _check_country(
        self, node: Node, country: str | None, subdivision: str | None
    ) -> tuple[str | None, str | None]:
        if country is None:
            return None, None
        countries = _countries()
        if country not in countries:
            hint = did_you_mean(country, sorted(countries))
            self.error(f"agency: unknown holiday country '{country}'{hint}", node, "references")
            return None, None
        if subdivision is not None and subdivision not in countries[country]:
            hint = did_you_mean(subdivision, countries[country])
            self.error(
                f"agency: unknown subdivision '{subdivision}' of {country}{hint}",
                node,
                "references",
            )
            return country, None
        return country, subdivision

    # --- triggers --------------------------------------------------------------------------

    def _trigger(self, item: Item) -> Trigger | None:
        node, owner = item.node, f"trigger '{item.key}'"
        on_node = node.get("on")
        if on_node is None:
            self.error(f"{owner}: needs 'on' (an event or a date)", node)
            return None
        on, date_field = self._on(on_node, owner)
        run_node = node.get("run")
        run: tuple[str, ...] = ()
        if run_node is None:
            self.error(f"{owner}: needs 'run' (an action path id or a list of them)", node)
        else:
            names = run_node.items() if isinstance(run_node.value, list) else iter([run_node])
            for name in names:
                if isinstance(name.value, str):
                    self.refs.check("action_path", name.value, name.mark, owner)
                    run += (name.value,)
        condition = self._condition(node.get("if"), owner)
        unless = self._condition(node.get("unless"), owner)
        timing = self._timing(node, owner, date_field is not None, on)
        if on is None or run_node is None or timing is None:
            return None
        offset, catch_up, window = timing
        enabled = node.get("enabled")
        return Trigger(
            id=str(item.key),
            on=on,
            run=run,
            date_field=date_field,
            offset=offset,
            condition=condition,
            unless=unless,
            catch_up=catch_up,
            catch_up_window=window,
            enabled=enabled.value is not False if enabled is not None else True,
            description=_text(node.get("description")),
            mark=node.mark,
        )

    def _on(self, node: Node, owner: str) -> tuple[str | None, str | None]:
        if isinstance(node.value, str):
            if not self.refs.check("event", node.value, node.mark, owner):
                return None, None
            spec = catalogue.lookup(node.value)
            assert spec is not None
            field = f"{spec.subject}.{spec.date_field}" if spec.date_field else None
            return node.value, field
        field_node = node.get("date")
        if field_node is None or not isinstance(field_node.value, str):
            self.error(f"{owner}: 'on' is an event name or {{date: case.<field>}}", node)
            return None, None
        field = field_node.value
        subject, _, name = field.partition(".")
        if subject == "case" and name in catalogue.CASE_DATE_FIELDS:
            return f"date:{field}", field
        if subject == "account" and name.isidentifier():
            return f"date:{field}", field
        hint = did_you_mean(
            field,
            [f"case.{f}" for f in catalogue.CASE_DATE_FIELDS]
            + [f"account.{f}" for f in catalogue.ACCOUNT_DATE_FIELDS],
        )
        self.error(f"{owner}: unknown date field '{field}'{hint}", field_node, "references")
        return None, None

    def _timing(
        self, node: Node, owner: str, is_date: bool, on: str | None
    ) -> tuple[Any, CatchUp, Any] | None:
        offset_node = node.get("offset")
        catch_node = node.get("catch_up")
        window_node = node.get("catch_up_window")
        ok = True
        if not is_date and on is not None:
            for what in (offset_node, catch_node, window_node):
                if what is not None:
                    key = str(what.path[-1])
                    self.error(
                        f"{owner}: '{key}' applies only to date triggers ('{on}' is an event)", what
                    )
                    ok = False
        offset = self.steps.duration(offset_node, owner, "offset") if offset_node else None
        window = self.steps.duration(window_node, owner, "catch_up_window") if window_node else None
        catch_up = str(catch_node.value) if catch_node is not None else "once"
        if catch_up not in ("once", "skip", "all"):
            self.error(
                f"{owner}: catch_up is once, skip or all, not '{catch_up}'", catch_node or node
            )
            ok = False
        if window_node is not None and catch_up != "all":
            self.error(f"{owner}: catch_up_window needs catch_up: all", window_node)
            ok = False
        if (offset_node is not None and offset is None) or (
            window_node is not None and window is None
        ):
            ok = False
        return (offset, catch_up, window) if ok else None  # type: ignore[return-value]

    def _condition(self, node: Node | None, owner: str) -> Any:
        return self.steps.condition(node, owner) if node is not None else None

    # --- action paths ------------------------------------------------------------------------

    def _path(self, item: Item) -> ActionPath:
        node, owner = item.node, f"action path '{item.key}'"
        steps_node = node.get("steps")
        steps = self.steps.steps(steps_node, owner) if steps_node is not None else ()
        if steps_node is None:
            self.error(f"{owner}: needs 'steps'", node)
        mode = _text(node.get("mode"), "queue")
        on_change = _text(node.get("on_change"), "finish")
        if mode not in ("queue", "restart", "skip"):
            self.error(f"{owner}: mode is queue, restart or skip, not '{mode}'", node)
        if on_change not in ("finish", "restart", "cancel"):
            self.error(f"{owner}: on_change is finish, restart or cancel, not '{on_change}'", node)
        run_mode: RunMode = mode if mode in ("queue", "restart", "skip") else "queue"  # type: ignore[assignment]
        change: OnChange = on_change if on_change in ("finish", "restart", "cancel") else "finish"  # type: ignore[assignment]
        return ActionPath(
            str(item.key), steps, _text(node.get("description")), run_mode, change, node.mark
        )

    # --- the whole ---------------------------------------------------------------------------

    def _default_statuses(self, defined: Collection[str]) -> list[Finding]:
        """A status code an operation gives by default must be defined (catalogue)."""
        by_code: dict[str, list[str]] = {}
        for operation, code in catalogue.DEFAULT_STATUS.items():
            if code not in defined:
                by_code.setdefault(code, []).append(operation)
        sections = self.merged.sections.get("status_codes") or []
        agency = self.merged.singles.get("agency")
        if sections:
            first = sections[0].node
            where = first.file.marks.get(("status_codes", "__key__"), first.mark)
        else:
            where = agency.node.key_mark if agency is not None else Mark("rules", 1, 1)
        return [
            Finding(
                f"status code '{code}' is not defined, but {' and '.join(operations)} give it "
                f"to an account placed without one: define it under status_codes"
                f"{did_you_mean(code, sorted(defined))}",
                where,
                stage="references",
            )
            for code, operations in by_code.items()
        ]

    def _templates(self) -> dict[str, Template]:
        compiled: dict[str, Template] = {}
        for name, (rel, text) in self.sources.templates.items():
            owner = f"template '{name}'"
            template = self.exprs.template(text, Mark(rel, 1, 1), owner, name=name)
            self.exprs.subject(text, rel, owner)
            if template is not None:
                compiled[name] = template
        return compiled

    def compile(self) -> tuple[RuleSet | None, list[Finding]]:
        """The RuleSet and every finding; the RuleSet is None when any finding is an error."""
        parts = self.parts
        status_codes = {i.key: parts.status_code(i) for i in self._usable("status_codes") if i.key}
        worklists = {i.key: parts.worklist(i) for i in self._usable("worklists") if i.key}
        spreaders = {i.key: parts.spreader(i) for i in self._usable("spreaders") if i.key}
        clients = {i.key: parts.client(i) for i in self._usable("clients") if i.key}
        connectors = tuple(parts.connector(i, freeze) for i in self._usable("connectors"))
        policy_item = self.merged.singles.get("contact_policy")
        policy = (
            parts.contact_policy(policy_item.node)
            if policy_item is not None and policy_item.usable
            else ContactPolicy()
        )
        triggers = [t for t in (self._trigger(i) for i in self._usable("triggers")) if t]
        paths = {i.key: self._path(i) for i in self._usable("action_paths") if i.key}
        templates = self._templates()
        graph = GraphCheck(paths, triggers, clients, self.agency.max_event_depth)
        findings = [
            *self.merged.findings,
            *self.findings,
            *self.refs.findings,
            *self.steps.findings,
            *self.exprs.findings,
        ]
        failed = any(f.severity == "error" for f in (*findings, *self.sources.findings))
        # "Never used" needs every reference known; with errors it would only add noise.
        findings.extend(graph.run(None if failed else self.refs.used_paths))
        failed = failed or any(f.severity == "error" for f in findings)
        if not failed:  # like "never used": asked of a configuration otherwise whole
            findings.extend(self._default_statuses(status_codes))
        if failed or any(f.severity == "error" for f in findings):
            return None, findings
        by_event: dict[str, list[Trigger]] = {}
        for trigger in triggers:
            if not trigger.is_date and trigger.enabled:
                by_event.setdefault(trigger.on, []).append(trigger)
        ruleset = RuleSet(
            root=self.sources.root,
            hash=self.sources.digest,
            agency=self.agency,
            status_codes=MappingProxyType(status_codes),
            worklists=MappingProxyType(worklists),
            triggers=tuple(triggers),
            action_paths=MappingProxyType(paths),
            clients=MappingProxyType(clients),
            spreaders=MappingProxyType(spreaders),
            contact_policy=policy,
            templates=MappingProxyType(templates),
            connectors=connectors,
            triggers_by_event=MappingProxyType({k: tuple(v) for k, v in by_event.items()}),
        )
        return ruleset, findings
