"""``docket case``, ``docket payment`` and ``docket report payments`` on the sample agency,
on SQLite and PostgreSQL: the whole lifecycle, JSON output, and refusals exiting 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli.main import _register, cli
from engine.domain.clock import SystemClock
from tests.conftest import REPO

_register()

TODAY = SystemClock("America/Chicago").today().isoformat()  # the sample agency's business date


@pytest.fixture
def docket(db_url: str):
    """Run ``docket`` on the sample agency and the test database: (exit code, output)."""

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(
            cli, [*args, "--config", str(REPO), "--db", db_url], catch_exceptions=False
        )
        return result.exit_code, result.output

    return run


@pytest.fixture
def bundle(docket, tmp_path: Path) -> None:
    """Dana's ACME accounts A1 and A2 in bundle B1, placed through ``docket import``."""
    csv = tmp_path / "accounts.csv"
    csv.write_text(
        "account,client,bundle,principal,interest,party_id,party_name,party_roles\n"
        "A1,ACME,B1,1200.00,50.00,P1,Dana Reyes,responsible\n"
        "A2,ACME,B1,640.00,0.00,P1,Dana Reyes,responsible\n",
        encoding="utf-8",
    )
    code, out = docket("import", "accounts", str(csv))
    assert code == 0, out


def ok(result: tuple[int, str]) -> str:
    code, out = result
    assert code == 0, out
    return out


def test_the_case_lifecycle_from_the_command_line(docket, bundle, tmp_path: Path):
    out = ok(docket("case", "open", "C1", "--account", "A1", "--defendant", "P1"))
    assert "opened case C1" in out
    ok(docket("case", "add-accounts", "C1", "A2", "--status-code", "LEGAL"))
    assert "proposed_spread A1 1250.00, A2 640.00" in ok(docket("case", "auto-spread", "C1"))
    complaint = tmp_path / "complaint.txt"
    complaint.write_text("Acme Bank v. Dana Reyes", encoding="utf-8")
    assert "stored complaint.txt (23 bytes" in ok(docket("case", "upload", "C1", str(complaint)))
    ok(docket("case", "request-auth", "C1"))
    code, out = docket("case", "file", "C1")
    assert code == 1
    assert "error: case 'C1' cannot be filed: accounts 'A1', 'A2' not authorized" in out
    ok(docket("case", "authorize", "C1", "A1", "--date", TODAY))
    ok(docket("case", "authorize", "C1", "A2"))
    out = ok(docket("case", "dates", "C1", "court_date=2099-01-05", "mediation_date=" + TODAY))
    assert f"court_date 2099-01-05, mediation_date {TODAY}" in out
    assert "mediation_date cleared" in ok(docket("case", "dates", "C1", "mediation_date="))
    ok(docket("case", "summons", "C1"))
    ok(docket("case", "serve", "C1", "--response-days", "20"))
    ok(docket("case", "served", "C1"))
    assert f"file_date {TODAY}" in ok(docket("case", "file", "C1"))
    out = ok(
        docket(
            "case",
            "judgment",
            "C1",
            "--client",
            "ACME-JDG",
            "--account",
            "J1",
            "--amount",
            "1890.00",
            "--court-costs",
            "150.00",
            "--interest-rate",
            "9.0",
        )
    )
    assert "judgment J1 of 1890.00 on account J1; spread A1 1250.00, A2 640.00" in out
    out = ok(docket("payment", "post", "J1", "500.00"))
    assert "payment 1: 500.00 on account J1" in out
    assert "mirrored to A1: 330.69" in out and "mirrored to A2: 169.31" in out
    shown = json.loads(ok(docket("case", "show", "C1", "--json")))
    assert shown["status"] == "JUDGMENT"
    assert [(a["id"], a["status"], a["balance"]) for a in shown["accounts"]] == [
        ("A1", "AJ", "919.31"),
        ("A2", "AJ", "470.69"),
    ]
    assert shown["judgment"]["balance"] == "1540.00"
    assert shown["documents"][0]["name"] == "complaint.txt"
    text = ok(docket("case", "show", "C1"))
    assert "judgment J1: 1890.00 at 9% on account J1 (ACME-JDG), balance 1540.00" in text
    # The report books the payment to ACME (the mirrors), never to the judgment client.
    report = json.loads(
        ok(
            docket(
                "report", "payments", "--client", "ACME", "--from", TODAY, "--to", TODAY, "--json"
            )
        )
    )
    assert [(p["kind"], p["account"], p["amount"]) for p in report["payments"]] == [
        ("mirror", "A1", "330.69"),
        ("mirror", "A2", "169.31"),
    ]
    assert report["total"] == "500.00"
    out = ok(docket("report", "payments", "--client", "ACME-JDG", "--from", TODAY, "--to", TODAY))
    assert "ACME-JDG is a judgment client" in out and "total 0.00 (0 line(s))" in out
    # Unspread and respread from the command line; the payment's history shows it all.
    assert "unspread transaction 1, transaction 2, transaction 3" in ok(
        docket("payment", "unspread", "1")
    )
    code, out = docket("payment", "respread", "1")
    assert code == 1 and "payment 1 on account 'J1' is already unspread" in out
    out = ok(docket("payment", "post", "J1", "90", "--json"))
    assert json.loads(out)["result"]["mirrors"] == {"A1": "59.52", "A2": "30.48"}
    out = ok(docket("payment", "respread", "7", "--spreader", "interest-first"))
    assert "respread payment 7 as" in out
    history = json.loads(ok(docket("payment", "show", "7", "--json")))
    assert history["reversed"] is True
    assert [r["kind"] for r in history["related"]] == ["mirror", "mirror", "reversal"]
    assert "(unspread)" in ok(docket("payment", "show", "1"))


def test_refusals_exit_1_and_usage_errors_exit_2(docket, bundle):
    code, out = docket("case", "file", "C9")
    assert (code, out.strip()) == (1, "error: unknown case 'C9'")
    ok(docket("case", "open", "C1", "--account", "A1", "--defendant", "P1"))
    code, out = docket("case", "dates", "C1", "court_date=2020-01-01")
    assert code == 1 and "before the case was opened" in out
    code, out = docket("payment", "post", "A1", "0")
    assert code == 1 and "a payment must be greater than zero, got 0.00" in out
    code, _ = docket("case", "dates", "C1", "court_date=tomorrow")
    assert code == 2
    code, _ = docket("case", "judgment", "C1", "--client", "ACME-JDG", "--account", "J1")
    assert code == 2  # --amount is required
    code, out = docket(
        "case",
        "judgment",
        "C1",
        "--client",
        "ACME-JDG",
        "--account",
        "J1",
        "--amount",
        "10",
        "--spread",
        "{not json",
    )
    assert code == 2 and "--spread must be a JSON object" in out
