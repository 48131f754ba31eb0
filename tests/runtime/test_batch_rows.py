"""Rows a batch takes as plain values are still seen where the same batch reads them back."""

from __future__ import annotations

from pathlib import Path

from engine.runtime.batching.drain import drain
from tests.outbox.conftest import Desk, make_root


def test_a_contact_cap_counts_the_texts_queued_earlier_in_the_same_batch(
    db_url: str, tmp_path: Path
) -> None:
    """The test agency caps texts at 3 per 7 days; four payments processed in one batch
    queue four receipts: the fourth is deferred by the three queued before it."""
    desk = Desk(make_root(tmp_path), db_url)
    try:
        desk.place(send=())
        for _ in range(4):
            desk.engine.operate("post_payment", {"account": "A1", "amount": "10.00"})
        engine = desk.engine
        assert engine.clock is not None
        stats = drain(engine.sessions, engine.dispatcher, engine.ruleset, engine.clock)
        assert stats.processed >= 4
        texts = [r for r in desk.rows() if r.channel == "sms"]
        assert [r.status for r in texts] == ["pending"] * 3 + ["deferred"]
        assert texts[3].block_reason == "cap: 3 sms per 7 days reached"
    finally:
        desk.close()
