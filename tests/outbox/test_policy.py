"""The contact policy, at queue time and again at send time: holds, quiet hours, caps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from engine.domain import models as m
from engine.domain.operations import accounts
from engine.runtime.actions import builtin_registry
from engine.runtime.actions.messages import queue
from engine.runtime.actions.registry import StepContext
from engine.runtime.traces.queries import run_detail
from tests.outbox.conftest import MakeDesk

TOKYO = "Asia/Tokyo"  # 09:00 in Chicago (CDT) is 23:00 in Tokyo


def first_run_steps(one: Any) -> list[dict[str, Any]]:
    def steps(session: Any) -> list[dict[str, Any]]:
        run = session.scalars(select(m.Run).order_by(m.Run.id)).first()
        detail = run_detail(session, run.id)
        assert detail is not None
        return list(detail["steps"])

    return one.engine.read(steps)


def test_a_hold_blocks_at_queue_time_and_the_trace_says_why(desk: MakeDesk) -> None:
    one = desk()
    one.place(send=("letter", "email"), holds=("dispute",))

    rows = one.rows()
    assert [(r.channel, r.status, r.block_reason) for r in rows] == [
        ("email", "blocked", "hold: dispute on account A1"),
        ("letter", "blocked", "hold: dispute on account A1"),
    ]
    [step] = first_run_steps(one)
    assert step["result"]["held"] == [
        {"to": "P1", "status": "blocked", "reason": "hold: dispute on account A1"}
    ]
    assert one.relay().sent == []  # blocked messages are parked, not sent


def test_a_hold_recorded_after_queueing_stops_the_send(desk: MakeDesk, tmp_path) -> None:
    one = desk()
    one.place(send=("letter",))
    with one.engine.unit() as unit:
        accounts.record_hold(unit, "A1", "bankruptcy")

    report = one.relay()

    assert report.blocked == [1]
    row = one.row()
    assert (row.status, row.block_reason) == ("blocked", "hold: bankruptcy on account A1")
    assert not (tmp_path / "docket-outbox").exists()


def test_retrying_a_blocked_message_passes_the_guard_again(desk: MakeDesk) -> None:
    from engine.outbox import admin

    one = desk()
    one.place(send=("letter",), holds=("cease_communication",))
    with one.engine.unit() as unit:
        admin.retry(unit.session, "1")
    assert one.relay().blocked == [1]
    with one.engine.unit() as unit:  # the hold is lifted (a court order, say)
        unit.session.get(m.Account, "A1").holds = []
        admin.retry(unit.session, "1")
    assert one.relay().sent == [1]


def test_a_stop_contact_status_blocks(desk: MakeDesk) -> None:
    one = desk()
    one.place(send=())
    with one.engine.unit() as unit:
        accounts.set_status(unit, unit.session.get(m.Account, "A1"), "DSP")
    one.pay()

    row = one.row()
    assert (row.channel, row.status) == ("sms", "blocked")
    assert row.block_reason == "status DSP (Disputed) stops contact on A1"


def test_quiet_hours_defer_an_sms_to_the_morning_in_the_partys_time_zone(
    desk: MakeDesk,
) -> None:
    one = desk(quiet_hours="21:00-08:00")
    one.place(send=("sms", "letter"), timezone=TOKYO)

    sms, letter = sorted(one.rows(), key=lambda r: r.channel != "sms")
    assert (letter.channel, letter.status) == ("letter", "pending")  # a letter has no hour
    assert (sms.status, sms.block_reason) == ("deferred", f"quiet hours 21:00–08:00 in {TOKYO}")
    # 08:00 in Tokyo on 5 May is 23:00 UTC on 4 May.
    assert sms.next_attempt_at == datetime(2026, 5, 4, 23, 0)

    assert one.relay().sent == [letter.id]
    assert one.relay(timedelta(hours=8, minutes=59)).sent == []
    assert one.relay(timedelta(hours=9)).sent == [sms.id]


def test_a_party_in_the_agency_zone_is_not_in_quiet_hours_at_nine(desk: MakeDesk) -> None:
    one = desk(quiet_hours="21:00-08:00")
    one.place(send=("sms",))
    assert one.row().status == "pending"


def test_when_blocked_skip_blocks_instead_of_deferring(desk: MakeDesk) -> None:
    one = desk(quiet_hours="21:00-08:00", when_blocked="skip")
    one.place(send=("sms",), timezone=TOKYO)

    row = one.row()
    assert (row.status, row.next_attempt_at) == ("blocked", None)
    assert row.block_reason.startswith("quiet hours")
    assert one.relay(timedelta(days=2)).sent == []


def test_the_sms_cap_defers_the_fourth_text_until_the_first_leaves_the_window(
    desk: MakeDesk,
) -> None:
    one = desk()
    one.place(send=())
    for day in range(4):  # a payment, and so a receipt text, every day; the relay runs daily
        one.pay()
        one.relay()
        if day < 3:
            one.advance()
    rows = one.rows()
    assert [r.status for r in rows] == ["sent", "sent", "sent", "deferred"]
    fourth = rows[3]
    assert fourth.block_reason == "cap: 3 sms per 7 days reached"
    assert fourth.next_attempt_at == rows[0].sent_at + timedelta(days=7)
    # Three days later the first text is still in the window; four days later it is not.
    assert one.relay(timedelta(days=3, hours=23)).sent == []
    assert one.relay(timedelta(days=4)).sent == [4]


CALLS = {
    "action_paths/calls.yaml": """
        action_paths:
          - id: call-after-payment
            steps:
              - place_call: {to: responsible}
    """,
    "rules/calls.yaml": """
        triggers:
          - {id: call-after-payment, on: onAfterPaymentPost, run: call-after-payment}
    """,
}


def place_call(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    """An integrator's action: queue a call for the dialer (channel ``call``)."""
    return queue(ctx, "call", params)


