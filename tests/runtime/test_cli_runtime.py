"""The engine-core commands through the CLI: import, emit, trace, explain, db upgrade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.cli.main import _register, cli
from engine.domain import models as m
from tests.runtime.helpers import CONFIG, make_engine

_register()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def db(db_url: str) -> str:
    return db_url


def _import(db: str, tmp_path: Path) -> tuple[int, str]:
    csv = tmp_path / "accounts.csv"
    csv.write_text(
        "account,client,principal,fees,party_id,party_name,party_email,party_roles\n"
        "A1,ACME,1200.00,35.00,P1,Dana Reyes,dana@example.test,responsible\n"
        "A2,ACME,80.00,,P2,Sam Ortiz,sam@example.test,responsible;co_signer\n"
        "A3,NOPE,10.00,,P3,Bad Client,bad@example.test,\n"
        "A4,ACME,-5.00,,P4,Negative,neg@example.test,\n",
        encoding="utf-8",
    )
    return run("import", "accounts", str(csv), "--config", str(CONFIG), "--db", db)


def test_import_reports_bad_rows_and_loads_the_rest(db, tmp_path):
    code, out = _import(db, tmp_path)
    assert code == 1
    assert "row 3, column client: unknown client 'NOPE': it is not in the configuration" in out
    assert "row 4, column principal: '-5.00' is negative: a balance is what is owed" in out
    assert "imported 2 accounts, 2 rows failed" in out


def test_emit_prints_what_fired_and_explain_says_why_not(db, tmp_path):
    _import(db, tmp_path)
    code, out = run(
        "emit",
        "onAfterPaymentPost",
        "--account",
        "A1",
        "--data",
        '{"amount": "10.00"}',
        "--config",
        str(CONFIG),
        "--db",
        db,
    )
    assert code == 0, out
    assert "onAfterPaymentPost on account A1 — processed" in out
    assert "trigger payment-note: fired (runs" in out

    code, out = run("explain", "--account", "A2", "--config", str(CONFIG), "--db", db)
    assert code == 0
    assert (
        "trigger welcome: did not fire: condition false — account.balance >= 500 "
        "(saw account.balance = 80.00)"
    ) in out

    code, out = run(
        "explain", "--account", "A2", "--event", "onCaseFile", "--config", str(CONFIG), "--db", db
    )
    assert "no onCaseFile event was received for account A2; no trigger listens to it" in out

    code, out = run("explain", "--account", "A1", "--json", "--config", str(CONFIG), "--db", db)
    data = json.loads(out)
    assert [e["name"] for e in data["events"]][:1] == ["onAfterAccountInsert"]


def test_emit_rejects_bad_input_with_exit_1_and_keeps_it(db, tmp_path):
    _import(db, tmp_path)
    code, out = run("emit", "onDisput", "--account", "A1", "--config", str(CONFIG), "--db", db)
    assert code == 1
    assert "rejected: unknown event 'onDisput' (did you mean 'onDispute'?)" in out
    code, out = run(
        "emit",
        "onDispute",
        "--account",
        "A1",
        "--data",
        "{not json",
        "--config",
        str(CONFIG),
        "--db",
        db,
    )
    assert code == 2
    assert "--data is not valid JSON" in out


def test_trace_shows_each_step_of_a_run(db, tmp_path):
    _import(db, tmp_path)
    code, out = run("trace", "1", "--config", str(CONFIG), "--db", db)
    assert code == 0, out
    assert "run 1: path welcome (trigger welcome) on account A1 — completed" in out
    assert "set_status: status=ACTIVE, changed=['A1']" in out
    assert "send_letter: channel=letter, template=welcome, to=['P1']" in out
    code, out = run("trace", "999", "--config", str(CONFIG), "--db", db)
    assert code == 1


def test_db_upgrade_creates_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, out = run("db", "upgrade", "--db", url)
    assert code == 0
    assert "newest schema" in out
    assert (tmp_path / "fresh.db").exists()


def test_import_json_takes_parties_inline_or_by_id(db, tmp_path):
    accounts = tmp_path / "accounts.json"
    accounts.write_text(
        json.dumps(
            [
                {
                    "id": "A1",
                    "client": "ACME",
                    "balances": {"principal": "100.00"},
                    "parties": [{"id": "P1", "name": "Dana Reyes", "roles": ["co_signer"]}],
                },
                {"id": "A2", "client": "ACME", "parties": ["P1"]},  # known by now
                {"id": "A3", "client": "ACME", "parties": ["P9"]},
            ]
        ),
        encoding="utf-8",
    )
    args = ("--json", "--config", str(CONFIG), "--db", db)
    code, out = run("import", "accounts", str(accounts), *args)
    assert code == 1
    report = json.loads(out)
    assert report["imported"] == 2, report
    assert [e["row"] for e in report["errors"]] == [3]
    assert "unknown party 'P9'" in report["errors"][0]["error"]
    engine = make_engine(db)
    links = engine.read(
        lambda s: {
            (link.account_id, link.party_id, tuple(link.roles), s.get(m.Party, link.party_id).name)
            for link in s.scalars(select(m.AccountParty))
        }
    )
    engine.close()
    assert links == {
        ("A1", "P1", ("co_signer",), "Dana Reyes"),
        ("A2", "P1", ("responsible",), "Dana Reyes"),
    }
