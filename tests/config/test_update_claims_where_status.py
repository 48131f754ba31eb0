"""``update_claims`` takes ``where_status`` in YAML: the schema allows it, the step honours it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.cli import main as cli_main
from tests.config.helpers import REPO, write_root

SCHEMA = (REPO / "schemas" / "docket-config.schema.json").as_uri()

RULES = f"""\
# yaml-language-server: $schema={SCHEMA}
agency: {{name: Claims Test Agency, timezone: America/Chicago}}
status_codes:
  - {{code: NEW, label: New placement}}
  - {{code: ACTIVE, label: Active}}
clients:
  - code: ACME
    name: Acme Bank
    spreader: principal-first
    settlement: {{percentages: {{principal: 50}}}}
spreaders:
  - {{id: principal-first, order: [principal], across_accounts: one_at_a_time}}
triggers:
  - {{id: pay-pending-claims, on: onSettlementReached, run: pay-pending-claims}}
"""

PATHS = """\
action_paths:
  - id: pay-pending-claims
    steps:
      - update_claims: {status: Paid, where_status: Pending}
      - record:
          model: claims
          fields: {statuses: "{{ settlement.claims | map(attribute='status') | join(',') }}"}
"""

SCENARIO = """\
scenario: only the pending claims are paid when the settlement is reached
config: ./
start: 2026-05-04
given:
  clients: [{code: ACME}]
  parties:
    - {id: P1, name: Dana Reyes}
    - {id: L1, name: Mercy General Hospital}
    - {id: L2, name: Atlas Mutual}
  accounts: [{id: A1, client: ACME, parties: [P1], status: ACTIVE, balances: {principal: "900.00"}}]
steps:
  - on: 2026-05-04
    do: create_settlement
    with:
      settlement: S1
      account: A1
      amount: "450.00"
      claims:
        - {claimant: L1, amount: "300.00"}
        - {claimant: L2, amount: "150.00", status: Disputed}
  - on: 2026-05-05
    do: post_payment
    with: {account: A1, amount: "450.00"}
expect:
  settlements: {S1: {status: reached}}
  records: [{model: claims, fields: {statuses: "Paid,Disputed"}, count: 1}]
"""


def _docket(*args: str) -> tuple[int, str]:
    cli_main._register()
    result = CliRunner().invoke(cli_main.cli, list(args))
    return result.exit_code, result.output


def _root(base: Path, paths: str = PATHS) -> Path:
    return write_root(
        base, {"rules/agency.yaml": RULES, "action_paths/claims.yaml": paths}, codes=False
    )


def test_a_config_using_where_status_validates(tmp_path: Path) -> None:
    code, output = _docket("validate", str(_root(tmp_path)))
    assert code == 0, output


def test_a_misspelt_where_status_is_still_refused_at_its_line(tmp_path: Path) -> None:
    root = _root(tmp_path, PATHS.replace("where_status", "where_stauts"))
    code, output = _docket("validate", str(root))
    assert code == 1
    assert "action_paths/claims.yaml:4:" in output and "where_stauts" in output


def test_where_status_changes_only_the_claims_with_that_status(tmp_path: Path) -> None:
    root = _root(tmp_path)
    (root / "claims.scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    code, output = _docket("test", str(root / "claims.scenario.yaml"))
    assert code == 0, output
    assert output.splitlines()[-1] == "1 passed, 0 failed"