def test_reg_f_no_eighth_call_within_seven_days(desk: MakeDesk) -> None:
    registry = builtin_registry()
    registry.register("place_call", place_call)
    one = desk(files=CALLS, registry=registry, caps="{channel: call, max: 7, per_days: 7}")
    one.place(send=())
    for day in range(7):  # a call a day for a week (the relay runs daily) …
        one.pay()
        one.relay()
        if day < 6:
            one.advance()
    one.pay()  # … and a second one on the seventh day

    calls = [r for r in one.rows() if r.channel == "call"]
    assert [r.status for r in calls] == ["sent"] * 7 + ["deferred"]
    eighth = calls[-1]
    assert eighth.block_reason == "cap: 7 call per 7 days reached"
    assert eighth.next_attempt_at == calls[0].sent_at + timedelta(days=7)  # day 8, 09:00
    assert one.relay(timedelta(hours=23, minutes=59)).sent == []
    assert eighth.id in one.relay(timedelta(days=1)).sent


ATTORNEY = {
    "action_paths/attorney.yaml": """
        action_paths:
          - id: tell-everyone
            steps:
              - send_email: {template: welcome-email, to: [responsible, attorney]}
    """,
    "rules/attorney.yaml": """
        triggers:
          - {id: tell-everyone, on: onAfterPaymentPost, run: tell-everyone}
    """,
}


def test_a_hold_does_not_stop_mail_to_the_consumers_attorney(desk: MakeDesk) -> None:
    one = desk(files=ATTORNEY)
    one.place(send=(), holds=("bankruptcy",))
    with one.engine.unit() as unit:
        accounts.upsert_party(unit, {"id": "ATT", "name": "Lee Counsel", "email": "lee@law.test"})
        unit.session.add(m.AccountParty(account_id="A1", party_id="ATT", roles=["attorney"]))
    one.pay()

    emails = {r.recipient["party"]: r for r in one.rows() if r.channel == "email"}
    assert emails["P1"].status == "blocked"
    assert emails["P1"].block_reason == "hold: bankruptcy on account A1"
    assert (emails["ATT"].status, emails["ATT"].block_reason) == ("pending", None)
