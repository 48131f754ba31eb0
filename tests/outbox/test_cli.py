"""``docket outbox`` and what ``docket trace``/``docket explain`` say about held messages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from engine.cli.main import _register, cli
from tests.outbox.conftest import Desk, MakeDesk

_register()


def docket(one: Desk, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--config", str(one.root), "--db", one.db_url])


def test_list_show_cancel_and_relay(desk: MakeDesk, tmp_path: Path) -> None:
    one = desk()
    one.place(send=("email", "sms", "letter"))

    listed = docket(one, "outbox", "list", "--json")
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.output)
    assert [(i["id"], i["channel"], i["status"], i["to"]) for i in items] == [
        (1, "email", "pending", "P1"),
        (2, "sms", "pending", "P1"),
        (3, "letter", "pending", "P1"),
    ]

    shown = docket(one, "outbox", "show", "1")
    assert "email" in shown.output and "welcome-email" in shown.output
    assert "subject: Your account A1 with Acme Bank" in shown.output
    assert "recipient: Dana Reyes <dana@example.test>" in shown.output
    assert "idempotency_key: 1-send-email-0-P1-" in shown.output
    assert "<p>Dear Dana Reyes,</p>" in shown.output

    cancelled = docket(one, "outbox", "cancel", "2")
    assert cancelled.exit_code == 0 and "message 2: cancelled" in cancelled.output

    relayed = docket(one, "outbox", "relay", "--once", "--json")
    assert relayed.exit_code == 0, relayed.output
    assert json.loads(relayed.output)["sent"] == [1, 3]
    assert (tmp_path / "docket-outbox" / "email").is_dir()
    assert not (tmp_path / "docket-outbox" / "sms").exists()

    detail = json.loads(docket(one, "outbox", "show", "3", "--json").output)
    assert detail["status"] == "sent" and detail["connector"] == "outbox-folder"
    assert detail["receipt"].endswith(".pdf")
    again = docket(one, "outbox", "relay", "--once")
    assert again.output.strip() == "relay: nothing due"


def test_refusals_and_unknown_messages(desk: MakeDesk) -> None:
    one = desk()
    one.place(send=("email",))
    docket(one, "outbox", "relay", "--once")

    cancel_sent = docket(one, "outbox", "cancel", "1")
    assert cancel_sent.exit_code == 1
    assert "message 1 is sent; it cannot be cancelled" in cancel_sent.output
    retry_sent = docket(one, "outbox", "retry", "1")
    assert retry_sent.exit_code == 1
    assert "message 1 is sent; only" in retry_sent.output
    missing = docket(one, "outbox", "show", "99")
    assert missing.exit_code == 1 and "no outbox message '99'" in missing.output
    by_key = docket(one, "outbox", "show", one.row().key, "--json")
    assert json.loads(by_key.output)["id"] == 1


def test_trace_and_explain_show_a_held_message(desk: MakeDesk) -> None:
    one = desk()
    one.place(send=("letter",), holds=("dispute",))

    trace = docket(one, "trace", "1")
    assert "send_letter:" in trace.output
    assert "'reason': 'hold: dispute on account A1'" in trace.output
    explained = docket(one, "explain", "--account", "A1")
    assert (
        "contact held: letter notice-letter -> P1 on 2026-05-04 (run 1): blocked — "
        "hold: dispute on account A1" in explained.output
    )
    as_json = json.loads(docket(one, "explain", "--account", "A1", "--json").output)
    assert as_json["held"][0]["reason"] == "hold: dispute on account A1"
    blocked = json.loads(docket(one, "outbox", "list", "--status", "blocked", "--json").output)
    assert [b["reason"] for b in blocked] == ["hold: dispute on account A1"]


def test_retry_takes_the_messages_a_lifted_hold_parked(desk: MakeDesk) -> None:
    one = desk()
    one.place(send=("letter", "email"), holds=("dispute",))
    blocked = json.loads(docket(one, "outbox", "list", "--status", "blocked", "--json").output)
    assert [b["id"] for b in blocked] == [1, 2]
    one.engine.operate("lift_contact_hold", {"account": "A1", "hold": "dispute"})
    one.engine.process()

    retried = docket(one, "outbox", "retry", "--account", "A1", "--status", "blocked")
    assert retried.exit_code == 0, retried.output
    assert retried.output.splitlines() == ["message 1: pending", "message 2: pending"]
    listed = json.loads(docket(one, "outbox", "list", "--account", "A1", "--json").output)
    assert [(i["id"], i["status"]) for i in listed] == [(1, "pending"), (2, "pending")]
    again = docket(one, "outbox", "retry", "--account", "A1", "--status", "blocked")
    assert (again.exit_code, again.output) == (0, "no blocked messages to retry for account A1\n")

    neither = docket(one, "outbox", "retry")
    assert neither.exit_code == 2 and "give message numbers or keys, or --account" in neither.output
    both = docket(one, "outbox", "retry", "1", "--account", "A1")
    assert both.exit_code == 2 and "(not both)" in both.output
    alone = docket(one, "outbox", "retry", "1", "--status", "blocked")
    assert alone.exit_code == 2 and "give --account too" in alone.output
