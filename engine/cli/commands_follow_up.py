"""``docket follow-up``: show, list, and the follow-up operations (open, comment, attach…).

Each operation runs in one transaction; a refused one prints ``error: …``, changes nothing
and exits 1. Events it emits (opened, resolved) are processed at once unless ``--no-process``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from engine.cli.common import echo_json, open_engine
from engine.cli.operate import (
    F,
    common_options,
    operation_options,
    parse_date,
    read,
    run_operation,
)
from engine.domain.operations.follow_ups import describe, open_follow_ups


def _operation(fn: F) -> F:
    fn = click.option("--author", default=None, help="Who did it (kept in the history).")(fn)
    return operation_options(fn)


def _operate(
    name: str,
    params: dict[str, Any],
    config_root: Path,
    db_url: str,
    as_json: bool,
    no_process: bool,
    describe_result: Callable[[dict[str, Any]], str],
) -> None:
    options = {
        "config_root": config_root,
        "db_url": db_url,
        "as_json": as_json,
        "no_process": no_process,
    }
    run_operation(name, params, options, describe_result)


@click.group("follow-up")
def follow_up_group() -> None:
    """Follow-up workspaces: disputes, legal follow-up, installment plans, validations."""


@follow_up_group.command("show")
@click.argument("follow_up")
@common_options
def show_command(follow_up: str, config_root: Path, db_url: str, as_json: bool) -> None:
    """A follow-up with its full history timeline."""
    options = {"config_root": config_root, "db_url": db_url}
    detail = read(options, lambda session, _ruleset: describe(session, follow_up))
    if as_json:
        echo_json(detail)
        return
    on = f"case {detail['case']}" if detail["case"] else f"account {detail['account']}"
    click.echo(f"follow-up {detail['id']} — {detail['kind'].replace('_', ' ')} on {on}")
    if detail["title"]:
        click.echo(f"  title: {detail['title']}")
    status = detail["status"]
    if detail["resolved_date"]:
        status += f" on {detail['resolved_date']}: {detail['outcome']}"
    click.echo(f"  status: {status}")
    click.echo(f"  owner: {detail['owner'] or '(none)'}   due: {detail['due_date'] or '(none)'}")
    if detail["stakeholders"]:
        click.echo(f"  stakeholders: {', '.join(detail['stakeholders'])}")
    if detail["items"]:
        click.echo(f"  items: {', '.join(detail['items'])}")
    if detail["suspends_automation"]:
        click.echo("  suspends the standard automation while open")
    click.echo("  history:")
    for line in detail["history"]:
        click.echo(f"    {line['on']} {line['kind']}: {_history_text(line)}")


def _history_text(line: dict[str, Any]) -> str:
    kind = line["kind"]
    by = f" (by {line['author']})" if line.get("author") else ""
    if kind == "opened":
        return f"owner {line.get('owner') or '(none)'}, due {line.get('due_date') or '(none)'}{by}"
    if kind == "comment":
        return f"{line['text']}{by}"
    if kind == "attachment":
        return f"{line['name']} ({line['size']} bytes, {line['type']}, sha256 {line['sha256']}){by}"
    if kind == "email":
        return f"{line['template']} to {', '.join(line['to'])}{by}"
    if kind in ("rescheduled", "reassigned"):
        reason = f" — {line['reason']}" if line.get("reason") else ""
        return f"{line.get('old') or '(none)'} → {line['new']}{reason}{by}"
    if kind == "resolved":
        return f"{line['outcome']}{by}"
    return str({k: v for k, v in line.items() if k not in ("kind", "on", "at")})


@follow_up_group.command("list")
@click.option("--owner", default=None, help="Only follow-ups owned by this user or department.")
@common_options
def list_command(owner: str | None, config_root: Path, db_url: str, as_json: bool) -> None:
    """Open follow-ups, soonest due first."""
    engine = open_engine(config_root, db_url)
    try:
        rows = engine.read(lambda session: open_follow_ups(session, owner))
    finally:
        engine.close()
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no open follow-ups" + (f" owned by {owner}" if owner else ""))
        return
    for row in rows:
        on = f"case {row['case']}" if row["case"] else f"account {row['account']}"
        suspended = "  [suspends automation]" if row["suspends_automation"] else ""
        click.echo(
            f"{row['due_date'] or '(no due date)':<13} {row['id']:<24} "
            f"{row['kind']:<20} {row['owner'] or '-':<16} {on}{suspended}"
        )


@follow_up_group.command("open")
@click.option("--id", "follow_up", default=None, help="Follow-up id (default: <subject>-<kind>).")
@click.option("--account", default=None, help="The account it is about.")
@click.option("--case", default=None, help="The case it is about.")
@click.option("--kind", required=True, help="dispute, legal, installment_plan, … or other.")
@click.option("--owner", default=None, help="The resolution owner.")
@click.option("--stakeholder", "stakeholders", multiple=True, help="A party id, department, …")
@click.option("--due", default=None, help="Due date (YYYY-MM-DD).")
@click.option("--item", "items", multiple=True, help="account:ID, transaction:ID or document:NAME")
@click.option("--title", default=None, help="A title.")
@click.option("--suspend", is_flag=True, help="Take the account out of automation while open.")
@_operation
def open_command(
    follow_up: str | None,
    account: str | None,
    case: str | None,
    kind: str,
    owner: str | None,
    stakeholders: tuple[str, ...],
    due: str | None,
    items: tuple[str, ...],
    title: str | None,
    suspend: bool,
    **common: Any,
) -> None:
    """Open a follow-up on an account or a case."""
    params = {
        "follow_up": follow_up,
        "account": account,
        "case": case,
        "kind": kind,
        "owner": owner,
        "stakeholders": list(stakeholders),
        "due_date": parse_date(due, "--due"),
        "items": list(items),
        "title": title,
        "suspend_automation": suspend,
        "author": common.pop("author"),
    }
    _run("open_follow_up", params, common, lambda r: f"opened follow-up {r['follow_up']}")


def _run(
    name: str, params: dict[str, Any], common: dict[str, Any], text: Callable[[Any], str]
) -> None:
    _operate(
        name,
        params,
        common["config_root"],
        common["db_url"],
        common["as_json"],
        common["no_process"],
        text,
    )


@follow_up_group.command("comment")
@click.argument("follow_up")
@click.argument("text")
@_operation
def comment_command(follow_up: str, text: str, **common: Any) -> None:
    """Add an internal comment."""
    params = {"follow_up": follow_up, "text": text, "author": common.pop("author")}
    _run("comment_follow_up", params, common, lambda r: f"follow-up {follow_up}: comment added")


@follow_up_group.command("attach")
@click.argument("follow_up")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="The name to keep (default: the file's).")
@_operation
def attach_command(follow_up: str, file: Path, name: str | None, **common: Any) -> None:
    """Attach a document (pdf, png, jpg, txt, docx, eml; 10 MiB at most)."""
    params = {
        "follow_up": follow_up,
        "name": name or file.name,
        "path": str(file),
        "author": common.pop("author"),
    }
    _run(
        "attach_follow_up",
        params,
        common,
        lambda r: f"follow-up {follow_up}: attached {r['name']} (sha256 {r['sha256']})",
    )


@follow_up_group.command("email")
@click.argument("follow_up")
@click.option("--to", "to", multiple=True, required=True, help="stakeholders, a party, an address")
@click.option("--template", required=True, help="A configured template.")
@click.option("--subject", default=None, help="Subject (default: the template's).")
@_operation
def email_command(
    follow_up: str, to: tuple[str, ...], template: str, subject: str | None, **common: Any
) -> None:
    """Email stakeholders from a template (through the outbox)."""
    params = {
        "follow_up": follow_up,
        "to": list(to),
        "template": template,
        "subject": subject,
        "author": common.pop("author"),
    }
    _run(
        "email_follow_up",
        params,
        common,
        lambda r: f"follow-up {follow_up}: email queued to {', '.join(r['to'])}",
    )


@follow_up_group.command("reschedule")
@click.argument("follow_up")
@click.argument("due")
@click.option("--reason", default=None, help="Why it moves.")
@_operation
def reschedule_command(follow_up: str, due: str, reason: str | None, **common: Any) -> None:
    """Move the due date (the old and new dates stay in the history)."""
    params = {
        "follow_up": follow_up,
        "due_date": parse_date(due, "DUE"),
        "reason": reason,
        "author": common.pop("author"),
    }
    _run(
        "reschedule_follow_up",
        params,
        common,
        lambda r: f"follow-up {follow_up}: due {r['old'] or '(none)'} → {r['new']}",
    )


@follow_up_group.command("reassign")
@click.argument("follow_up")
@click.argument("owner")
@click.option("--reason", default=None, help="Why it changes hands.")
@_operation
def reassign_command(follow_up: str, owner: str, reason: str | None, **common: Any) -> None:
    """Give the follow-up a new resolution owner."""
    params = {
        "follow_up": follow_up,
        "owner": owner,
        "reason": reason,
        "author": common.pop("author"),
    }
    _run(
        "reassign_follow_up",
        params,
        common,
        lambda r: f"follow-up {follow_up}: owner {r['old'] or '(none)'} → {r['new']}",
    )


@follow_up_group.command("resolve")
@click.argument("follow_up")
@click.argument("outcome")
@_operation
def resolve_command(follow_up: str, outcome: str, **common: Any) -> None:
    """Resolve with an outcome (releases any automation suspension)."""
    params = {"follow_up": follow_up, "outcome": outcome, "author": common.pop("author")}
    _run("resolve_follow_up", params, common, lambda r: f"follow-up {follow_up}: resolved")


COMMANDS = [follow_up_group]
