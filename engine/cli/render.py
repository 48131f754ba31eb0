"""Readable text for traces and explanations (the ``--json`` forms print the dicts)."""

from __future__ import annotations

from typing import Any

import click

from engine.runtime import failing_summary, holding_summary

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
        text += f" — unless {holding_summary(entry['unless'])}"
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


RULE_TEXT = {
    "hold": "a contact hold",
    "stop_contact": "a stop-contact status",
    "quiet_hours": "quiet hours",
    "cap": "a contact cap",
}


def held_line(held: dict[str, Any]) -> str:
    """A message the contact policy held back, and the rule that did."""
    until = f" until {held['until']}" if held.get("until") else ""
    rule = RULE_TEXT.get(held.get("rule") or "", "the contact policy")
    return (
        f"contact policy held {held['channel']} {held['template'] or ''} -> {held['to']} "
        f"(path {held['path']}, run {held['run']}): {held['status']}{until} by {rule} — "
        f"{held['reason']}"
    )


def echo_event(detail: dict[str, Any]) -> None:
    subject = detail["subject"]
    late = " late" if detail.get("late") else ""
    if detail.get("late_reason"):
        late += f" ({detail['late_reason']})"
    click.echo(
        f"{detail['date']} {detail['name']} on {subject['kind']} {subject['id']}{late}"
        f" — {detail['status']}" + (f": {detail['reason']}" if detail.get("reason") else "")
    )
    for entry in detail["triggers"]:
        click.echo(trigger_line(entry))
        for held in entry.get("held") or []:
            click.echo(f"    {held_line(held)}")
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


def date_line(entry: dict[str, Any]) -> str:
    """One date trigger on one subject: fired, skipped, upcoming, pending, queued or never."""
    subject = entry["subject"]
    field = str(entry["field"]).split(".", 1)[-1]
    what = f"{field} {entry['date']}" if entry.get("date") else field
    if entry.get("offset"):
        what += f" {entry['offset']}"
    head = f"  {entry['trigger']} on {subject['kind']} {subject['id']} ({what}): "
    due = f"due {entry['due_on']}" if entry.get("due_on") else ""
    reason = entry.get("reason")
    status = entry["status"]
    if status == "fired":
        late = f", late: {reason}" if entry.get("late") else ""
        runs = ", ".join(str(r) for r in entry.get("runs") or [])
        return head + f"fired {entry['on']}{late} ({due}; runs {runs})"
    if status == "skipped":
        return head + f"skipped {entry['on']} ({due}): {reason}"
    if status == "upcoming":
        return head + f"upcoming, {due}" + (f" ({reason})" if reason else "")
    if status == "pending":
        return head + f"pending, {due}: {reason}"
    if status == "queued":
        return head + f"queued {entry['on']} ({due}), not processed yet"
    if status == "failed":
        return head + f"FAILED {entry['on']} ({due}): {entry.get('error')}"
    return head + "never" + (f" ({due})" if due else "") + f": {reason}"
