"""``docket follow-up`` on the sample agency: the operations, show, list and refusals."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
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
def account(docket, tmp_path: Path) -> str:
    """Account A1 of Dana Reyes (P1) placed for ACME through ``docket import``."""
    csv = tmp_path / "accounts.csv"
    csv.write_text(
        "account,client,principal,party_id,party_name,party_email,party_roles\n"
        "A1,ACME,1200.00,P1,Dana Reyes,dana@example.test,responsible\n",
        encoding="utf-8",
    )
    code, out = docket("import", "accounts", str(csv))
    assert code == 0, out
    return "A1"


def _in(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def test_the_follow_up_commands_build_a_history(docket, account, tmp_path, attachments):
    code, out = docket(
        "follow-up", "open", "--id", "F1", "--account", account, "--kind", "dispute",
        "--owner", "Compliance", "--stakeholder", "P1", "--stakeholder", "Compliance",
        "--due", _in(30), "--item", "account:A1", "--title", "Dispute of A1", "--author", "kim",
    )  # fmt: skip
    assert code == 0, out
    assert "opened follow-up F1" in out
    assert "processed 1 event(s)" in out

    assert docket("follow-up", "comment", "F1", "Client sent a letter")[0] == 0
    scan = tmp_path / "letter.pdf"
    scan.write_bytes(b"%PDF-1.4 dispute letter")
    code, out = docket("follow-up", "attach", "F1", str(scan))
    digest = hashlib.sha256(scan.read_bytes()).hexdigest()
    assert code == 0, out
    assert f"attached letter.pdf (sha256 {digest})" in out
    assert (attachments / "F1" / f"{digest[:16]}-letter.pdf").read_bytes() == scan.read_bytes()
    code, out = docket(
        "follow-up", "email", "F1", "--to", "stakeholders", "--template", "follow-up-due"
    )
    assert code == 0, out
    assert "email queued to P1" in out
    code, out = docket("follow-up", "reschedule", "F1", _in(45), "--reason", "waiting on client")
    assert code == 0, out
    assert f"due {_in(30)} → {_in(45)}" in out
    code, out = docket("follow-up", "reassign", "F1", "Legal")
    assert (code, out.strip()) == (0, "follow-up F1: owner Compliance → Legal")

    code, out = docket("follow-up", "show", "F1")
    assert code == 0, out
    assert "follow-up F1 — dispute on account A1" in out
    assert "  status: open" in out
    assert f"  owner: Legal   due: {_in(45)}" in out
    assert "  stakeholders: P1, Compliance" in out
    today = date.today().isoformat()
    for line in (
        f"{today} opened: owner Compliance, due {_in(30)} (by kim)",
        f"{today} comment: Client sent a letter",
        f"{today} attachment: letter.pdf (23 bytes, application/pdf, sha256 {digest})",
        f"{today} email: follow-up-due to P1",
        f"{today} rescheduled: {_in(30)} → {_in(45)} — waiting on client",
        f"{today} reassigned: Compliance → Legal",
    ):
        assert f"    {line}" in out

    code, out = docket("follow-up", "resolve", "F1", "Debt verified")
    assert code == 0, out
    code, out = docket("follow-up", "show", "F1", "--json")
    shown = json.loads(out)
    assert (shown["status"], shown["outcome"], shown["resolved_date"]) == (
        "resolved",
        "Debt verified",
        today,
    )
    assert [line["kind"] for line in shown["history"]] == [
        "opened",
        "comment",
        "attachment",
        "email",
        "rescheduled",
        "reassigned",
        "resolved",
    ]
    assert shown["history"][2]["sha256"] == digest


def test_list_shows_open_follow_ups_by_due_date_and_owner(docket, account):
    for ident, owner, due in (("F1", "Legal", 20), ("F2", "Sales", 5), ("F3", "Legal", 10)):
        args = ["--id", ident, "--account", account, "--kind", "other", "--owner", owner]
        assert docket("follow-up", "open", *args, "--due", _in(due))[0] == 0
    docket("follow-up", "resolve", "F3", "done")
    code, out = docket("follow-up", "list", "--json")
    assert code == 0
    assert [row["id"] for row in json.loads(out)] == ["F2", "F1"]
    code, out = docket("follow-up", "list", "--owner", "Legal")
    assert out.splitlines() == [
        f"{_in(20):<13} {'F1':<24} {'other':<20} {'Legal':<16} account A1",
    ]
    code, out = docket("follow-up", "list", "--owner", "Nobody")
    assert (code, out.strip()) == (0, "no open follow-ups owned by Nobody")


def test_bad_input_exits_1_with_a_clear_message_and_changes_nothing(
    docket, account, tmp_path, attachments
):
    code, out = docket("follow-up", "comment", "F9", "hello")
    assert (code, out.strip()) == (1, "error: unknown follow-up 'F9'")
    code, out = docket("follow-up", "show", "F9")
    assert (code, out.strip()) == (1, "error: unknown follow-up 'F9'")

    args = ["--id", "F1", "--account", account, "--kind", "legal", "--due", _in(30)]
    assert docket("follow-up", "open", *args)[0] == 0
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-" + bytes(10 * 1024 * 1024))
    code, out = docket("follow-up", "attach", "F1", str(big))
    assert code == 1
    assert out.strip() == "error: attachment 'big.pdf' is 10.0 MiB; the limit is 10.0 MiB"
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ")
    code, out = docket("follow-up", "attach", "F1", str(exe))
    assert code == 1
    assert "error: attachment 'setup.exe': type 'exe' is refused" in out
    assert not attachments.exists()

    assert docket("follow-up", "resolve", "F1", "Judgment collected")[0] == 0
    code, out = docket("follow-up", "reschedule", "F1", _in(60))
    assert code == 1
    assert f"error: follow-up 'F1' was resolved on {date.today().isoformat()}" in out
    assert "cannot be rescheduled" in out
    shown = json.loads(docket("follow-up", "show", "F1", "--json")[1])
    assert shown["due_date"] == _in(30)
    assert [line["kind"] for line in shown["history"]] == ["opened", "resolved"]

    code, out = docket("follow-up", "reschedule", "F1", "next week")
    assert code == 2
    assert "DUE must be a date (YYYY-MM-DD), got 'next week'" in out


def test_the_trace_records_a_suspended_trigger(docket, account):
    args = ["--id", "V1", "--account", account, "--kind", "internal_validation", "--suspend"]
    assert docket("follow-up", "open", *args)[0] == 0
    code, out = docket("emit", "onAfterPaymentPost", "--account", account, "--json")
    assert code == 0, out
    triggers = {t["trigger"]: t for t in json.loads(out)["triggers"]}
    assert triggers["payment-posted"]["outcome"] == "suspended"
    assert triggers["payment-posted"]["reason"] == (
        "follow-up 'V1' (internal validation) on account A1 suspends automation until it is "
        "resolved"
    )
    code, out = docket("emit", "onAfterPaymentPost", "--account", account)
    assert "trigger payment-posted: skipped: automation suspended (follow-up 'V1'" in out
    assert docket("follow-up", "resolve", "V1", "approved")[0] == 0
    code, out = docket("emit", "onAfterPaymentPost", "--account", account)
    assert "trigger payment-posted: fired" in out
