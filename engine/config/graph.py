"""Graph checks over the compiled paths: sub-path cycles, trigger loops, dead configuration."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from engine.config.errors import Finding
from engine.config.model import (
    ActionPath,
    ActionStep,
    Client,
    Expression,
    IfStep,
    RunStep,
    Step,
    StopStep,
    Trigger,
)

# Derived events a built-in action causes, as far as they can be known without running it.
_ACTION_EVENTS: Mapping[str, str] = {
    "set_status": "onStatusChange",
    "move_worklist": "onWorklistChange",
    "open_follow_up": "onAfterFollowUpInsert",
    "resolve_follow_up": "onFollowUpResolved",
}
_OFFER_EVENTS: Mapping[str, str] = {
    "generate": "onOfferGenerated",
    "accept": "onOfferAccepted",
    "decline": "onOfferDeclined",
    "cancel": "onOfferCancelled",
}
_HOW: Mapping[str, str] = {
    "onStatusChange": "sets a status (onStatusChange)",
    "onWorklistChange": "moves a worklist (onWorklistChange)",
}


def walk(steps: Sequence[Step]) -> Iterator[Step]:
    """Every step, nested branches included, in written order."""
    for step in steps:
        yield step
        if isinstance(step, IfStep):
            yield from walk(step.then)
            yield from walk(step.otherwise)


def _sub_paths(path: ActionPath) -> list[RunStep]:
    return [step for step in walk(path.steps) if isinstance(step, RunStep)]


def _events(step: Step) -> Iterator[str]:
    if not isinstance(step, ActionStep):
        return
    if step.action in _ACTION_EVENTS:
        yield _ACTION_EVENTS[step.action]
    elif step.action == "emit":
        event = step.params.get("event")
        if isinstance(event, str) and not isinstance(event, Expression):
            yield event
    elif step.action == "offer_action":
        action = step.params.get("action")
        if isinstance(action, str) and action in _OFFER_EVENTS:
            yield _OFFER_EVENTS[action]


def _cycle_key(cycle: Sequence[str]) -> tuple[str, ...]:
    body = list(cycle[:-1])
    start = body.index(min(body))
    return tuple(body[start:] + body[:start])


def _cycles(edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Every cycle closed by a back edge of a depth-first search, once each, as a -> b -> a."""
    found: dict[tuple[str, ...], list[str]] = {}
    state: dict[str, int] = {}  # 1 on the path, 2 done
    for start in sorted(edges):
        if start in state:
            continue
        # Iterative: a chain of thousands of paths must not hit the recursion limit.
        path = [start]
        state[start] = 1
        stack: list[Iterator[str]] = [iter(edges.get(start, ()))]
        while stack:
            for target in stack[-1]:
                seen = state.get(target)
                if seen == 1:
                    key = _cycle_key([*path[path.index(target) :], target])
                    found.setdefault(key, [*key, key[0]])
                elif seen is None:
                    state[target] = 1
                    path.append(target)
                    stack.append(iter(edges.get(target, ())))
                    break
            else:
                stack.pop()
                state[path.pop()] = 2
    return [found[key] for key in sorted(found)]


