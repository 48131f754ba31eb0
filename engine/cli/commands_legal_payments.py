"""``docket payment`` (post, unspread, respread, show) and ``docket report payments``.

Judgment payments are posted on the judgment account and mirrored onto the original
accounts; the report lists them under the original accounts' clients (seed 003).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from engine.cli.common import echo_json
from engine.cli.operate import (
    common_options,
    operation_options,
    parse_date,
    read,
    run_operation,
)
from engine.domain.operations.payments import describe_payment
from engine.domain.reports import payments_report

# --- docket payment --------------------------------------------------------------------------


@click.group("payment")
def payment_group() -> None:
    """Payments: post (mirrored onto the originals on a judgment account), unspread, respread."""


def _describe_payment(r: dict[str, Any]) -> str:
    lines = [
        f"payment {r['payment']}: {r['amount']} on account {r['account']} ({r['date']}, "
        f"spreader {r['spreader']})"
    ]
    lines += [f"  {bucket}: {amount}" for bucket, amount in r["allocations"].items()]
    lines += [f"  mirrored to {account}: {amount}" for account, amount in r["mirrors"].items()]
    return "\n".join(lines)


@payment_group.command("post")
@click.argument("account")
@click.argument("amount")
@click.option("--date", "on", default=None, help="Payment date (default today).")
@click.option("--spreader", default=None, help="Spreader (default: the client's).")
@operation_options
def payment_post(account: str, amount: str, on: str | None, spreader: str | None, **o: Any) -> None:
    """Post a payment and spread it."""
    params: dict[str, Any] = {"account": account, "amount": amount}
    if on:
        params["date"] = parse_date(on, "--date")
    if spreader:
        params["spreader"] = spreader
    run_operation("post_payment", params, o, _describe_payment)


@payment_group.command("unspread")
@click.argument("payment", type=int)
@operation_options
def payment_unspread(payment: int, **o: Any) -> None:
    """Reverse a payment and its mirrors (history kept)."""
    run_operation(
        "unspread_payment",
        {"payment": payment},
        o,
        lambda r: "unspread " + ", ".join(f"transaction {t}" for t in r["unspread"]),
    )


@payment_group.command("respread")
@click.argument("payment", type=int)
@click.option("--spreader", default=None, help="Spreader (default: the one it was spread with).")
@operation_options
def payment_respread(payment: int, spreader: str | None, **o: Any) -> None:
    """Unspread a payment and spread it again as new transactions."""
    params: dict[str, Any] = {"payment": payment}
    if spreader:
        params["spreader"] = spreader
    run_operation(
        "respread_payment",
        params,
        o,
        lambda r: f"respread payment {r['replaces']} as\n" + _describe_payment(r),
    )


@payment_group.command("show")
@click.argument("payment", type=int)
@common_options
def payment_show(payment: int, **o: Any) -> None:
    """A transaction with its allocations, mirrors and reversals."""
    detail = read(o, lambda session, ruleset: describe_payment(session, payment))
    if o["as_json"]:
        echo_json(detail)
        return
    state = " (unspread)" if detail["reversed"] else ""
    click.echo(
        f"{detail['kind']} {detail['id']}{state}: {detail['amount']} on account "
        f"{detail['account']} ({detail['client']}, {detail['date']})"
    )
    for line in detail["allocations"]:
        click.echo(f"  {line['account']} {line['bucket']}: {line['amount']}")
    for related in detail["related"]:
        click.echo(
            f"  {related['kind']} {related['id']}: {related['amount']} on account "
            f"{related['account']} ({related['client']})"
            + (" (unspread)" if related["reversed"] else "")
        )


# --- docket report -----------------------------------------------------------------------------


@click.group("report")
def report_group() -> None:
    """Reports for clients (judgment payments appear under the original accounts' clients)."""


@report_group.command("payments")
@click.option("--client", required=True, help="Client code.")
@click.option("--from", "start", required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", required=True, help="Last day (YYYY-MM-DD).")
@common_options
def report_payments(client: str, start: str, end: str, **o: Any) -> None:
    """Payments booked to a client's accounts in a period, mirrors of judgment payments
    included."""
    first = date.fromisoformat(parse_date(start, "--from") or start)
    last = date.fromisoformat(parse_date(end, "--to") or end)
    report = read(o, lambda session, ruleset: payments_report(session, client, first, last))
    if o["as_json"]:
        echo_json(report)
        return
    click.echo(f"payments for {client}, {report['from']} to {report['to']}")
    if report["judgment_client"]:
        click.echo(
            f"  {client} is a judgment client: its judgment payments are reported under the "
            "clients of the original accounts"
        )
    for line in report["payments"]:
        source = line["source"] or {}
        via = (
            f" (judgment payment {source['payment']} on {source['judgment_account']})"
            if line["kind"] == "mirror"
            else f" (reverses {source['of']} {source['reverses']})"
            if line["kind"] == "reversal"
            else ""
        )
        click.echo(f"  {line['date']} {line['account']} {line['kind']} {line['amount']}{via}")
    click.echo(f"  total {report['total']} ({len(report['payments'])} line(s))")
