"""A judgment account's own events see the case of its original accounts as ``case``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.config import load_ruleset
from engine.domain import models as m
from engine.domain.clock import SimulatedClock
from engine.runtime.engine import Engine
from tests.conftest import REPO
from tests.legal.conftest import START, filed_case, place

TRIGGER = """\
triggers:
  - id: judgment-payment-note
    on: onAfterPaymentPost
    if: account.is_judgment and case.id == 'C1'
    run: judgment-payment-note
action_paths:
  - id: judgment-payment-note
    steps:
      - add_note: "payment on judgment {{ judgment.id }} of case {{ case.id }} ({{ case.status }})"
"""


@pytest.fixture
def engine(
    db_url: str, batched: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    monkeypatch.setenv("DOCKET_DOCUMENTS", str(tmp_path / "documents"))
    root = tmp_path / "agency"
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copytree(REPO / "action_paths", root / "action_paths")
    (root / "rules" / "judgment-note.yaml").write_text(TRIGGER, encoding="utf-8")
    ruleset = load_ruleset(root)
    clock = SimulatedClock(START, ruleset.agency.timezone)
    made = Engine(ruleset, db_url, clock=clock, batched=batched)
    yield made
    made.close()


def test_a_payment_on_the_judgment_account_sees_the_case_of_its_originals(engine: Engine):
    place(engine, {"id": "A1", "client": "ACME", "balances": {"principal": "800.00"}})
    filed_case(engine, "A1")
    engine.operate(
        "render_judgment",
        {"case": "C1", "judgment_client": "ACME-JDG", "judgment_account": "J1", "amount": "800"},
    )
    engine.process()
    engine.operate("post_payment", {"account": "J1", "amount": "100.00"})
    stats = engine.process()
    assert stats.outcomes.get("failed", 0) == 0

    notes = engine.read(
        lambda s: [(n.account_id, n.text) for n in s.scalars(select(m.Note).order_by(m.Note.id))]
    )
    # Only the judgment account's payment fires (the mirrored one on A1 is not a judgment's).
    assert [n for n in notes if n[1].startswith("payment on judgment")] == [
        ("J1", "payment on judgment J1 of case C1 (JUDGMENT)")
    ]
