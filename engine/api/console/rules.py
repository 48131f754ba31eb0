"""The rules page: the trigger → path map as a graph, and how often each trigger fired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.config.graph import walk
from engine.config.model import ActionStep, Mark, RuleSet, RunStep

COLUMNS = ("event", "trigger", "path", "sub-path", "message")
MESSAGES = ("send_letter", "send_email", "send_sms", "place_call")
ROW, WIDTH, GAP = 26, 190, 60


@dataclass
class Node:
    key: str
    kind: str
    label: str
    where: str  # file:line, or "" for events
    x: int = 0
    y: int = 0


def _where(mark: Mark) -> str:
    return f"{mark.file}:{mark.line}" if mark.line else ""


def graph(ruleset: RuleSet) -> dict[str, Any]:
    """Nodes in columns (events, triggers, paths, sub-paths, messages) and their edges."""
    nodes: dict[str, Node] = {}
    edges: list[tuple[str, str]] = []

    def node(kind: str, name: str, where: str = "") -> str:
        key = f"{kind}:{name}"
        nodes.setdefault(key, Node(key, kind, name, where))
        return key

    def path_edges(source: str, path_id: str, kind: str, seen: frozenset[str]) -> None:
        path = ruleset.action_paths.get(path_id)
        target = node(kind, path_id, _where(path.mark) if path else "")
        edges.append((source, target))
        if path is None or path_id in seen:
            return
        for step in walk(path.steps):
            if isinstance(step, RunStep):
                path_edges(target, step.path, "sub-path", seen | {path_id})
            elif isinstance(step, ActionStep) and step.action in MESSAGES:
                template = step.params.get("template")
                label = f"{step.action.removeprefix('send_')}: {template or '—'}"
                edges.append((target, node("message", label, _where(step.mark))))

    for trigger in ruleset.triggers:
        event = node("event", trigger.on)
        source = node("trigger", trigger.id, _where(trigger.mark))
        edges.append((event, source))
        for path_id in trigger.run:
            path_edges(source, path_id, "path", frozenset())
    rows = {kind: 0 for kind in COLUMNS}
    for item in nodes.values():
        item.x = COLUMNS.index(item.kind) * (WIDTH + GAP) + 10
        item.y = rows[item.kind] * ROW + 30
        rows[item.kind] += 1
    unique = list(dict.fromkeys(edges))
    return {
        "nodes": list(nodes.values()),
        "edges": [(nodes[a], nodes[b]) for a, b in unique],
        "width": len(COLUMNS) * (WIDTH + GAP),
        "height": max(rows.values()) * ROW + 40,
        "columns": [(kind, i * (WIDTH + GAP) + 10) for i, kind in enumerate(COLUMNS)],
        "node_width": WIDTH,
    }


def coverage(session: Session, ruleset: RuleSet, since: date) -> list[dict[str, Any]]:
    """Per trigger: runs started since ``since``; triggers that never fired come first."""
    from engine.domain import models as m

    counts = dict(
        session.execute(
            select(m.Run.trigger_id, func.count())
            .where(m.Run.started_on >= since)
            .group_by(m.Run.trigger_id)
        ).all()
    )
    found = [
        {"trigger": t.id, "on": t.on, "runs": counts.get(t.id, 0), "where": _where(t.mark)}
        for t in ruleset.triggers
    ]
    return sorted(found, key=lambda item: (item["runs"] > 0, item["trigger"]))
