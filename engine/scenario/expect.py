"""Check a scenario's ``expect:`` against the store; every expectation passes or fails alone.

Matching (documented in docs/design-notes.md): ``title``, ``text`` and ``reason`` match as
case-insensitive substrings (a diff shows them on one line, cut at 120 characters); ``to``
matches a party id or an address; ``fields`` and ``body`` match as subsets; amounts compare as
numbers; everything else compares as text. A list item must match at least one item
(``count: N``: exactly N); a ``not:`` item must match none. ``letters``, ``emails`` and
``sms`` hold only messages that are to go out unless an item names a ``status``: a message
the contact policy blocked is expected under ``blocked``. A failure shows what was expected
and the closest items found (and the matching messages held back, if any).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from engine.config.model import Mark
from engine.domain import models as m
from engine.scenario import observe
from engine.scenario.model import Scenario

SUBSTRING = frozenset({"title", "text", "reason"})
SUBSET = frozenset({"fields", "body"})
SHOWN_AT_MOST = 3
SHOWN_TEXT = 120


@dataclass(frozen=True, slots=True)
class Outcome:
    """One expectation's verdict, with the readable diff when it failed."""

    name: str
    passed: bool
    expected: str
    found: str
    mark: Mark

    @property
    def message(self) -> str:
        return f"{self.name}: expected {self.expected}; found: {self.found}"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "expected": self.expected,
            "found": self.found,
            "at": str(self.mark),
        }


# --- formatting ----------------------------------------------------------------------------


