"""Compile the plain sections: status codes, worklists, clients, spreaders, contact policy."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from engine.config.errors import Finding
from engine.config.loader import Item, Node
from engine.config.model import (
    BUCKETS,
    Client,
    ConnectorConfig,
    ContactCap,
    ContactPolicy,
    InterestRules,
    Mark,
    Pill,
    RateChange,
    SettlementRules,
    Spreader,
    StatusCode,
    Tolerance,
    Worklist,
)
from engine.config.references import References
from engine.config.schemagen_defs import CLIENT_CODE_MAX
from engine.config.secrets import (
    credentials_in_url,
    inline_secrets,
    url_credentials,
    variable_name,
)

HOLDS: tuple[str, ...] = ("bankruptcy", "deceased", "cease_communication", "dispute")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def decimal_of(value: Any) -> Decimal | None:
    """A Decimal from what YAML gave (``"9.0"``, ``9.0``, ``60``), always through its text."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _text(node: Node | None, default: str = "") -> str:
    return str(node.value) if node is not None and node.value is not None else default


def _flag(node: Node | None) -> bool:
    return node is not None and node.value is True


def _strings(node: Node | None) -> tuple[str, ...]:
    if node is None or not isinstance(node.value, list):
        return ()
    return tuple(str(v) for v in node.value)


