"""``docket case``: the legal case buttons from the command line (seed 003). The module also
hands ``docket payment`` and ``docket report`` (``commands_legal_payments``) to the CLI.

Each operation runs in one transaction at today's business date; a refused one prints
``error: …``, changes nothing and exits 1. Events it emits are processed at once unless
``--no-process``. ``--json`` prints the operation's result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from engine.cli.commands_legal_payments import payment_group, report_group
from engine.cli.common import echo_json
from engine.cli.operate import (
    common_options,
    operation_options,
    parse_date,
    read,
    run_operation,
)
from engine.domain.operations.cases import describe_case


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


# --- docket case -----------------------------------------------------------------------------


@click.group("case")
def case_group() -> None:
    """Legal cases: open, bundle, authorize, summons, service, file, judgment, dismiss."""


@case_group.command("open")
@click.argument("case")
@click.option("--account", "accounts", multiple=True, required=True, help="Account (repeat).")
@click.option("--defendant", "defendants", multiple=True, help="Defendant party (repeat).")
@click.option("--status-code", default=None, help="A legal status code to set on the accounts.")
@click.option("--court", default=None)
@click.option("--attorney", default=None)
@click.option("--process-server", default=None)
@operation_options
def case_open(case: str, accounts: tuple[str, ...], defendants: tuple[str, ...], **o: Any) -> None:
    """Open a case on accounts of one bundle (the first is the primary)."""
    params = {"case": case, "accounts": list(accounts), "defendants": list(defendants)}
    for key in ("status_code", "court", "attorney", "process_server"):
        if o[key] is not None:
            params[key] = o.pop(key)
        else:
            o.pop(key)
    run_operation("open_case", params, o, lambda r: f"opened case {r['case']}")


@case_group.command("add-accounts")
@click.argument("case")
@click.argument("accounts", nargs=-1, required=True)
@click.option("--status-code", default=None, help="A legal status code to set on them.")
@operation_options
def case_add_accounts(
    case: str, accounts: tuple[str, ...], status_code: str | None, **o: Any
) -> None:
    """Add responsible-party accounts of the bundle to a case."""
    params: dict[str, Any] = {"case": case, "accounts": list(accounts)}
    if status_code:
        params["status_code"] = status_code
    run_operation(
        "add_case_accounts", params, o, lambda r: f"case {case}: added {', '.join(r['added'])}"
    )


@case_group.command("add-defendants")
@click.argument("case")
@click.argument("parties", nargs=-1, required=True)
@operation_options
def case_add_defendants(case: str, parties: tuple[str, ...], **o: Any) -> None:
    """Add defendants (responsible parties on the case's accounts)."""
    params = {"case": case, "defendants": list(parties)}
    run_operation(
        "add_defendants", params, o, lambda r: f"case {case}: added {', '.join(r['added'])}"
    )


@case_group.command("upload")
@click.argument("case")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="Document name (default: the file's name).")
@operation_options
def case_upload(case: str, path: Path, name: str | None, **o: Any) -> None:
    """Attach a document (a stored file, with its size and SHA-256) to a case."""
    params = {"case": case, "path": str(path), "name": name or path.name}
    run_operation(
        "upload_case_document",
        params,
        o,
        lambda r: f"case {case}: stored {r['name']} ({r['size']} bytes, sha256 {r['sha256']})",
    )


def _button(command: str, operation: str, field: str, doc: str) -> None:
    @case_group.command(command, help=doc)
    @click.argument("case")
    @operation_options
    def button(case: str, **o: Any) -> None:
        run_operation(
            operation, {"case": case}, o, lambda r: f"case {case}: {field} {_plain(r[field])}"
        )


_button("request-auth", "request_client_auth", "client_auth_request_date", "Request Client Auth.")
_button("summons", "request_summons", "summons_request_date", "Request the summons.")
_button("file", "file_case", "file_date", "File the case (every account must be authorized).")
_button("auto-spread", "auto_spread", "proposed_spread", "Propose the judgment spread.")


@case_group.command("authorize")
@click.argument("case")
@click.argument("account")
@click.option("--date", "on", default=None, help="Authorization date (default today).")
@operation_options
def case_authorize(case: str, account: str, on: str | None, **o: Any) -> None:
    """Enter one account's authorization date."""
    params = {"case": case, "account": account, "date": parse_date(on, "--date")}
    run_operation(
        "authorize_account",
        {k: v for k, v in params.items() if v is not None},
        o,
        lambda r: f"case {case}: account {account} authorized on {r['authorized_date']}",
    )


@case_group.command("serve")
@click.argument("case")
@click.option("--response-days", type=int, default=None, help="Serve response period (days).")
@operation_options
def case_serve(case: str, response_days: int | None, **o: Any) -> None:
    """Serve Defendants: the serve request date is today."""
    params: dict[str, Any] = {"case": case}
    if response_days is not None:
        params["response_days"] = response_days
    run_operation("serve_defendants", params, o, lambda r: f"case {case}: sent for service")