def show(value: Any) -> str:
    """A value the way the scenario file would write it (YAML flow style)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(show(v) for v in value) + "]"
    text = str(value)
    if text == "" or any(ch in text for ch in ",:{}[]#\n") or text != text.strip():
        return json.dumps(text, ensure_ascii=False)
    return text


def _shown(key: str, value: Any) -> Any:
    # A report's or note's text can run to pages: a diff shows it on one line, cut short.
    if key in SUBSTRING and isinstance(value, str):
        flat = " ".join(value.split())
        return flat if len(flat) <= SHOWN_TEXT else flat[: SHOWN_TEXT - 1] + "…"
    return value


def _project(item: Mapping[str, Any], keys: list[str]) -> dict[str, Any]:
    return {key: _shown(key, item.get(key)) for key in keys}


# --- matching ------------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def same(expected: Any, actual: Any) -> bool:
    """Equal as the admin means it: booleans exactly, amounts as numbers, the rest as text."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, Mapping):
        return subset(expected, actual)
    if isinstance(expected, list):
        return (
            isinstance(actual, list | tuple)
            and len(expected) == len(actual)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    left, right = _number(expected), _number(actual)
    if left is not None and right is not None:
        return left == right
    return str(expected) == str(actual)


def subset(expected: Any, actual: Any) -> bool:
    if not isinstance(expected, Mapping) or not isinstance(actual, Mapping):
        return same(expected, actual)
    return all(key in actual and same(value, actual[key]) for key, value in expected.items())


def field_matches(key: str, expected: Any, item: Mapping[str, Any]) -> bool:
    if key == "to":
        return str(expected) in item.get("_to", {item.get("to")})
    actual = item.get(key)
    if key in SUBSTRING:
        return actual is not None and str(expected).lower() in str(actual).lower()
    if key in SUBSET:
        return subset(expected, actual)
    return same(expected, actual)


def matching(criteria: Mapping[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in items if all(field_matches(k, v, item) for k, v in criteria.items())]


# Fields that say *what* an item is weigh more than when or how it happened: a letter with
# the right template on the wrong day is closer than another letter on the right day.
IDENTITY = frozenset({"template", "trigger", "model", "title", "text", "channel", "url"})


def _weight(key: str) -> int:
    return 10 if key in IDENTITY else 1


def closest(criteria: Mapping[str, Any], items: list[dict[str, Any]]) -> str:
    """The items that match the most expected fields, shown with those fields only."""
    if not items:
        return "none"
    keys = list(criteria)
    scored = [
        (sum(_weight(k) for k, v in criteria.items() if field_matches(k, v, item)), n, item)
        for n, item in enumerate(items)
    ]
    best = max(score for score, _, _ in scored)
    top = [item for score, _, item in scored if score == best][:SHOWN_AT_MOST]
    more = sum(1 for score, _, _ in scored if score == best) - len(top)
    shown = show([_project(item, keys) for item in top])
    return shown + (f" (and {more} more)" if more > 0 else "")


# --- the checks ----------------------------------------------------------------------------


class Checker:
    """Evaluates every expectation of one scenario against one session."""

    def __init__(self, scenario: Scenario, session: Session) -> None:
        self.scenario = scenario
        self.session = session
        self._lists: dict[str, list[dict[str, Any]]] = {}

    def items(self, kind: str, criteria: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The items of a list; letters, emails and SMS only those to go out, unless the
        criteria name a status."""
        if kind not in self._lists:
            self._lists[kind] = observe.LISTS[kind](self.session)
        found = self._lists[kind]
        if kind in observe.CONTACT_LISTS and criteria is not None and "status" not in criteria:
            return [item for item in found if item.get("status") in observe.OUTGOING]
        return found

    def _held_back(self, kind: str, criteria: Mapping[str, Any]) -> str:
        """A hint when the messages expected are there but held back by the contact policy."""
        if kind not in observe.CONTACT_LISTS or "status" in criteria:
            return ""
        held = [
            i for i in matching(criteria, self.items(kind)) if i["status"] not in observe.OUTGOING
        ]
        if not held:
            return ""
        shown = show([_project(i, [*criteria, "status", "reason"]) for i in held[:SHOWN_AT_MOST]])
        return f"; not to go out (expect them under blocked, or name a status): {shown}"

    def run(self) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for kind, spec in self.scenario.expect.items():
            if kind in observe.LISTS:
                for index, item in enumerate(spec):
                    outcomes.append(self._list_item(kind, index, dict(item)))
            elif kind == "not":
                for index, item in enumerate(spec):
                    outcomes.extend(self._absent(index, dict(item)))
            else:
                outcomes.extend(self._state(kind, dict(spec)))
        return outcomes

    def _list_item(self, kind: str, index: int, item: dict[str, Any]) -> Outcome:
        count = item.pop("count", None)
        items = self.items(kind, item)
        found = matching(item, items)
        mark = self.scenario.mark("expect", kind, index)
        name = f"{kind}[{index}]"
        if count is None:
            ok = bool(found)
            return Outcome(
                name,
                ok,
                show(item),
                show([_project(f, list(item)) for f in found])
                if ok
                else closest(item, items) + self._held_back(kind, item),
                mark,
            )
        ok = len(found) == count
        expected = f"{count} x {show(item)}"
        detail = f"{len(found)} matching"
        if found:
            detail += ": " + show([_project(f, list(item)) for f in found[:SHOWN_AT_MOST]])
        elif items:
            detail += "; closest: " + closest(item, items)
        if not ok:
            detail += self._held_back(kind, item)
        return Outcome(name, ok, expected, detail, mark)

    def _absent(self, index: int, spec: dict[str, Any]) -> list[Outcome]:
        outcomes = []
        for kind, criteria in spec.items():
            found = matching(dict(criteria), self.items(kind, dict(criteria)))
            outcomes.append(
                Outcome(
                    f"not[{index}] {kind}",
                    not found,
                    f"no {kind} matching {show(criteria)}",
                    show([_project(f, list(criteria)) for f in found]) if found else "none",
                    self.scenario.mark("expect", "not", index, kind),
                )
            )
        return outcomes

    def _state(self, kind: str, spec: dict[str, Any]) -> list[Outcome]:
        outcomes = []
        for key, expected in spec.items():
            mark = self.scenario.mark("expect", kind, key)
            actual = self._actual(kind, str(key))
            name = f"{kind} {key}"
            if actual is None:
                what = {
                    "status": "account",
                    "worklist": "account",
                    "flags": "account",
                    "balances": "account",
                    "settlements": "settlement",
                    "offers": "offer",
                    "case": "case",
                    "follow_ups": "follow-up",
                }[kind]
                outcomes.append(Outcome(name, False, show(expected), f"no {what} '{key}'", mark))
                continue
            if kind == "flags":
                ok = set(map(str, expected)) <= set(actual)
                outcomes.append(Outcome(name, ok, show(expected) + " set", show(actual), mark))
            elif isinstance(expected, Mapping):
                unknown = [k for k in expected if k not in actual]
                ok = not unknown and subset(expected, actual)
                found = show(_project(actual, list(expected)))
                if unknown:
                    found += (
                        f" (no field {', '.join(map(str, unknown))}; fields are "
                        f"{', '.join(sorted(actual))})"
                    )
                outcomes.append(Outcome(name, ok, show(expected), found, mark))
            else:
                outcomes.append(
                    Outcome(name, same(expected, actual), show(expected), show(actual), mark)
                )
        return outcomes

    def _actual(self, kind: str, key: str) -> Any:
        session = self.session
        if kind in ("status", "worklist", "flags", "balances"):
            account = session.get(m.Account, key)
            if account is None:
                return None
            if kind == "balances":
                values = {bucket: str(amount) for bucket, amount in account.balances().items()}
                values["overpayment"] = str(account.overpayment)
                values["total"] = str(account.balance())
                return values
            return list(account.flags) if kind == "flags" else getattr(account, kind)
        if kind == "settlements":
            settlement = session.get(m.Settlement, key)
            return None if settlement is None else observe.settlement_fields(session, settlement)
        if kind == "offers":
            offer = session.get(m.Offer, key)
            return None if offer is None else observe.offer_fields(session, offer)
        if kind == "case":
            case = session.get(m.Case, key)
            return None if case is None else observe.case_fields(case)
        if kind == "follow_ups":
            return observe.follow_up_fields(session, key)
        raise ValueError(f"unknown expectation '{kind}'")


def check(scenario: Scenario, session: Session) -> list[Outcome]:
    """Every expectation of ``scenario`` against the store, in file order."""
    return Checker(scenario, session).run()
