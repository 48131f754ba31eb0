"""The event trace names, next to the trigger that ran, each message the contact policy held
back and the rule that did: when the message was queued, or later by the relay."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result
from sqlalchemy import select

from engine.cli.main import _register, cli
from engine.config.schemagen import CONTACT_RULES
from engine.domain import contact_policy
from engine.domain import models as m
from engine.domain.operations import accounts
from tests.outbox.conftest import Desk, MakeDesk


def docket(one: Desk, *args: str) -> Result:
    _register()
    return CliRunner().invoke(cli, [*args, "--config", str(one.root), "--db", one.db_url])


def placement_event(one: Desk) -> str:
    return str(
        one.engine.read(
            lambda s: s.scalar(
                select(m.InboxEvent.id).where(m.InboxEvent.name == "onAfterAccountInsert")
            )
        )
    )


def test_the_trace_shows_a_message_a_hold_blocked_at_queue_time(desk: MakeDesk) -> None:
    one = desk()
    one.place(send=("letter",), holds=("dispute",))
    trace = docket(one, "trace", placement_event(one))
    assert trace.exit_code == 0, trace.output
    lines = trace.output.splitlines()
    fired = lines.index("  trigger letter-on-placement: fired (runs 1)")
    assert lines[fired + 1] == (
        "    contact policy held letter notice-letter -> P1 (path send-letter, run 1): "
        "blocked by a contact hold — hold: dispute on account A1"
    )


def test_the_trace_shows_a_message_the_relay_blocked_later(desk: MakeDesk) -> None:
    one = desk()
    one.place(send=("letter",))
    with one.engine.unit() as unit:
        accounts.record_hold(unit, "A1", "bankruptcy")
    assert one.relay().blocked == [1]
    detail = docket(one, "trace", placement_event(one), "--json")
    [entry] = [t for t in json.loads(detail.output)["triggers"] if t["outcome"] == "ran"]
    [held] = entry["held"]
    assert (held["status"], held["rule"], held["reason"]) == (
        "blocked",
        "hold",
        "hold: bankruptcy on account A1",
    )


def test_every_reason_the_policy_writes_names_its_rule() -> None:
    reasons = {
        "hold: dispute on account A1": "hold",
        "status BKY (Bankruptcy) stops contact on A1": "stop_contact",
        "quiet hours 21:00–08:00 in Asia/Tokyo": "quiet_hours",
        "cap: 3 sms per 7 days reached": "cap",
    }
    assert {r: contact_policy.rule_of(r) for r in reasons} == reasons
    assert set(contact_policy.RULES.values()) == set(CONTACT_RULES)
