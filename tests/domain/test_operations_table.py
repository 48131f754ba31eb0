"""The operations table: one entry per catalogued name, and render_judgment's one request."""

from __future__ import annotations

import inspect
from dataclasses import fields
from decimal import Decimal

import pytest

from engine.config.catalogue import OPERATION_NAMES
from engine.domain.errors import DomainError
from engine.domain.operations import OPERATIONS
from engine.domain.operations.accounts import HOLD_EVENTS
from engine.domain.operations.judgments import JudgmentRequest


def test_every_catalogued_operation_is_in_the_table_but_emit() -> None:
    # The scenario runner answers `emit` itself; everything else goes through the table.
    assert set(OPERATIONS) == set(OPERATION_NAMES) - {"emit"}


def test_every_contact_hold_has_its_record_operation() -> None:
    assert {f"record_{hold}" for hold in HOLD_EVENTS} <= set(OPERATIONS)


def test_render_judgment_takes_the_fields_of_its_request_as_parameters() -> None:
    parameters = list(inspect.signature(OPERATIONS["render_judgment"]).parameters)
    assert parameters == ["unit", *(field.name for field in fields(JudgmentRequest))]


def test_a_judgment_request_reads_amounts_exactly() -> None:
    request = JudgmentRequest.read(
        {
            "case": "C1",
            "judgment_client": "ACME-JDG",
            "judgment_account": "J1",
            "amount": "1200.1",
            "interest_rate": "9.0",
            "court_costs": "150",
            "spread": {"A1": 1000, "A2": "200.10"},
        }
    )
    assert request.amount == Decimal("1200.10")
    assert request.interest_rate == Decimal("9.0")
    assert request.court_costs == Decimal("150.00") and request.attorney_fees is None
    assert request.spread == {"A1": Decimal("1000.00"), "A2": Decimal("200.10")}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"amount": "a lot"}, "judgment amount must be an amount of money, got 'a lot'"),
        ({"attorney_fees": "x"}, "attorney fees must be an amount of money"),
        ({"interest_rate": "nine"}, "interest rate 'nine' is not a number"),
        ({"interest_rate": "101"}, "between 0 and 100, got 101"),
        ({"spread": []}, "case 'C1': spread must map accounts to amounts"),
        ({"spread": {"A1": "?"}}, "spread to account 'A1' must be an amount of money"),
        ({"amount": 1200.1}, "got 1200.1: it is a binary number, not text"),
        ({"court_costs": "150.005"}, "it has more than two decimal places"),
    ],
)
def test_a_judgment_request_refuses_what_is_not_money(given: dict[str, object], message: str):
    base = {"case": "C1", "judgment_client": "ACME-JDG", "judgment_account": "J1", "amount": "1"}
    with pytest.raises(DomainError, match=message):
        JudgmentRequest.read({**base, **given})
