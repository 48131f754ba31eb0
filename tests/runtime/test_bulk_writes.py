"""The rows a batch adds are written at its end in the order they were added: derived events
keep their emission order (per-subject order), and an optimistic batch leaves the same ordered
rows as the safe mode, where each event's savepoint flushes its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.domain import models as m
from engine.runtime.batching.drain import drain
from tests.runtime.helpers import make_engine, place


def _ordered(session: Any) -> dict[str, list[Any]]:
    """The rows of the test below in the order the store numbered them (ids left out)."""

    def rows(model: Any, order: Any, *fields: str) -> list[tuple[Any, ...]]:
        found = session.scalars(select(model).order_by(order))
        return [tuple(getattr(row, f) for f in fields) for row in found]

    return {
        "inbox": rows(m.InboxEvent, m.InboxEvent.seq, "name", "subject_id", "source", "status"),
        "status": rows(m.StatusHistory, m.StatusHistory.id, "account_id", "old", "new"),
        "worklist": rows(m.WorklistHistory, m.WorklistHistory.id, "account_id", "new"),
        "outbox": rows(m.OutboxMessage, m.OutboxMessage.id, "account_id", "template", "status"),
        "tasks": rows(m.Task, m.Task.id, "account_id", "title", "due_date"),
        "notes": rows(m.Note, m.Note.id, "account_id", "text"),
        "runs": rows(m.Run, m.Run.id, "path_id", "subject_id", "status"),
    }


def test_an_optimistic_batch_writes_its_rows_in_order_as_the_safe_mode_does(db_url, tmp_path):
    found = {}
    for optimistic in (True, False):
        url = db_url if "postgres" in db_url else f"sqlite:///{tmp_path / f'{optimistic}.db'}"
        engine = make_engine(url)
        for account in ("A1", "A2", "A3"):
            place(engine, account, "1200.00", party=f"P{account}")
        assert engine.clock is not None
        stats = drain(
            engine.sessions, engine.dispatcher, engine.ruleset, engine.clock, optimistic=optimistic
        )
        assert dict(stats.outcomes) == {"processed": 9}
        found[optimistic] = engine.read(_ordered)
        engine.close()
        if "postgres" in db_url:  # one schema per test: the safe mode is compared on SQLite
            break
    state = found[True]
    inbox = state["inbox"]
    derived = [(name, subject) for name, subject, source, _ in inbox if source == "derived"]
    # Each welcome run changes the status, then the worklist: its events follow in that order,
    # account after account, as the batch processed them.
    assert derived == [
        (name, account)
        for account in ("A1", "A2", "A3")
        for name in ("onStatusChange", "onWorklistChange")
    ]
    assert {status for *_, status in state["inbox"]} == {"processed"}
    assert [row[0] for row in state["status"]] == ["A1", "A2", "A3"]
    assert [row[0] for row in state["outbox"]] == ["A1", "A2", "A3"]
    assert [row[:2] for row in state["tasks"]] == [(a, f"Call {a}") for a in ("A1", "A2", "A3")]
    assert [row[0] for row in state["notes"]] == ["A1", "A2", "A3"]
    assert [row[:3] for row in state["runs"]] == [
        ("welcome", a, "completed") for a in ("A1", "A2", "A3")
    ]
    if False in found:
        assert found[True] == found[False]