@dataclass(slots=True)
class GraphCheck:
    paths: Mapping[str, ActionPath]
    triggers: Sequence[Trigger]
    clients: Mapping[str, Client]
    max_event_depth: int = 8

    def run(self, used_paths: set[str] | None) -> list[Finding]:
        """All graph findings; ``used_paths`` None skips the unused-path check."""
        unused = self.unused_paths(used_paths) if used_paths is not None else []
        return [*self.sub_path_cycles(), *self.unreachable_steps(), *unused, *self.trigger_loops()]

    def sub_path_cycles(self) -> list[Finding]:
        edges = {
            pid: [s.path for s in _sub_paths(p) if s.path in self.paths]
            for pid, p in self.paths.items()
        }
        findings = []
        for cycle in _cycles(edges):
            first, second = cycle[0], cycle[1]
            mark = next(s.mark for s in _sub_paths(self.paths[first]) if s.path == second)
            text = " -> ".join(cycle)
            message = (
                f"action path '{first}' runs itself: {text}"
                if len(cycle) == 2
                else f"action path '{first}' runs itself through sub-paths: {text}"
            )
            findings.append(Finding(message, mark, stage="graph"))
        return findings

    def unreachable_steps(self) -> list[Finding]:
        findings: list[Finding] = []

        def check(path_id: str, steps: Sequence[Step]) -> None:
            for index, step in enumerate(steps):
                if isinstance(step, StopStep) and index + 1 < len(steps):
                    findings.append(
                        Finding(
                            f"action path '{path_id}': step is unreachable: it follows "
                            f"'stop' at line {step.mark.line}",
                            steps[index + 1].mark,
                            severity="warning",
                            stage="graph",
                        )
                    )
                    break
            for step in steps:
                if isinstance(step, IfStep):
                    check(path_id, step.then)
                    check(path_id, step.otherwise)

        for path_id, path in self.paths.items():
            check(path_id, path.steps)
        return findings

    def unused_paths(self, used: set[str]) -> list[Finding]:
        return [
            Finding(
                f"action path '{path_id}' is never used: no trigger, run step or client "
                "on_reached names it",
                path.mark,
                severity="warning",
                stage="graph",
            )
            for path_id, path in self.paths.items()
            if path_id not in used
        ]

    def _emitted(self) -> dict[str, dict[str, str]]:
        """Per path: event → the path (itself or a sub-path) whose step causes it."""
        direct = {
            pid: {event: pid for step in walk(p.steps) for event in _events(step)}
            for pid, p in self.paths.items()
        }
        subs = {
            pid: [s.path for s in _sub_paths(p) if s.path in self.paths]
            for pid, p in self.paths.items()
        }
        result: dict[str, dict[str, str]] = {}
        for pid in self.paths:
            # Breadth first through sub-paths: the nearest path causing an event is named.
            events: dict[str, str] = {}
            queue, seen = [pid], {pid}
            for current in queue:
                for event, source in direct[current].items():
                    events.setdefault(event, source)
                for sub in subs[current]:
                    if sub not in seen:
                        seen.add(sub)
                        queue.append(sub)
            result[pid] = events
        return result

    def trigger_loops(self) -> list[Finding]:
        emitted = self._emitted()
        listeners: dict[str, list[Trigger]] = {}
        for trigger in self.triggers:
            if not trigger.is_date and trigger.enabled:
                listeners.setdefault(trigger.on, []).append(trigger)
        by_id = {t.id: t for trigger_list in listeners.values() for t in trigger_list}
        # Edge t1 -> t2 labelled with how: the path t1 runs causes the event t2 listens to.
        how: dict[tuple[str, str], str] = {}
        edges: dict[str, list[str]] = {}
        for trigger in by_id.values():
            targets = edges.setdefault(trigger.id, [])
            for pid in trigger.run:
                for event, source in emitted.get(pid, {}).items():
                    for other in listeners.get(event, ()):
                        if (trigger.id, other.id) not in how:
                            targets.append(other.id)
                            via = f"path '{pid}'" + (f" (via '{source}')" if source != pid else "")
                            verb = _HOW.get(event, f"emits {event}")
                            how[(trigger.id, other.id)] = f"{via}, which {verb}"
        findings = []
        for cycle in _cycles(edges):
            hops = [
                f"trigger '{left}' runs {how[(left, right)]}"
                for left, right in itertools.pairwise(cycle)
            ]
            message = (
                f"possible trigger loop: {' -> '.join(hops)} -> trigger '{cycle[0]}' again "
                f"(derived events stop at depth {self.max_event_depth})"
            )
            findings.append(
                Finding(message, by_id[cycle[0]].mark, severity="warning", stage="graph")
            )
        return findings
