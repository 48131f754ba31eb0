"""``docket settlement``: the settlement widget of an account, and the settlement and offer
operations (create, approve, state, remove, offer, offer-action).

Each operation runs in one transaction; a refused one prints ``error: …``, changes nothing
and exits 1. The events it emits (reached, offer generated…) are processed at once unless
``--no-process``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from engine.cli.common import echo_json
from engine.cli.operate import common_options, operation_options, read, run_operation
from engine.domain.operations.settlements import widget


def _pairs(values: tuple[str, ...], option: str, left: str) -> list[dict[str, str]]:
    """``KEY=AMOUNT`` options as ``{left: KEY, amount: AMOUNT}`` items, as typed: the
    operation refuses an id or an amount with spaces around it rather than guess."""
    items = []
    for value in values:
        key, sep, amount = value.partition("=")
        if not sep or not key or not amount:
            raise click.UsageError(f"{option} takes {left.upper()}=AMOUNT, got '{value}'")
        items.append({left: key, "amount": amount})
    return items


def _run(
    name: str,
    params: dict[str, Any],
    config_root: Path,
    db_url: str,
    as_json: bool,
    no_process: bool,
) -> None:
    options = {
        "config_root": config_root,
        "db_url": db_url,
        "as_json": as_json,
        "no_process": no_process,
    }
    run_operation(
        name,
        params,
        options,
        lambda result: ", ".join(f"{k}: {v}" for k, v in result.items() if v is not None),
    )


@click.group("settlement")
def settlement_group() -> None:
    """Settlements and settlement offers on an account."""


@settlement_group.command("show")
@click.argument("account")
@common_options
def show_command(account: str, config_root: Path, db_url: str, as_json: bool) -> None:
    """The settlement widget of an account: figures, offers and the client's authority."""
    options = {"config_root": config_root, "db_url": db_url}
    # Engine.read puts the clock's business date in session.info["today"].
    detail = read(
        options,
        lambda session, ruleset: widget(session, ruleset, account, session.info["today"]),
    )
    if as_json:
        echo_json(detail)
        return
    for line in render(detail):
        click.echo(line)


def _money(value: Any) -> str:
    return "-" if value is None else f"${value}"


def render(detail: dict[str, Any]) -> list[str]:
    """The widget as text, in the order of the bank seed's field table."""
    at = detail["at_initiation"] or {}
    counts = ", ".join(f"{k} {v}" for k, v in detail["offers_by_status"].items())
    lines = [
        f"account {detail['account']} ({detail['client']})"
        + (f" — {detail['source']}" if detail["source"] else " — no settlement or offer"),
        f"  total outstanding:           {_money(detail['total_outstanding'])}",
        f"  settlement amount:           {_money(detail['settlement_amount'])}",
        f"  outstanding post settlement: {_money(detail['outstanding_post_settlement'])}",
        f"  payment received:            {_money(detail['payment_received'])}",
        f"  settlement status:           {detail['status'] or '-'}",
        f"  offers:                      {counts}",
    ]
    if at:
        lines.append(
            f"  as on initiation ({at.get('date')}): total {_money(at.get('total'))}, "
            f"principal {_money(at.get('principal'))}, interest {_money(at.get('interest'))}, "
            f"other {_money(at.get('other'))}"
        )
    lines.append(f"  client authority: {detail['authority'] or '(none)'}")
    for item in detail["settlements"]:
        approval = ""
        if item["outside_authority"]:
            approval = (
                f", approved by {item['approved_by']}"
                if item["approved_by"]
                else ", outside authority (needs approval)"
            )
        lines.append(
            f"  settlement {item['id']}: {_money(item['amount'])} from {item['inception_date']}, "
            f"{item['status']}, received {_money(item['received'])}, "
            f"remaining {_money(item['remaining'])}{approval}"
        )
        for payment in item["payments"]:
            counted = "counted" if payment["counted"] else "before inception, not counted"
            lines.append(
                f"    payment {payment['payment']} on {payment['date']}: "
                f"{_money(payment['amount'])} ({counted})"
            )
        for claim in item["claims"]:
            lines.append(
                f"    claim {claim['claimant']}: {_money(claim['amount'])} {claim['status']}"
            )
        for inst in item["installments"]:
            lines.append(
                f"    installment due {inst['due_date']}: {_money(inst['amount'])} {inst['status']}"
            )
    for offer in detail["offers"]:
        lines.append(
            f"  offer {offer['id']}: {_money(offer['amount'])}, {offer['status']}, "
            f"offer date {offer['offer_date'] or '-'}, ends {offer['end_date'] or '-'}, "
            f"received {_money(offer['received'])}"
        )
    return lines