@case_group.command("served")
@click.argument("case")
@click.option("--date", "on", default=None, help="Served date (default today).")
@operation_options
def case_served(case: str, on: str | None, **o: Any) -> None:
    """Record service on the defendants."""
    params = {"case": case, **({"date": parse_date(on, "--date")} if on else {})}
    run_operation("record_served", params, o, lambda r: f"case {case}: served {r['served_date']}")


@case_group.command("dismiss")
@click.argument("case")
@click.option("--date", "on", default=None, help="Dismissed date (default today).")
@operation_options
def case_dismiss(case: str, on: str | None, **o: Any) -> None:
    """Dismiss the case."""
    params = {"case": case, **({"date": parse_date(on, "--date")} if on else {})}
    run_operation(
        "dismiss_case", params, o, lambda r: f"case {case}: dismissed {r['dismissed_date']}"
    )


@case_group.command("dates")
@click.argument("case")
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=DATE...")
@operation_options
def case_dates(case: str, assignments: tuple[str, ...], **o: Any) -> None:
    """Enter case dates (court_date=2026-06-10); an empty value clears (court_date=)."""
    params: dict[str, Any] = {"case": case}
    for item in assignments:
        field, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"'{item}' is not FIELD=DATE")
        params[field.strip()] = parse_date(value, field) if value.strip() else None
    run_operation(
        "set_case_dates",
        params,
        o,
        lambda r: (
            f"case {case}: "
            + (", ".join(f"{k} {v or 'cleared'}" for k, v in r["changed"].items()) or "no change")
        ),
    )


@case_group.command("judgment")
@click.argument("case")
@click.option("--client", "judgment_client", required=True, help="The judgment client.")
@click.option("--account", "judgment_account", required=True, help="Id of the new account.")
@click.option("--amount", required=True, help="Judgment amount (principal).")
@click.option("--interest-rate", default=None, help="Annual rate in percent (9.0 is 9 %).")
@click.option("--effective-date", default=None, help="Interest runs from (default judgment date).")
@click.option("--judgment-date", default=None, help="Judgment date (default today).")
@click.option("--result", default=None, help="Result (default: Judgment for plaintiff).")
@click.option("--court-costs", default=None, help="Court costs awarded.")
@click.option("--attorney-fees", default=None, help="Attorney fees awarded.")
@click.option("--spread", default=None, help='Spread as JSON: {"A1": "1000.00", …}.')
@click.option("--move-payments-after", is_flag=True, help="Move later payments to the judgment.")
@operation_options
def case_judgment(case: str, **o: Any) -> None:
    """Judgment Rendered: create the judgment account and spread it over the originals."""
    params: dict[str, Any] = {"case": case}
    for key in (
        "judgment_client",
        "judgment_account",
        "amount",
        "interest_rate",
        "result",
        "court_costs",
        "attorney_fees",
    ):
        value = o.pop(key)
        if value is not None:
            params[key] = value
    for key in ("effective_date", "judgment_date"):
        value = o.pop(key)
        if value is not None:
            params[key] = parse_date(value, "--" + key.replace("_", "-"))
    spread = o.pop("spread")
    if spread is not None:
        try:
            params["spread"] = json.loads(spread)
        except ValueError:
            raise click.UsageError("--spread must be a JSON object of account: amount") from None
    params["move_payments_after"] = o.pop("move_payments_after")
    run_operation(
        "render_judgment",
        params,
        o,
        lambda r: (
            f"case {case}: judgment {r['judgment']} of {r['amount']} on account "
            f"{r['judgment_account']}; spread "
            + ", ".join(f"{k} {v}" for k, v in r["spread"].items())
        ),
    )


@case_group.command("show")
@click.argument("case")
@common_options
def case_show(case: str, **o: Any) -> None:
    """A case with its accounts, defendants, dates, documents and judgment."""
    detail = read(o, lambda session, ruleset: describe_case(session, ruleset, case))
    if o["as_json"]:
        echo_json(detail)
        return
    click.echo(f"case {detail['id']} — {detail['status']} (opened {detail['opened_date']})")
    for account in detail["accounts"]:
        click.echo(
            f"  account {account['id']} [{account['status']}] {account['client']} balance "
            f"{account['balance']}; authorized {account['authorized_date'] or '-'}; proposed "
            f"spread {account['proposed_spread'] or '-'}"
        )
    click.echo(f"  defendants: {', '.join(detail['defendants']) or '(none)'}")
    for field, value in detail["dates"].items():
        if value is not None:
            click.echo(f"  {field}: {value}")
    for document in detail["documents"]:
        click.echo(f"  document {document['name']} ({document['size']} bytes)")
    judgment = detail["judgment"]
    if judgment:
        click.echo(
            f"  judgment {judgment['id']}: {judgment['amount']} at {judgment['interest_rate']}% "
            f"on account {judgment['account']} ({judgment['client']}), balance "
            f"{judgment['balance']}, interest accrued {judgment['interest_accrued']}"
        )
        for account, amount in judgment["spread"].items():
            click.echo(f"    spread {account}: {amount}")


# The payment and report commands live next door (one module per group keeps both short).
COMMANDS: list[click.Command] = [case_group, payment_group, report_group]
