"""What rendering a judgment needs, in one frozen request: the button, the CLI and the API give
its fields as parameters (``judgments.buttons``), and ``render_judgment`` takes it whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.domain.errors import DomainError
from engine.domain.operations.params import money_param


@dataclass(frozen=True, slots=True)
class JudgmentRequest:
    """A judgment to render on a filed case (ACE "Judgment Rendered"); amounts in cents."""

    case: str
    judgment_client: str
    judgment_account: str  # the judgment account to create
    amount: Decimal
    interest_rate: Decimal | None = None  # percent a year; default the judgment client's rate
    effective_date: dt.date | None = None  # interest runs from; default the judgment date
    judgment_date: dt.date | None = None  # default today
    result: str | None = None
    spread: Mapping[str, Decimal] | None = None  # over the originals; default proposed/balances
    court_costs: Decimal | None = None
    attorney_fees: Decimal | None = None
    move_payments_after: bool = False  # move later payments on the originals to the judgment
    status: str | None = None  # the judgment account's status code
    judgment: str | None = None  # the judgment's id; default the judgment account's

    @classmethod
    def read(cls, given: Mapping[str, Any]) -> JudgmentRequest:
        """The request from parameters as given: amounts and the rate read exactly (a float by
        its shortest repr), or refused naming the parameter."""
        values = dict(given)
        values["amount"] = money_param("amount", given["amount"], "judgment amount")
        for name in ("court_costs", "attorney_fees"):
            if given.get(name) is not None:
                values[name] = money_param(name, given[name])
        if given.get("interest_rate") is not None:
            values["interest_rate"] = _rate(given["interest_rate"])
        if given.get("spread") is not None:
            values["spread"] = _spread(given.get("case"), given["spread"])
        return cls(**values)


def _rate(value: Any) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except ArithmeticError:
        raise DomainError(f"interest rate '{value}' is not a number") from None
    if not rate.is_finite() or not 0 <= rate <= 100:
        raise DomainError(f"interest rate must be a percentage between 0 and 100, got {value}")
    return rate


def _spread(case: Any, spread: Any) -> dict[str, Decimal]:
    if not isinstance(spread, Mapping) or not spread:
        raise DomainError(f"case '{case}': spread must map accounts to amounts")
    return {
        str(account_id): money_param(
            ("spread", str(account_id)), value, f"spread to account '{account_id}'"
        )
        for account_id, value in spread.items()
    }
