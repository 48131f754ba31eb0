"""Issue 17, findings 3, 6 and 7 in scenario files: an id, an amount or a time zone the store
would refuse is reported at its file:line:col, in ``given`` before anything runs and in a
step's ``with:`` when the step runs."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from engine.cli.main import _register, cli
from tests.conftest import REPO


def docket_test(path: Path) -> Result:
    _register()
    return CliRunner().invoke(cli, ["test", str(path)])


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(f"scenario: hostile input\nconfig: {REPO}\nstart: 2026-05-01\n{body}")
    return path


def test_given_ids_amounts_and_zones_are_refused_at_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "given:\n"
        "  clients: [{code: ACME}]\n"
        "  parties:\n"
        "    - {id: P1, name: Dana Reyes, timezone: Mars/Olympus}\n"
        "    - {id: P2, name: Sam Reyes, timezone: UTC+25}\n"
        "  accounts:\n"
        "    - {id: A1, client: ACME, parties: [P1], balances: {principal: 10.12345}}\n"
        "    - {id: A2, client: ACME, bundle: ' B1', balances: {principal: 1.005}}\n"
        f"    - {{id: {'A' * 65}, client: ACME}}\n"
        "expect: {}\n",
    )
    result = docket_test(path)
    assert result.exit_code == 1
    found = [line.split("hostile.yaml:")[-1] for line in result.output.splitlines()]
    expected = [
        "7:44: error: timezone 'Mars/Olympus' is not a time zone of the tz database "
        "(like 'America/Chicago' or 'UTC')",
        "8:43: error: timezone 'UTC+25' is not a time zone of the tz database "
        "(like 'America/Chicago' or 'UTC') (did you mean 'UTC'?)",
        "10:67: error: balance 'principal' must be an amount of money, got 10.12345: it is a "
        'binary number, not text (text like "1200.50" with at most two decimal places, or a '
        "whole number)",
        "11:38: error: bundle id ' B1' is refused: it has spaces around it (ids are 1 to 64 "
        "characters: letters A-Z and a-z, digits, '-', '_' and '.', beginning with a letter or "
        "a digit)",
        "11:67: error: balance 'principal' must be an amount of money, got 1.005: it is a "
        'binary number, not text (text like "1200.50" with at most two decimal places, or a '
        "whole number)",
        f"12:12: error: account id '{'A' * 65}' is refused: it is 65 characters long (ids are 1 "
        "to 64 characters: letters A-Z and a-z, digits, '-', '_' and '.', beginning with a "
        "letter or a digit)",
    ]
    for line in expected:
        assert line in found, result.output


def test_a_step_amount_or_id_out_of_form_stops_the_scenario_at_its_value(tmp_path: Path) -> None:
    given = (
        "given:\n"
        "  clients: [{code: ACME}]\n"
        "  parties: [{id: P1, name: Dana Reyes, timezone: America/Chicago}]\n"
        "  accounts: [{id: A1, client: ACME, parties: [P1], balances: {principal: '1200.00'}}]\n"
    )
    payment = write(
        tmp_path,
        given + "steps:\n"
        "  - on: 2026-05-04\n"
        "    do: post_payment\n"
        "    with: {account: A1, amount: '0.005'}\n"
        "expect: {}\n",
    )
    result = docket_test(payment)
    assert result.exit_code == 1
    assert (
        "hostile.yaml:11:33): payment amount on account 'A1' must be an amount of money, "
        "got '0.005': it has more than two decimal places" in result.output
    )

    case = write(
        tmp_path,
        given + "steps:\n"
        "  - on: 2026-05-04\n"
        "    do: open_case\n"
        "    with: {case: '..', accounts: [A1]}\n"
        "expect: {}\n",
    )
    result = docket_test(case)
    assert result.exit_code == 1
    assert "hostile.yaml:11:18): case id '..' is refused: it begins with '.'" in result.output
