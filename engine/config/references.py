"""Names that point at other configuration objects, checked with "did you mean" suggestions."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from engine.config import catalogue, steps
from engine.config.errors import Finding, did_you_mean
from engine.config.model import Mark

Kind = Literal[
    "action_path", "status_code", "worklist", "template", "spreader", "client", "event", "action"
]

LABELS: Mapping[Kind, str] = {
    "action_path": "action path",
    "status_code": "status code",
    "worklist": "worklist",
    "template": "template",
    "spreader": "spreader",
    "client": "client",
    "event": "trigger event",
    "action": "action",
}

# The kind of name each list section defines.
SECTION_KINDS: Mapping[str, Kind] = {
    "action_paths": "action_path",
    "status_codes": "status_code",
    "worklists": "worklist",
    "spreaders": "spreader",
    "clients": "client",
}


@dataclass(slots=True)
class References:
    """The ids defined anywhere in the root, and which action paths something names."""

    known: dict[Kind, frozenset[str]]
    # Kinds whose ids were not all read (a file that did not load may define some): a name
    # not found is not reported, since the file's own error is the one to fix.
    unread: frozenset[Kind] = frozenset()
    findings: list[Finding] = field(default_factory=list)
    used_paths: set[str] = field(default_factory=set)

    @classmethod
    def build(
        cls,
        ids: Mapping[str, Collection[str]],
        templates: Collection[str],
        actions: Collection[str] = (),
        unread: Collection[str] = (),
    ) -> References:
        """Known names per kind; ``ids`` holds the merged sections' ids by section name,
        ``unread`` the sections a file that did not load may define."""
        known: dict[Kind, frozenset[str]] = {
            kind: frozenset(ids.get(section, ())) for section, kind in SECTION_KINDS.items()
        }
        known["template"] = frozenset(templates)
        known["event"] = frozenset(catalogue.EVENT_NAMES)
        # Control keys are offered as suggestions too: ``iff`` → ``if``.
        known["action"] = frozenset((*steps.ACTION_NAMES, *actions, "if", "wait", "run", "stop"))
        unread_kinds = frozenset(
            kind for section, kind in SECTION_KINDS.items() if section in unread
        )
        return cls(known, unread_kinds)

    def check(self, kind: Kind, name: str, mark: Mark, owner: str) -> bool:
        """True when ``name`` is defined; else a finding with the closest defined name."""
        if kind == "action_path":
            self.used_paths.add(name)
        if name in self.known[kind]:
            return True
        if kind in self.unread:
            return False
        hint = did_you_mean(name, sorted(self.known[kind]))
        self.findings.append(
            Finding(f"{owner}: unknown {LABELS[kind]} '{name}'{hint}", mark, stage="references")
        )
        return False

    def check_emitted(self, name: str, mark: Mark, owner: str) -> bool:
        """True for a catalogue event: the inbox refuses any other name, so an emit of one
        would fail every run that reaches it."""
        if name in self.known["event"]:
            return True
        hint = did_you_mean(name, sorted(self.known["event"]))
        self.findings.append(
            Finding(
                f"{owner}: emits unknown event '{name}': only catalogue events can be "
                f"emitted{hint}",
                mark,
                stage="references",
            )
        )
        return False
