"""The sample's post-settlement close-out (seed 000) on a Harbor case settlement, step by step,
with what the scenario format cannot show: claim statuses, the temporary flag, the status
history and the rendered summary report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from engine.domain import models as m
from engine.runtime.engine import Engine
from tests.settlements.helpers import advance, operate, place

PARTIES = [
    {"id": "P1", "name": "Dana Reyes", "email": "dana@example.test"},
    {"id": "B1", "name": "Jordan Ellis", "phone": "+15550111", "roles": ["beneficiary"]},
    {
        "id": "CP1",
        "name": "Atlas Mutual Insurance",
        "email": "claims@atlas.example.test",
        "roles": ["counterparty"],
    },
]


def reach_harbor_settlement(engine: Engine) -> None:
    place(engine, "H1", "HARBOR", PARTIES, principal="30000.00")
    with engine.unit("test") as unit:
        unit.session.add(m.Party(id="L1", name="Mercy General Hospital"))
    operate(engine, "open_case", case="C1", accounts=["H1"], defendants=["P1"])
    operate(
        engine,
        "create_settlement",
        settlement="S1",
        account="H1",
        amount="25000.15",
        claims=[
            {"claimant": "B1", "amount": "12000.05"},
            {"claimant": "L1", "amount": "8000.05"},
            {"claimant": "P1", "amount": "5000.05", "status": "Disputed"},
        ],
    )
    operate(engine, "approve_settlement", settlement="S1", by="R. Okafor")
    advance(engine, date(2026, 5, 15))
    operate(engine, "post_payment", account="H1", amount="10000.00")
    advance(engine, date(2026, 6, 1))
    operate(engine, "post_payment", account="H1", amount="15000.15")


def test_the_close_out_runs_all_fourteen_steps(engine: Engine) -> None:
    reach_harbor_settlement(engine)
    with engine.sessions() as session:
        settlement = session.get(m.Settlement, "S1")
        assert settlement is not None
        assert (settlement.status, settlement.case_id) == ("reached", "C1")
        assert settlement.reached_date == date(2026, 6, 1)
        # 2: only the pending claims are fetched and paid out; 9 marks those claims Paid and
        # leaves the disputed one as it was.
        assert [(c.claimant, c.status) for c in settlement.claims] == [
            ("B1", "Paid"),
            ("L1", "Paid"),
            ("P1", "Disputed"),
        ]
        account = session.get(m.Account, "H1")
        assert account is not None
        # 6 and 14: SETTLED -> PSP, and the temporary flag is gone again.
        assert account.status == "PSP"
        assert "SETTLEMENT-CALC" not in account.flags
        history = session.scalars(
            select(m.StatusHistory.new)
            .where(m.StatusHistory.account_id == "H1")
            .order_by(m.StatusHistory.id)
        )
        assert list(history)[-2:] == ["SETTLED", "PSP"]
        run = session.scalars(
            select(m.Run).where(m.Run.path_id == "post-settlement-close-out")
        ).one()
        assert run.status == "completed"
        actions = [step["step"] for step in run.steps]
        assert actions[0] == "set_flag" and actions[-1] == "clear_flag"
        assert actions.count("record") == 2 and actions.count("create_task") == 2
        # 3-5, 12: the pending claims total 20,000.10; 33.33 % of it is 6,666.033333 -> 6,666.03.
        records = {
            r.model: r.fields for r in session.scalars(select(m.Record).order_by(m.Record.id))
        }
        assert records["disbursement"] == {
            "settlement": "S1",
            "total": "20000.10",
            "fees": "6666.03",
            "net": "13334.07",
            "scheduled_for": "2026-06-03",
        }
        assert records["audit"]["claims_paid"] == 2
        assert Decimal(records["audit"]["fees"]) + Decimal(records["audit"]["net"]) == Decimal(
            "20000.10"
        )
        # 7, 8: the Finance and Legal tasks.
        tasks = {
            t.department: t.title
            for t in session.scalars(select(m.Task).where(m.Task.created_on == date(2026, 6, 1)))
        }
        assert tasks["Finance"].startswith("Verify escrow liquidity for settlement S1: $20000.10")
        assert tasks["Legal"] == "Confirm release forms signed and archived for settlement S1"
        # 10, 11, 13: the email, the SMS and the stored summary report.
        outbox = {
            (o.channel, o.template): o
            for o in session.scalars(
                select(m.OutboxMessage).where(m.OutboxMessage.subject_kind == "settlement")
            )
        }
        assert outbox["email", "settlement-complete"].recipient["party"] == "CP1"
        assert outbox["sms", "funds-processing"].recipient["party"] == "B1"
        report = outbox["report", "settlement-summary"].payload["body"]
        assert "<td>Jordan Ellis</td><td>$12000.05</td>" in report
        assert "<td>Mercy General Hospital</td><td>$8000.05</td>" in report
        assert "Dana Reyes" not in report
        assert "<td>Fees (33.33%)</td><td>$6666.03</td>" in report
        assert "<td>Net disbursement</td><td>$13334.07</td>" in report
        assert "Close-out started 2026-06-01" in report and "completed 2026-06-01" in report


def test_a_failing_close_out_step_rolls_the_whole_path_back(engine: Engine) -> None:
    # Without a counterparty the email of step 10 has no recipient: the path fails and no
    # claim is paid, nothing recorded, the flag not left behind; the settlement stays reached.
    place(engine, "H1", "HARBOR", PARTIES[:2], principal="2000.00")
    operate(
        engine,
        "create_settlement",
        settlement="S1",
        account="H1",
        amount="1000.00",
        claims=[{"claimant": "B1", "amount": "1000.00"}],
    )
    operate(engine, "approve_settlement", settlement="S1", by="R. Okafor")
    operate(engine, "post_payment", account="H1", amount="1000.00")
    with engine.sessions() as session:
        settlement = session.get(m.Settlement, "S1")
        assert settlement is not None and settlement.status == "reached"
        assert [c.status for c in settlement.claims] == ["Pending"]
        assert session.scalars(select(m.Record)).first() is None
        account = session.get(m.Account, "H1")
        assert account is not None and account.status == "ACTIVE" and account.flags == []
        event = session.scalars(
            select(m.InboxEvent).where(m.InboxEvent.name == "onSettlementReached")
        ).one()
        assert event.status == "failed"
        assert "no recipient matches 'counterparty'" in str(event.reason)
