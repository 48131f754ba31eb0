"""Readable text for traces and explanations (the ``--json`` forms print the dicts)."""

from __future__ import annotations

from typing import Any

import click

from engine.runtime import failing_summary

OUTCOME_TEXT = {
    "ran": "fired",
    "condition_false": "did not fire: condition false",
    "unless_true": "did not fire: unless was true",
    "already_fired": "skipped: already fired for this event",
    "suspended": "skipped: automation suspended",
    "failed": "FAILED",
    "removed": "not run again: no longer in the running version",
}


def trigger_line(entry: dict[str, Any]) -> str:
    outcome = entry.get("outcome", "?")
    text = f"  trigger {entry.get('trigger')}: {OUTCOME_TEXT.get(outcome, outcome)}"
    if outcome == "condition_false" and entry.get("if"):
        text += f" — {failing_summary(entry['if'])}"
    if outcome == "unless_true" and entry.get("unless"):
        text += f" — unless {entry['unless'].get('expr', '')}"
    if entry.get("runs"):
        text += f" (runs {', '.join(str(r) for r in entry['runs'])})"
    if entry.get("reason"):
        text += f" ({entry['reason']})"
    if entry.get("error"):
        text += f": {entry['error']}"
        if entry.get("where"):
            text += f" (at {entry['where']})"
    if int(entry.get("attempt") or 1) > 1:
        text += f" [attempt {entry['attempt']}]"
    return text


def echo_event(detail: dict[str, Any]) -> None:
    subject = detail["subject"]
    late = " late" if detail.get("late") else ""
    click.echo(
        f"{detail['date']} {detail['name']} on {subject['kind']} {subject['id']}{late}"
        f" — {detail['status']}" + (f": {detail['reason']}" if detail.get("reason") else "")
    )
    for entry in detail["triggers"]:
        click.echo(trigger_line(entry))
    if not detail["triggers"] and detail["status"] == "processed":
        click.echo("  no trigger listens to this event")
    for run_id in detail.get("resumed") or []:
        click.echo(f"  resumed waiting run {run_id}")
    for failed in detail.get("resume_failed") or []:
        click.echo(
            f"  resumed waiting run {failed['run']}: FAILED at {failed['where']}: {failed['error']}"
        )
    if int(detail.get("attempt") or 1) > 1:
        click.echo(f'  attempt {detail["attempt"]} (the earlier ones: --json, "attempts")')


def step_line(step: dict[str, Any]) -> str:
    kind = step.get("step")
    if kind == "if":
        cond = step.get("condition", {})
        return f"if {cond.get('expr', '…')} → {cond.get('value')}"
    if kind == "wait":
        return f"wait until {step.get('until')}" + (
            f" or {step['condition']}" if step.get("condition") else ""
        )
    if kind == "run":
        return f"run {step.get('path')}"
    if kind in ("resume", "resumed"):
        return f"resumed ({step.get('reason', 'due')})"
    if kind == "stop":
        return f"stop: {step.get('reason')}"
    if kind == "retry":
        after = f" after failed run {step['previous_run']}" if step.get("previous_run") else ""
        return f"retry: attempt {step.get('attempt')}{after}"
    result = step.get("result") or {}
    shown = ", ".join(f"{k}={v}" for k, v in result.items() if k != "keys")
    return f"{kind}: {shown}"


def echo_run(detail: dict[str, Any]) -> None:
    event = detail.get("event") or {}
    click.echo(
        f"run {detail['run']}: path {detail['path']} (trigger {detail['trigger']}) on "
        f"{detail['subject']['kind']} {detail['subject']['id']} — {detail['status']}"
    )
    click.echo(
        f"  event {event.get('name')} {event.get('id')} on {event.get('date')}"
        f"{' (late)' if event.get('late') else ''}; ruleset {str(detail['ruleset'])[:12]}"
    )
    for step in detail["steps"] or []:
        click.echo(f"  - {step_line(step)}")
    if detail.get("wait_until"):
        click.echo(f"  waiting until {detail['wait_until']}")
    if detail.get("error"):
        click.echo(f"  error at {detail['error_step']}: {detail['error']}")