@settlement_group.command("create")
@click.argument("settlement")
@click.option("--account", required=True, help="Account the settlement is on.")
@click.option("--amount", default=None, help="Settlement amount.")
@click.option("--percent", default=None, help="Settlement as a percentage of the balance.")
@click.option("--calculate", is_flag=True, help="Amount from the client's percentages.")
@click.option("--inception-date", default=None, help="Inception date (default today).")
@click.option("--claim", "claims", multiple=True, help="A claim: PARTY=AMOUNT (repeatable).")
@click.option("--installment", "installments", multiple=True, help="DUE_DATE=AMOUNT (repeatable).")
@click.option("--case", default=None, help="The case the settlement belongs to.")
@click.option(
    "--code-payment-as",
    type=click.Choice(["settlement", "partial"]),
    default="settlement",
    show_default=True,
    help="How the payment that reaches the settlement is coded.",
)
@operation_options
def create_command(settlement: str, account: str, **options: Any) -> None:
    """Create a settlement on an account."""
    params: dict[str, Any] = {
        "settlement": settlement,
        "account": account,
        "code_payment_as": options["code_payment_as"],
    }
    for key in ("amount", "percent", "inception_date", "case"):
        if options[key] is not None:
            params[key] = options[key]
    if options["calculate"]:
        params["calculate"] = True
    if options["claims"]:
        params["claims"] = _pairs(options["claims"], "--claim", "claimant")
    if options["installments"]:
        params["installments"] = _pairs(options["installments"], "--installment", "due_date")
    _run("create_settlement", params, *_tail(options))


def _tail(options: dict[str, Any]) -> tuple[Path, str, bool, bool]:
    return options["config_root"], options["db_url"], options["as_json"], options["no_process"]


@settlement_group.command("approve")
@click.argument("settlement")
@click.option("--by", required=True, help="Who approved it.")
@operation_options
def approve_command(settlement: str, by: str, **options: Any) -> None:
    """Approve a settlement outside the client's authority."""
    _run("approve_settlement", {"settlement": settlement, "by": by}, *_tail(options))


@settlement_group.command("state")
@click.argument("settlement")
@click.argument("state", type=click.Choice(["active", "inactive", "void"]))
@operation_options
def state_command(settlement: str, state: str, **options: Any) -> None:
    """Make a settlement active, inactive or void."""
    _run("set_settlement_state", {"settlement": settlement, "state": state}, *_tail(options))


@settlement_group.command("remove")
@click.argument("settlement")
@operation_options
def remove_command(settlement: str, **options: Any) -> None:
    """Delete a settlement with its claims and installments."""
    _run("remove_settlement", {"settlement": settlement}, *_tail(options))


@settlement_group.command("offer")
@click.argument("offer")
@click.option("--account", required=True, help="Account the offer is for.")
@click.option("--amount", required=True, help="Offer amount.")
@click.option("--term-days", type=int, default=None, help="Days to pay from the offer date.")
@click.option("--expiry-date", default=None, help="Date the offer expires.")
@click.option("--type", "settlement_type", default=None, help="Settlement type.")
@operation_options
def offer_command(offer: str, account: str, amount: str, **options: Any) -> None:
    """Create a settlement offer (Initiated)."""
    params: dict[str, Any] = {"offer": offer, "account": account, "amount": amount}
    for key in ("term_days", "expiry_date", "settlement_type"):
        if options[key] is not None:
            params[key] = options[key]
    _run("create_offer", params, *_tail(options))


@settlement_group.command("offer-action")
@click.argument("offer")
@click.argument("action", type=click.Choice(["generate", "accept", "decline", "cancel"]))
@operation_options
def offer_action_command(offer: str, action: str, **options: Any) -> None:
    """Generate, accept, decline or cancel an offer."""
    _run("offer_action", {"offer": offer, "action": action}, *_tail(options))


COMMANDS = [settlement_group]
