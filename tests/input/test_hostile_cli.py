"""Issue 17, findings 3, 6 and 7 on the command line: an id out of the rule, an amount out of
form or an unknown time zone is refused with ``error: …`` naming it, exit 1, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli.main import _register, cli
from tests.conftest import REPO

_register()


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
def placed(docket, tmp_path: Path) -> None:
    """Dana's ACME account A1 (1200.00), placed through ``docket import``."""
    csv = tmp_path / "accounts.csv"
    csv.write_text(
        "account,client,principal,party_id,party_name\nA1,ACME,1200.00,P1,Dana Reyes\n",
        encoding="utf-8",
    )
    code, out = docket("import", "accounts", str(csv))
    assert code == 0, out


def balance(docket, account: str = "A1") -> str:
    code, out = docket("settlement", "show", account, "--json")
    assert code == 0, out
    return str(json.loads(out)["total_outstanding"])


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("..", "it begins with '.'"),
        ("C\u202e1", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        (" C1 ", "it has spaces around it"),
        ("C" * 65, "it is 65 characters long"),
    ],
)
def test_a_case_id_out_of_the_rule_exits_1(docket, placed, case: str, reason: str) -> None:
    code, out = docket("case", "open", case, "--account", "A1")
    assert code == 1
    assert "error: case id " in out and reason in out
    assert "\u202e" not in out


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("10.12345", "it has more than two decimal places"),
        ("0.005", "it has more than two decimal places"),
        ("\uff11\uff10.\uff10\uff10", "characters other than ASCII digits"),
        (" 10.00", "it has spaces around it"),
        ("1e20", "it is not digits with at most two decimal places"),
        ("NaN", "it is not digits with at most two decimal places"),
        ("100000000000000000000", "it is larger than 999999999999.99"),
    ],
)
def test_a_payment_amount_out_of_form_exits_1_and_posts_nothing(
    docket, placed, amount: str, reason: str
) -> None:
    code, out = docket("payment", "post", "A1", amount)
    assert code == 1, out
    assert "error: payment amount on account 'A1' must be an amount of money" in out
    assert reason in out
    assert balance(docket) == "1200.00"


def test_a_settlement_installment_is_taken_as_typed(docket, placed) -> None:
    code, out = docket(
        "settlement", "create", "S1", "--account", "A1", "--amount", "900.00",
        "--installment", "2099-01-01= 900.00",
    )  # fmt: skip
    assert code == 1
    assert "installment 1 amount must be an amount of money, got ' 900.00'" in out


def test_an_unknown_party_time_zone_fails_its_import_row(docket, tmp_path: Path) -> None:
    csv = tmp_path / "accounts.csv"
    csv.write_text(
        "account,client,principal,party_id,party_name,party_timezone\n"
        "A1,ACME,100.00,P1,Dana Reyes,Mars/Olympus\n"
        "A2,ACME,100.00,P2,Sam Reyes,America/Chicago\n",
        encoding="utf-8",
    )
    code, out = docket("import", "accounts", str(csv))
    assert code == 1
    assert "timezone 'Mars/Olympus' is not a time zone of the tz database" in out
    assert docket("settlement", "show", "A1")[0] == 1  # the row changed nothing
    assert balance(docket, "A2") == "100.00"


def test_a_json_import_with_a_binary_amount_fails_its_row(docket, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.json"
    accounts.write_text(
        json.dumps([{"id": "A1", "client": "ACME", "balances": {"principal": 1200.1}}]),
        encoding="utf-8",
    )
    code, out = docket("import", "accounts", str(accounts))
    assert code == 1
    # Refused by the import's own row check, which names the row, the column and the value.
    assert "row 1, column balances.principal: '1200.1' is not an amount" in out
