"""Each trigger's run of an event succeeds or fails on its own (issue 16, finding 3).

Under both event scopes (batched: the optimistic batch meets the failure and is redone with a
savepoint per event and per trigger; one-event: a transaction per event).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from engine import load_ruleset
from engine.domain import models as m
from engine.domain.clock import SimulatedClock
from engine.runtime.engine import Engine
from tests.runtime.helpers import CONFIG, place

# Three triggers on one event: the middle one changes the status, then fails.
EXTRA = """\
action_paths:
  - id: note-after
    steps:
      - add_note: "After the broken one"
  - id: broken
    steps:
      - set_status: LEGAL
      - send_letter: {template: welcome, to: responsible}
      - move_worklist: {to: "{{ event.data.worklist }}"}
  - id: bankrupt-note
    steps:
      - add_note: "Bankruptcy noted"
triggers:
  - {id: broken-on-payment, on: onAfterPaymentPost, run: broken}
  - {id: after-payment, on: onAfterPaymentPost, run: note-after}
  - {id: bankrupt-note, on: onAfterBankruptcyInsert, run: bankrupt-note}
"""
FIXED = EXTRA.replace('{{ event.data.worklist }}"', 'COLLECTIONS"')


def config_with(tmp_path: Path, extra: str = EXTRA) -> Path:
    """The test agency with the extra triggers of this file (``extra`` replaces them)."""
    root = tmp_path / "config"
    if not root.exists():
        shutil.copytree(CONFIG, root)
    (root / "action_paths" / "extra.yaml").write_text(extra, encoding="utf-8")
    return root


def engine_on(root: Path, db_url: str, batched: bool) -> Engine:
    ruleset = load_ruleset(root)
    clock = SimulatedClock(date(2026, 5, 4), ruleset.agency.timezone)
    return Engine(ruleset, db_url, clock=clock, batched=batched)


def _count(engine: Engine, model: type, *where: object) -> int:
    return int(
        engine.read(lambda s: s.scalar(select(func.count()).select_from(model).where(*where)))
    )


def _event(engine: Engine, event_id: str) -> m.InboxEvent:
    return engine.read(
        lambda s: s.scalars(select(m.InboxEvent).where(m.InboxEvent.id == event_id)).one()
    )


def _trace(engine: Engine, event_id: str) -> dict:
    return engine.read(lambda s: s.get(m.EventTrace, event_id).doc)


def test_a_failing_trigger_rolls_back_alone_and_the_others_commit(db_url, batched, tmp_path):
    engine = engine_on(config_with(tmp_path), db_url, batched)
    place(engine, "A1", "100.00")
    place(engine, "A2", "100.00", party="P2")
    engine.process()
    before = _count(engine, m.OutboxMessage)
    bad = engine.submit(
        "onAfterPaymentPost", account="A1", data={"worklist": "NOWHERE", "amount": "5.00"}
    )
    fine = engine.submit(
        "onAfterPaymentPost", account="A2", data={"worklist": "COLLECTIONS", "amount": "5.00"}
    )
    stats = engine.process()
    assert stats.outcomes["failed"] == 1

    event = _event(engine, bad.id)
    assert event.status == "failed"
    assert str(event.reason).startswith("broken#2 move_worklist (")
    assert "extra.yaml:" in str(event.reason) and "unknown worklist 'NOWHERE'" in str(event.reason)
    # The broken trigger's work rolled back: its status change, letter and derived events.
    account = engine.read(lambda s: s.get(m.Account, "A1"))
    assert account.status != "LEGAL"
    assert _count(engine, m.StatusHistory, m.StatusHistory.account_id == "A1") == 0
    assert _count(engine, m.InboxEvent, m.InboxEvent.parent_id == bad.id) == 0
    # The triggers before and after it kept their work.
    notes = engine.read(
        lambda s: [n.text for n in s.scalars(select(m.Note).where(m.Note.account_id == "A1"))]
    )
    assert sorted(notes) == ["After the broken one", "Payment noted"]
    assert _count(engine, m.Record, m.Record.subject_id == "A1") == 1
    # The other event of the batch: everything ran (its letter is the only new message).
    assert _event(engine, fine.id).status == "processed"
    assert engine.read(lambda s: s.get(m.Account, "A2")).status == "LEGAL"
    assert _count(engine, m.OutboxMessage) == before + 1

    trace = _trace(engine, bad.id)
    outcomes = {e["trigger"]: e["outcome"] for e in trace["triggers"]}
    assert outcomes == {
        "payment-note": "ran",
        "broken-on-payment": "failed",
        "after-payment": "ran",
    }
    assert trace["failed"] == ["broken-on-payment"]
    failed = next(e for e in trace["triggers"] if e["outcome"] == "failed")
    assert failed["path"] == "broken"
    assert failed["where"].startswith("broken#2 move_worklist (") and ".yaml:" in failed["where"]
    assert "unknown worklist 'NOWHERE'" in failed["error"]
    run = engine.read(lambda s: s.get(m.Run, failed["runs"][0]))
    assert (run.status, run.trigger_id, run.path_id) == ("failed", "broken-on-payment", "broken")
    assert run.error_step == failed["where"]
    runs = engine.read(
        lambda s: {r.trigger_id: r.status for r in s.scalars(select(m.Run)) if r.event_id == bad.id}
    )
    assert runs == {"payment-note": "completed", "broken-on-payment": "failed",
                    "after-payment": "completed"}  # fmt: skip
    # The ledger holds the triggers that ran, not the failed one: a retry may run it.
    ledger = engine.read(
        lambda s: {
            f.trigger_id: f.outcome
            for f in s.scalars(select(m.FiredEvent).where(m.FiredEvent.event_id == bad.id))
        }
    )
    assert ledger == {"payment-note": "ran", "after-payment": "ran"}
    engine.close()


def test_a_condition_that_cannot_be_evaluated_fails_only_its_trigger(db_url, batched, tmp_path):
    engine = engine_on(config_with(tmp_path), db_url, batched)
    place(engine, "A1", "100.00")
    engine.process()
    sent = engine.submit("onAfterBankruptcyInsert", account="A1")
    engine.process()
    event = _event(engine, sent.id)
    assert event.status == "failed"
    assert "trigger needs-a-case" in str(event.reason)
    trace = _trace(engine, sent.id)
    entries = {e["trigger"]: e for e in trace["triggers"]}
    assert entries["needs-a-case"]["outcome"] == "failed"
    assert entries["needs-a-case"]["path"] == "(condition)"
    assert entries["bankrupt-note"]["outcome"] == "ran"
    notes = engine.read(lambda s: [n.text for n in s.scalars(select(m.Note))])
    assert notes == ["Bankruptcy noted"]
    engine.close()


def test_an_event_whose_triggers_all_succeed_is_processed_with_no_reason(db_url, batched, tmp_path):
    engine = engine_on(config_with(tmp_path, FIXED), db_url, batched)
    place(engine, "A1", "100.00")
    engine.process()
    sent = engine.submit("onAfterPaymentPost", account="A1", data={"amount": "5.00"})
    stats = engine.process()
    assert stats.outcomes.get("failed", 0) == 0
    event = _event(engine, sent.id)
    assert (event.status, event.reason) == ("processed", None)
    assert "failed" not in _trace(engine, sent.id)
    engine.close()


def test_a_resumed_run_that_fails_is_marked_failed_and_the_event_keeps_its_runs(
    db_url, batched, tmp_path
):
    extra = EXTRA.replace(
        "triggers:\n",
        "  - id: wait-then-break\n"
        "    steps:\n"
        "      - wait: 10 days\n"
        "        until: \"'DISPUTED' in account.flags\"\n"
        '      - move_worklist: {to: "{{ event.data.worklist }}"}\n'
        "  - id: flag-it\n"
        "    steps:\n"
        "      - set_flag: DISPUTED\n"
        "triggers:\n"
        "  - {id: waits, on: onCeaseCommunication, run: wait-then-break}\n"
        "  - {id: flags, on: onAfterDeceased, run: flag-it}\n",
    )
    root = config_with(tmp_path, extra)
    engine = engine_on(root, db_url, batched)
    place(engine, "A1", "100.00")
    engine.process()
    engine.submit(
        "onCeaseCommunication", account="A1", data={"worklist": "NOWHERE", "amount": "5.00"}
    )
    engine.process()
    waiting = engine.read(
        lambda s: s.scalars(select(m.Run).where(m.Run.trigger_id == "waits")).one()
    )
    assert waiting.status == "waiting"
    sent = engine.submit("onAfterDeceased", account="A1")
    engine.process()
    event = _event(engine, sent.id)
    assert event.status == "processed"  # its own trigger ran; the resumed run is another's
    assert "DISPUTED" in engine.read(lambda s: s.get(m.Account, "A1")).flags
    resumed = engine.read(lambda s: s.get(m.Run, waiting.id))
    assert resumed.status == "failed"
    assert "unknown worklist 'NOWHERE'" in str(resumed.error)
    trace = _trace(engine, sent.id)
    assert trace["resumed"] == []
    assert [f["run"] for f in trace["resume_failed"]] == [waiting.id]
    engine.close()


REPO = Path(__file__).resolve().parents[2]
# A second onDispute trigger in the sample agency whose path fails when it runs.
SAMPLE_BROKEN = """\
action_paths:
  - id: dispute-report
    steps:
      - move_worklist: {to: "{{ event.data.queue }}"}