@dataclass(slots=True)
class PartCompiler:
    refs: References
    findings: list[Finding]

    def error(self, message: str, node: Node, stage: str = "schema") -> None:
        self.findings.append(Finding(message, node.mark, stage=stage))

    def amount(
        self, node: Node | None, owner: str, what: str, *, high: Decimal | None = None
    ) -> Decimal | None:
        """A non-negative Decimal (at most ``high``); a bad value is a finding."""
        if node is None:
            return None
        value = decimal_of(node.value)
        if value is None or not value.is_finite():
            self.error(f"{owner}: {what} '{node.value}' is not a number", node)
        elif value < 0:
            self.error(f"{owner}: {what} must not be negative, got {node.value}", node)
        elif high is not None and value > high:
            self.error(f"{owner}: {what} must be at most {high}, got {node.value}", node)
        else:
            return value
        return None

    def _buckets(self, node: Node | None, owner: str) -> tuple[str, ...]:
        for item in node.items() if node is not None else ():
            if item.value not in BUCKETS:
                self.error(f"{owner}: unknown bucket '{item.value}'", item)
        return _strings(node)

    def status_code(self, item: Item) -> StatusCode:
        node = item.node
        pill = node.get("pill")
        return StatusCode(
            code=str(item.key),
            label=_text(node.get("label"), str(item.key)),
            pill=Pill(_text(pill.get("text")), _text(pill.get("color"))) if pill else None,
            legal=_flag(node.get("legal")),
            closed=_flag(node.get("closed")),
            stop_contact=_flag(node.get("stop_contact")),
            mark=node.mark,
        )

    def worklist(self, item: Item) -> Worklist:
        return Worklist(str(item.key), _text(item.node.get("label"), str(item.key)), item.node.mark)

    def spreader(self, item: Item) -> Spreader:
        node, owner = item.node, f"spreader '{item.key}'"
        return Spreader(
            id=str(item.key),
            order=self._buckets(node.get("order"), owner),
            across_accounts=_text(node.get("across_accounts"), "one_at_a_time"),  # type: ignore[arg-type]
            by=_text(node.get("by"), "age"),  # type: ignore[arg-type]
            direction=_text(node.get("direction"), "asc"),  # type: ignore[arg-type]
            mark=node.mark,
        )

    def client(self, item: Item) -> Client:
        node, owner = item.node, f"client '{item.key}'"
        if len(str(item.key)) > CLIENT_CODE_MAX:
            self.error(
                f"{owner}: a client code is at most {CLIENT_CODE_MAX} characters "
                f"(this one is {len(str(item.key))})",
                node.get("code") or node,
            )
        for key in ("spreader", "judgment_spreader"):
            ref = node.get(key)
            if ref is not None and isinstance(ref.value, str):
                self.refs.check("spreader", ref.value, ref.mark, owner)
        settlement = node.get("settlement")
        interest = node.get("interest")
        return Client(
            code=str(item.key),
            name=_text(node.get("name"), str(item.key)),
            judgment=_flag(node.get("judgment")),
            spreader=_text(node.get("spreader")) or None,
            judgment_spreader=_text(node.get("judgment_spreader")) or None,
            settlement=self._settlement(settlement, owner) if settlement is not None else None,
            interest=self._interest(interest, owner) if interest is not None else None,
            fee_percent=self.amount(
                node.get("fee_percent"), owner, "fee_percent", high=Decimal(100)
            ),
            mark=node.mark,
        )

    def _settlement(self, node: Node, owner: str) -> SettlementRules:
        percentages: dict[str, Decimal] = {}
        percent_node = node.get("percentages")
        for bucket, value in percent_node.entries() if percent_node is not None else ():
            if bucket not in BUCKETS:
                self.error(f"{owner}: unknown bucket '{bucket}'", value)
            amount = self.amount(value, owner, f"percentage of {bucket}", high=Decimal(100))
            if amount is not None:
                percentages[bucket] = amount
        tolerance = node.get("tolerance")
        on_reached = node.get("on_reached")
        if on_reached is not None and isinstance(on_reached.value, str):
            self.refs.check("action_path", on_reached.value, on_reached.mark, owner)
        term = node.get("max_term_days")
        return SettlementRules(
            authority=_text(node.get("authority")),
            percentages=MappingProxyType(percentages),
            include_new_interest=_flag(node.get("include_new_interest")),
            tolerance=Tolerance(
                self.amount(
                    tolerance.get("percent"), owner, "tolerance percent", high=Decimal(100)
                ),
                self.amount(tolerance.get("amount"), owner, "tolerance amount"),
            )
            if tolerance is not None
            else Tolerance(),
            max_term_days=term.value if term is not None and isinstance(term.value, int) else None,
            on_reached=_text(on_reached) or None,
            write_off_remainder=_flag(node.get("write_off_remainder")),
        )

    def _interest(self, node: Node, owner: str) -> InterestRules:
        rate = self.amount(node.get("rate"), owner, "interest rate")
        basis_node = node.get("basis")
        basis = basis_node.value if basis_node is not None else 365
        if basis not in (360, 364, 365):
            self.error(f"{owner}: basis is 360, 364 or 365, not {basis}", basis_node or node)
            basis = 365
        changes: list[RateChange] = []
        changes_node = node.get("changes")
        for change in changes_node.items() if changes_node is not None else ():
            when, new_rate = change.get("effective"), change.get("rate")
            changed_rate = self.amount(new_rate, owner, "interest rate")
            try:
                effective = date.fromisoformat(_text(when))
            except ValueError:
                self.error(f"{owner}: '{_text(when)}' is not a date (YYYY-MM-DD)", when or change)
                continue
            if changed_rate is not None:
                changes.append(RateChange(effective, changed_rate))
        buckets = (
            self._buckets(node.get("buckets"), owner) if node.get("buckets") else ("principal",)
        )
        return InterestRules(
            rate or Decimal(0), basis, buckets, tuple(sorted(changes, key=lambda c: c.effective))
        )

    def contact_policy(self, node: Node) -> ContactPolicy:
        owner = "contact_policy"
        quiet = node.get("quiet_hours")
        quiet_from = quiet_to = None
        if quiet is not None:
            for key in ("from", "to"):
                value = quiet.get(key)
                if value is None or not _TIME.match(_text(value)):
                    self.error(
                        f"{owner}: quiet_hours '{key}' is a time like \"21:00\"", value or quiet
                    )
            quiet_from, quiet_to = _text(quiet.get("from")) or None, _text(quiet.get("to")) or None
        caps = []
        caps_node = node.get("caps")
        for cap in caps_node.items() if caps_node is not None else ():
            maximum, per_days = cap.get("max"), cap.get("per_days")
            caps.append(
                ContactCap(
                    _text(cap.get("channel")),
                    maximum.value if maximum is not None and isinstance(maximum.value, int) else 0,
                    per_days.value
                    if per_days is not None and isinstance(per_days.value, int)
                    else 1,
                )
            )
        holds_node = node.get("holds")
        for hold in holds_node.items() if holds_node is not None else ():
            if hold.value not in HOLDS:
                self.error(f"{owner}: unknown hold '{hold.value}'", hold)
        return ContactPolicy(
            quiet_from=quiet_from,
            quiet_to=quiet_to,
            caps=tuple(caps),
            holds=_strings(holds_node),
            when_blocked=_text(node.get("when_blocked"), "defer"),  # type: ignore[arg-type]
            mark=node.mark,
        )

    def connector(
        self, item: Item, freeze: Callable[[Mapping[str, Any]], Mapping[str, Any]]
    ) -> ConnectorConfig:
        node, owner = item.node, f"connector '{item.key}'"
        clients = node.get("clients")
        for client in clients.items() if clients is not None else ():
            if isinstance(client.value, str):
                self.refs.check("client", client.value, client.mark, owner)
        settings = node.get("settings")
        for path in inline_secrets(settings.value if settings is not None else None):
            assert settings is not None
            where = Node(settings.file, (*settings.path, *path), None)
            shown = ".".join(str(p) for p in path)
            variable = variable_name(item.key or "connector", *path)
            self.error(
                f"{owner}: settings '{shown}' is a secret written inline; put it in an "
                f"environment variable and write '${{{variable}}}'",
                where,
                stage="references",
            )
        for path in url_credentials(settings.value if settings is not None else None):
            assert settings is not None
            self.error(
                f"{owner}: {credentials_in_url(item.key or 'connector', path)}",
                Node(settings.file, (*settings.path, *path), None),
                stage="references",
            )
        return ConnectorConfig(
            id=str(item.key),
            type=_text(node.get("type")),
            settings=freeze(
                settings.value if settings is not None and isinstance(settings.value, dict) else {}
            ),
            channels=_strings(node.get("channels")),
            clients=_strings(clients),
            mark=node.mark,
            marks=MappingProxyType(_marks_below(node)),
        )


def _marks_below(node: Node) -> dict[tuple[str | int, ...], Mark]:
    """Where each value (and key) below ``node`` was written, by path relative to it."""
    found: dict[tuple[str | int, ...], Mark] = {}
    base, marks = len(node.path), node.file.marks
    stack = [node]
    while stack:
        here = stack.pop()
        relative = here.path[base:]
        found[relative] = here.mark
        key = marks.get((*here.path, "__key__"))
        if key is not None:
            found[(*relative, "__key__")] = key
        stack.extend(child for _key, child in here.entries())
        stack.extend(here.items())
    return found
