"""Re-driving failed events after the rule is fixed (issue 16, finding 4): the Python API and
``docket events list|retry``."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select

from engine.cli.main import _register, cli
from engine.domain import models as m
from engine.runtime import event_detail
from tests.runtime.helpers import place
from tests.runtime.test_isolation import FIXED, _count, _event, _trace, config_with, engine_on

_register()
PAYMENT = {"worklist": "NOWHERE", "amount": "5.00"}


def _failed_payment(db_url, batched, tmp_path):
    """An engine on the broken rules, and a payment event whose middle trigger failed."""
    engine = engine_on(config_with(tmp_path), db_url, batched)
    place(engine, "A1", "100.00")
    engine.process()
    bad = engine.submit("onAfterPaymentPost", account="A1", data=PAYMENT)
    engine.process()
    assert _event(engine, bad.id).status == "failed"
    return engine, bad.id


def _notes(engine):
    return sorted(engine.read(lambda s: [n.text for n in s.scalars(select(m.Note))]))


def test_retry_on_the_fixed_version_runs_only_the_failed_trigger(db_url, batched, tmp_path):
    broken, event_id = _failed_payment(db_url, batched, tmp_path)
    first = _trace(broken, event_id)
    failed_run = next(e for e in first["triggers"] if e["outcome"] == "failed")["runs"][0]
    broken.close()
    engine = engine_on(config_with(tmp_path, FIXED), db_url, batched)  # the fix, published

    (answer,) = engine.retry([event_id])
    assert answer.as_json() == {
        "id": event_id,
        "status": "processed",
        "reason": None,
        "attempt": 2,
        "retried": True,
    }
    event = _event(engine, event_id)
    assert (event.status, event.reason, event.ruleset_hash) == (
        "processed",
        None,
        engine.ruleset.hash,
    )
    account = engine.read(lambda s: s.get(m.Account, "A1"))
    assert (account.status, account.worklist) == ("LEGAL", "COLLECTIONS")
    # The triggers that ran the first time did not run again.
    assert _notes(engine) == ["After the broken one", "Payment noted"]
    assert _count(engine, m.Record) == 1
    ledger = engine.read(
        lambda s: sorted(
            f.trigger_id
            for f in s.scalars(select(m.FiredEvent).where(m.FiredEvent.event_id == event_id))
        )
    )
    assert ledger == ["after-payment", "broken-on-payment", "payment-note"]

    trace = _trace(engine, event_id)
    assert trace["attempt"] == 2
    assert [a["attempt"] for a in trace["attempts"]] == [1]
    assert trace["attempts"][0]["failed"] == ["broken-on-payment"]
    entries = {e["trigger"]: (e["outcome"], e["attempt"]) for e in trace["triggers"]}
    assert entries == {
        "payment-note": ("ran", 1),
        "broken-on-payment": ("ran", 2),
        "after-payment": ("ran", 1),
    }
    new_run = next(e for e in trace["triggers"] if e["trigger"] == "broken-on-payment")["runs"][0]
    run = engine.read(lambda s: s.get(m.Run, new_run))
    assert run.status == "completed" and run.ruleset_hash == engine.ruleset.hash
    assert run.steps[0] == {
        "step": "retry",
        "on": "2026-05-04",
        "attempt": 2,
        "previous_run": failed_run,
    }
    # The failed run stays as it was, for the record.
    assert engine.read(lambda s: s.get(m.Run, failed_run)).status == "failed"
    # What the retried run derived is processed like any derived event.
    engine.process()
    assert _count(engine, m.InboxEvent, m.InboxEvent.status == "pending") == 0
    detail = engine.read(lambda s: event_detail(s, event_id))
    assert detail["attempt"] == 2 and len(detail["attempts"]) == 1

    (again,) = engine.retry([event_id])
    assert (again.retried, again.status) == (False, "refused")
    assert "is processed: only failed events are retried" in str(again.reason)
    (unknown,) = engine.retry(["no-such-event"])
    assert (unknown.retried, unknown.status) == (False, "unknown")
    engine.close()


def test_a_retry_that_fails_again_is_a_new_attempt_linked_to_the_last(db_url, tmp_path):
    engine, event_id = _failed_payment(db_url, True, tmp_path)
    first_run = next(e for e in _trace(engine, event_id)["triggers"] if e["outcome"] == "failed")
    (answer,) = engine.retry([event_id])  # nothing fixed yet
    assert (answer.status, answer.attempt) == ("failed", 2)
    assert "unknown worklist 'NOWHERE'" in str(answer.reason)
    trace = _trace(engine, event_id)
    second = next(e for e in trace["triggers"] if e["trigger"] == "broken-on-payment")
    assert (second["outcome"], second["attempt"]) == ("failed", 2)
    assert trace["failed"] == ["broken-on-payment"]
    failed_again = engine.read(lambda s: s.get(m.Run, second["runs"][0]))
    assert failed_again.status == "failed" and failed_again.id != first_run["runs"][0]
    assert _notes(engine) == ["After the broken one", "Payment noted"]
    engine.close()

    fixed = engine_on(config_with(tmp_path, FIXED), db_url, True)
    (answer,) = fixed.retry(fixed.failed_events())
    assert (answer.status, answer.attempt) == ("processed", 3)
    trace = _trace(fixed, event_id)
    assert [a["attempt"] for a in trace["attempts"]] == [1, 2]
    run_id = next(e for e in trace["triggers"] if e["trigger"] == "broken-on-payment")["runs"][0]
    steps = fixed.read(lambda s: s.get(m.Run, run_id).steps)
    assert steps[0]["attempt"] == 3 and steps[0]["previous_run"] == second["runs"][0]
    assert fixed.failed_events() == []
    fixed.close()


def test_an_event_that_failed_whole_runs_every_trigger_on_retry(db_url, tmp_path):
    """An event recorded failed as a whole (an error outside its triggers, or a failure from
    before triggers were isolated): nothing of it was kept, so every trigger runs."""
    engine = engine_on(config_with(tmp_path, FIXED), db_url, True)
    place(engine, "A1", "100.00")
    engine.process()
    sent = engine.submit("onAfterPaymentPost", account="A1", data=PAYMENT)
    with engine.unit("test") as unit:
        event = unit.session.scalars(select(m.InboxEvent).where(m.InboxEvent.id == sent.id)).one()
        event.status, event.reason = "failed", "processing onAfterPaymentPost: RuntimeError: x"
        doc = {
            "event": {"id": sent.id},
            "triggers": [{"trigger": None, "outcome": "failed", "runs": [], "error": "x"}],
            "resumed": [],
            "error": "RuntimeError: x",
        }
        unit.session.add(m.EventTrace(event_id=sent.id, ruleset_hash="old", doc=doc))
    (answer,) = engine.retry([sent.id])
    assert (answer.status, answer.attempt) == ("processed", 2)
    outcomes = {e["trigger"]: e["outcome"] for e in _trace(engine, sent.id)["triggers"]}
    assert outcomes == {"payment-note": "ran", "broken-on-payment": "ran", "after-payment": "ran"}
    engine.close()


def test_a_failed_trigger_removed_from_the_version_is_not_run_again(db_url, tmp_path):
    engine, event_id = _failed_payment(db_url, True, tmp_path)
    engine.close()
    without = FIXED.replace(
        "  - {id: broken-on-payment, on: onAfterPaymentPost, run: broken}\n", ""
    )
    fixed = engine_on(config_with(tmp_path, without), db_url, True)
    (answer,) = fixed.retry([event_id])
    assert (answer.status, answer.attempt) == ("processed", 2)
    entry = next(
        e for e in _trace(fixed, event_id)["triggers"] if e["trigger"] == "broken-on-payment"
    )
    assert entry["outcome"] == "removed"
    assert fixed.read(lambda s: s.get(m.Account, "A1")).status != "LEGAL"
    fixed.close()


# --- the CLI ------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_cli_lists_failed_events_and_retries_them(db_url, tmp_path):
    engine, event_id = _failed_payment(db_url, True, tmp_path)
    engine.close()
    broken = str(tmp_path / "config")

    code, out = run("events", "list", "--status", "failed", "--config", broken, "--db", db_url)
    assert code == 0
    assert event_id in out and "failed triggers: broken-on-payment" in out
    assert "unknown worklist 'NOWHERE'" in out
    code, out = run(
        "events", "list", "--status", "failed", "--json", "--config", broken, "--db", db_url
    )
    listed = json.loads(out)
    assert [(e["id"], e["failed"], e["attempt"]) for e in listed] == [
        (event_id, ["broken-on-payment"], 1)
    ]
    code, out = run("events", "list", "--status", "rejected", "--config", broken, "--db", db_url)
    assert (code, out.strip()) == (0, "no events with status rejected")

    code, out = run("events", "retry", event_id, "--config", broken, "--db", db_url)
    assert code == 1
    assert f"event {event_id}: failed (attempt 2): broken#2 move_worklist" in out

    fixed = str(config_with(tmp_path, FIXED))
    code, out = run("events", "retry", "--all-failed", "--json", "--config", fixed, "--db", db_url)
    assert code == 0, out
    assert json.loads(out) == [
        {"id": event_id, "status": "processed", "reason": None, "attempt": 3, "retried": True}
    ]
    code, out = run("events", "retry", "--all-failed", "--config", fixed, "--db", db_url)
    assert (code, out.strip()) == (0, "no failed events")
    code, out = run("events", "retry", event_id, "--config", fixed, "--db", db_url)
    assert code == 1 and "not retried: event" in out and "is processed" in out
    code, out = run("events", "retry", "--config", fixed, "--db", db_url)
    assert code == 2 and "give event ids, or --all-failed" in out
    code, out = run("trace", event_id, "--config", fixed, "--db", db_url)
    assert "trigger broken-on-payment: fired" in out


def test_a_retry_refused_by_a_domain_rule_keeps_the_earlier_attempts(db_url, tmp_path):
    engine, event_id = _failed_payment(db_url, True, tmp_path)
    with engine.unit("test") as unit:  # as if the loop guard now applied to it
        event = unit.session.scalars(select(m.InboxEvent).where(m.InboxEvent.id == event_id))
        event.one().depth = 99
    (answer,) = engine.retry([event_id])
    assert (answer.status, answer.attempt) == ("rejected", 2)
    assert str(answer.reason).startswith("loop guard")
    trace = _trace(engine, event_id)
    assert trace["attempt"] == 2 and [a["attempt"] for a in trace["attempts"]] == [1]
    entries = {e["trigger"]: (e["outcome"], e["attempt"]) for e in trace["triggers"]}
    assert entries["broken-on-payment"] == ("failed", 1)  # not run, not removed either
    engine.close()