triggers:
  - {id: dispute-report, on: onDispute, run: dispute-report}
"""


def test_sample_agency_a_broken_path_keeps_the_dispute_hold(db_url, batched, tmp_path):
    from engine.domain.contact_policy import check

    root = tmp_path / "agency"
    for part in ("rules", "action_paths"):
        shutil.copytree(REPO / part, root / part)
    (root / "action_paths" / "dispute-report.yaml").write_text(SAMPLE_BROKEN, encoding="utf-8")
    engine = engine_on(root, db_url, batched)
    with engine.unit("test") as unit:
        from engine.domain.operations import accounts

        accounts.ensure_client(unit, "ACME")
        for party in ("P1", "P2"):
            accounts.upsert_party(unit, {"id": party, "name": f"Party {party}"})
        for account, party in (("A1", "P1"), ("A2", "P2")):
            links = [{"party": party, "roles": ["responsible"]}]
            accounts.place_account(
                unit, id=account, client="ACME", parties=links, balances={"principal": "300.00"}
            )
    engine.process()
    # A1: an integrator sends the event; A2: the hold is recorded through the operation.
    sent = engine.submit("onDispute", account="A1", data={"queue": "NOWHERE"})
    engine.operate("record_dispute", {"account": "A2"})
    engine.process()

    for account_id, party in (("A1", "P1"), ("A2", "P2")):
        account = engine.read(lambda s, a=account_id: s.get(m.Account, a))
        assert account.status == "DSP", account_id  # the dispute path committed
        assert account.worklist == "DISPUTES"
        follow_ups = engine.read(
            lambda s, a=account_id: list(
                s.scalars(select(m.FollowUp).where(m.FollowUp.account_id == a))
            )
        )
        assert [f.kind for f in follow_ups] == ["dispute"]

        def decide(s, a=account_id, p=party):
            found = s.get(m.Account, a)
            return check(
                s,
                engine.ruleset,
                channel="letter",
                party_id=p,
                accounts=[found],
                case_id=None,
                now=engine.clock.now(),
            )

        decision = engine.read(decide)
        assert decision.status == "blocked", account_id  # non-contactable
    assert engine.read(lambda s: s.get(m.Account, "A2")).holds == ["dispute"]
    event = _event(engine, sent.id)
    assert event.status == "failed"
    assert "dispute-report#0 move_worklist" in str(event.reason)
    outcomes = {e["trigger"]: e["outcome"] for e in _trace(engine, sent.id)["triggers"]}
    assert outcomes == {"dispute": "ran", "dispute-report": "failed"}
    engine.close()
