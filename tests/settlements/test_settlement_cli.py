"""``docket settlement``: the widget and the operations from the command line, both backends."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from engine.cli.main import _register, cli
from engine.runtime.engine import Engine
from tests.settlements.helpers import REPO, operate, place


def docket(engine: Engine, *args: str) -> Result:
    _register()
    return CliRunner().invoke(
        cli, ["settlement", *args, "--config", str(REPO), "--db", engine.db_url]
    )


def test_a_settlement_from_the_command_line(engine: Engine) -> None:
    place(engine, "A1", "ACME", ["P1"], principal="1000.00")
    operate(engine, "post_payment", account="A1", amount="100.00")  # principal now 900.00

    created = docket(
        engine,
        "create",
        "S1",
        "--account",
        "A1",
        "--amount",
        "500.00",
        "--inception-date",
        "2026-05-04",
        "--claim",
        "P1=500.00",
        "--installment",
        "2026-06-01=500.00",
    )
    assert created.exit_code == 0, created.output
    # 60 % of 900.00 is 540.00: 500.00 is outside Acme's authority.
    assert "calculated_amount: 540.00" in created.output
    assert "outside_authority: True" in created.output

    shown = docket(engine, "show", "A1")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == "account A1 (ACME) — settlement S1"
    assert "  total outstanding:           $900.00" in lines
    assert "  payment received:            $100.00" in lines
    assert "  outstanding post settlement: $500.00" in lines
    assert any("outside authority (needs approval)" in line for line in lines)
    assert any(line.startswith("  client authority: Up to 40% off principal") for line in lines)
    assert "    claim P1: $500.00 Pending" in lines
    assert "    installment due 2026-06-01: $500.00 due" in lines

    approved = docket(engine, "approve", "S1", "--by", "J. Marsh", "--json")
    assert approved.exit_code == 0, approved.output
    assert json.loads(approved.output)["result"]["approved_by"] == "J. Marsh"
    operate(engine, "post_payment", account="A1", amount="400.00")

    detail = json.loads(docket(engine, "show", "A1", "--json").output)
    assert (detail["status"], detail["payment_received"]) == ("reached", "500.00")
    assert detail["settlements"][0]["reached_date"] == "2026-05-04"


def test_refusals_exit_1_and_change_nothing(engine: Engine) -> None:
    place(engine, "A1", "ACME", ["P1"], principal="1000.00")
    refused = docket(engine, "create", "S1", "--account", "A1", "--amount", "0")
    assert refused.exit_code == 1
    assert "error: settlement 'S1': the settlement amount must be greater than zero" in (
        refused.output
    )
    assert docket(engine, "create", "S1", "--account", "A1", "--percent", "140").exit_code == 1
    unknown = docket(engine, "offer-action", "O9", "accept")
    assert (unknown.exit_code, "error: unknown offer 'O9'" in unknown.output) == (1, True)
    assert docket(engine, "state", "S1", "void").exit_code == 1
    usage = docket(engine, "create", "S1", "--account", "A1", "--claim", "P1")
    assert usage.exit_code == 2
    detail = json.loads(docket(engine, "show", "A1", "--json").output)
    assert (detail["settlements"], detail["offers"], detail["source"]) == ([], [], None)
    assert docket(engine, "show", "A9").exit_code == 1


def test_offers_from_the_command_line(engine: Engine) -> None:
    place(engine, "G1", "GLOBEX", ["P1"], principal="2000.00")
    made = docket(engine, "offer", "O1", "--account", "G1", "--amount", "1200", "--term-days", "30")
    assert made.exit_code == 0, made.output
    assert "status: Initiated" in made.output
    second = docket(engine, "offer", "O2", "--account", "G1", "--amount", "900", "--term-days", "9")
    assert second.exit_code == 1
    assert "already has an active offer 'O1' (Initiated)" in second.output
    generated = docket(engine, "offer-action", "O1", "generate")
    assert generated.exit_code == 0, generated.output
    assert "status: Offer Generated" in generated.output
    assert "processed" in generated.output  # onOfferGenerated ran the offer letter path
    shown = docket(engine, "show", "G1").output.splitlines()
    assert "  settlement status:           Offer Generated" in shown
    assert (
        "  offers:                      Offer Generated 1, Offer Accepted 0, "
        "Offer Declined 0, Cancelled 0"
    ) in shown
    cancelled = docket(engine, "offer-action", "O1", "cancel")
    assert cancelled.exit_code == 0, cancelled.output
    again = docket(engine, "offer-action", "O1", "accept")
    assert again.exit_code == 1
    assert "offer 'O1' is cancelled: no action can be taken on it" in again.output
