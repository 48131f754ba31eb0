"""``docket import accounts``: columns checked before anything is written, every failure named
by row, column and value, and several parties (with addresses) per account in CSV."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.cli.import_csv import COLUMNS
from engine.cli.main import _register, cli
from engine.domain import models as m
from tests.runtime.helpers import CONFIG, make_engine

REPO = Path(__file__).resolve().parents[2]

_register()


def _import(tmp_path: Path, name: str, content: str | bytes, *args: str) -> tuple[int, str]:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'docket.db'}"
    result = CliRunner().invoke(
        cli,
        ["import", "accounts", str(path), "--config", str(CONFIG), "--db", db, *args],
        catch_exceptions=False,
    )
    return result.exit_code, result.output


def test_unknown_columns_refuse_the_file_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(
        "account,client,principle,party_id,party_name,party_adress\n"
        "A1,ACME,1200.00,P1,Dana Reyes,1 Main St\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'docket.db'}"
    # The sample agency: this file once placed A1 owing $0.00 and queued its notice.
    result = CliRunner().invoke(
        cli, ["import", "accounts", str(path), "--config", str(REPO), "--db", db]
    )
    assert result.exit_code == 1
    assert f"{path}: unknown column 'principle' (did you mean 'principal'?)" in result.output
    assert f"{path}: unknown column 'party_adress' (did you mean 'party_address'?)" in result.output
    assert "nothing imported" in result.output
    assert not (tmp_path / "docket.db").exists()  # the store was never opened


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("account,principal", "missing required column 'client'"),
        ("id,client", "unknown column 'id' (did you mean 'account'?)"),
        ("account,client,client", "column 'client' is named twice"),
        (
            "account,client,,principal",
            "column 3 has no name but holds values (row 1): name it or remove it",
        ),
    ],
    ids=["missing-client", "id-for-account", "twice", "unnamed"],
)
def test_a_header_the_importer_cannot_read_is_refused(
    tmp_path: Path, header: str, problem: str
) -> None:
    code, out = _import(tmp_path, "accounts.csv", f"{header}\nA1,ACME,x,1.00\n", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["imported"] == 0
    assert problem in [error["error"] for error in report["errors"]]


def test_an_empty_trailing_column_is_harmless(tmp_path: Path) -> None:
    code, out = _import(tmp_path, "accounts.csv", "account,client,\nA1,ACME,\n")
    assert code == 0, out


def test_a_bad_value_names_its_row_column_and_value(tmp_path: Path) -> None:
    rows = "".join(f"A{n},ACME,100.00,2024-0{n}-01\n" for n in range(1, 6))
    content = "account,client,principal,placed_date\n" + rows + "A6,ACME,12.x,2024-13-01\n"
    code, out = _import(tmp_path, "accounts.csv", content, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["imported"] == 5
    assert report["errors"] == [
        {
            "row": 6,
            "account": "A6",
            "column": "placed_date",
            "value": "2024-13-01",
            "error": "'2024-13-01' is not a date written YYYY-MM-DD (month must be in 1..12)",
        },
        {
            "row": 6,
            "account": "A6",
            "column": "principal",
            "value": "12.x",
            "error": "'12.x' is not an amount (write e.g. 1200.00)",
        },
    ]
    code, out = _import(tmp_path, "again.csv", "account,client,status\nB1,ACME,ACTIV\n")
    assert (
        "row 1, column status: unknown status code 'ACTIV': it is not in the configuration "
        "(did you mean 'ACTIVE'?)"
    ) in out


SEVERAL_PARTIES = """\
account,client,principal,party_id,party_name,party_address,party_roles
A1,ACME,1200.00,P1,Dana Reyes,"1 Main St
Springfield, IL 62701",responsible
A1,,,P2,Sam Ortiz,"9 Elm Rd, Austin, TX 78701",co_signer;attorney
A2,ACME,80.00,P1,,,responsible
"""


def test_an_account_with_several_parties_repeats_its_id(tmp_path: Path) -> None:
    code, out = _import(tmp_path, "accounts.csv", SEVERAL_PARTIES)
    assert code == 0, out
    assert "imported 2 accounts, 0 rows failed" in out
    engine = make_engine(f"sqlite:///{tmp_path / 'docket.db'}")
    links = engine.read(
        lambda s: sorted(
            (link.account_id, link.party_id, tuple(link.roles), link.position)
            for link in s.scalars(select(m.AccountParty))
        )
    )
    addresses = engine.read(lambda s: {p.id: p.address for p in s.scalars(select(m.Party))})
    engine.close()
    assert links == [
        ("A1", "P1", ("responsible",), 0),
        ("A1", "P2", ("co_signer", "attorney"), 1),
        ("A2", "P1", ("responsible",), 0),
    ]
    assert addresses == {
        "P1": "1 Main St\nSpringfield, IL 62701",
        "P2": "9 Elm Rd, Austin, TX 78701",
    }


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        (
            "A1,ACME,100.00,P1,,\nA1,ACME,90.00,P2,,\n",
            "row 2, column principal: '90.00' differs from '100.00' on row 1, the first row of "
            "account 'A1'",
        ),
        (
            "A1,ACME,100.00,P1,,\nA1,,,,Sam Ortiz,\n",
            "row 2, column party_id: missing, but party_name given",
        ),
        (
            "A1,ACME,100.00,P1,,cosigner\n",
            "row 1, column party_roles: unknown role 'cosigner' (did you mean 'co_signer'?)",
        ),
        (
            "A1,ACME,100.00,P1,Dana,\nA2,ACME,5.00,P1,Dana Reyes,\n",
            "row 2, column party_name: 'Dana Reyes' differs from 'Dana' given for party 'P1' "
            "on row 1",
        ),
        ("A1,ACME,100.00,P1,,\nA1,,,P1,,\n", "row 2, column party_id: party 'P1' is on account"),
    ],
    ids=["account-columns-differ", "party-without-id", "unknown-role", "party-differs", "twice"],
)
def test_a_repeated_account_row_must_agree(tmp_path: Path, rows: str, error: str) -> None:
    header = "account,client,principal,party_id,party_name,party_roles\n"
    code, out = _import(tmp_path, "accounts.csv", header + rows)
    assert code == 1
    assert error in out


def test_a_failed_row_keeps_its_whole_account_out(tmp_path: Path) -> None:
    header = "account,client,principal,party_id,party_roles\n"
    code, out = _import(tmp_path, "accounts.csv", header + "A1,ACME,1.00,P1,\nA1,,,P2,boss\n")
    assert code == 1
    assert "imported 0 accounts, 2 rows failed" in out


def test_a_file_that_is_not_utf8_is_refused_at_its_line(tmp_path: Path) -> None:
    content = "account,client,party_id,party_name\nA1,ACME,P1,Jos\u00e9\n".encode("cp1252")
    code, out = _import(tmp_path, "accounts.csv", content)
    assert code == 1
    assert "line 2:15: not UTF-8 text: byte 0xe9" in out


def test_a_spreadsheet_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    code, out = _import(tmp_path, "accounts.csv", "\ufeffaccount,client\nA1,ACME\n")
    assert code == 0, out


def test_json_keys_are_checked_like_columns(tmp_path: Path) -> None:
    accounts = [
        {"id": "A1", "client": "ACME", "principal": "10.00"},
        {"id": "A2", "client": "ACME", "balances": {"principle": "10.00"}},
        {"id": "A3", "client": "ACME", "parties": [{"id": "P1", "nmae": "Dana"}]},
    ]
    code, out = _import(tmp_path, "accounts.json", json.dumps(accounts))
    assert code == 1
    assert "account 1: unknown key 'principal' (amounts go under 'balances')" in out
    assert "account 2: unknown balance 'principle' (did you mean 'principal'?)" in out
    assert "account 3: parties[1]: unknown key 'nmae' (did you mean 'name'?)" in out
    assert not (tmp_path / "docket.db").exists()


def test_json_values_name_their_key(tmp_path: Path) -> None:
    accounts = [{"id": "A1", "client": "ACME", "placed_date": "2024-02-30"}]
    code, out = _import(tmp_path, "accounts.json", json.dumps(accounts), "--json")
    assert code == 1
    (error,) = json.loads(out)["errors"]
    assert (error["row"], error["column"], error["value"]) == (1, "placed_date", "2024-02-30")


def test_the_readme_lists_the_columns_the_importer_reads() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("`docket import accounts` reads CSV") :].split("\n\n")[0]
    listed = re.search(r"columns `([^`]+)`", paragraph)
    assert listed is not None
    assert [c.strip() for c in listed.group(1).split(",")] == list(COLUMNS)


def test_the_readme_csv_example_imports(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("```csv\n") + 7 :].split("```")[0]
    code, out = _import(tmp_path, "accounts.csv", example)
    assert code == 0, out
    assert "imported 2 accounts, 0 rows failed" in out
