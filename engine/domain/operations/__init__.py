"""The domain operations ("buttons") scenarios, the CLI and the API call by name, in one table.

Each aggregate is a sub-package holding its operations, its read models (``views``) and its
buttons (``buttons``: the parameters a scenario's ``with:``, the CLI or the API give in, plain
values out; a button has no docstring, since the API would show it as the operation's
description). An aggregate's operations use only the aggregates before it in this order:
accounts, cases, judgments, payments, offers, settlements; follow-ups stand apart. Views and
buttons may read any aggregate (the case view shows its judgment, the settlement widget its
offers). ``params`` and ``uploads`` are shared by several.

The names are catalogued in ``engine.config.catalogue``: a name catalogued but not in this
table answers "not available yet" instead of failing obscurely.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from engine.config.catalogue import OPERATION_NAMES
from engine.domain.errors import DomainError
from engine.domain.operations.accounts import buttons as account_buttons
from engine.domain.operations.cases import buttons as case_buttons
from engine.domain.operations.follow_ups import buttons as follow_up_buttons
from engine.domain.operations.judgments import buttons as judgment_buttons
from engine.domain.operations.judgments.request import JudgmentRequest
from engine.domain.operations.offers import buttons as offer_buttons
from engine.domain.operations.payments import buttons as payment_buttons
from engine.domain.operations.payments.posting import AFTER_PAYMENT
from engine.domain.operations.requests import taking
from engine.domain.operations.settlements import buttons as settlement_buttons
from engine.domain.operations.settlements.tracking import track_payment
from engine.domain.unit import Unit

__all__ = ["OPERATIONS", "Operation", "invoke"]

Operation = Callable[..., Any]

OPERATIONS: dict[str, Operation] = {
    "place_account": account_buttons.place_account,
    "record_bankruptcy": account_buttons.hold_recorder("bankruptcy"),
    "record_deceased": account_buttons.hold_recorder("deceased"),
    "record_dispute": account_buttons.hold_recorder("dispute"),
    "record_cease_communication": account_buttons.hold_recorder("cease_communication"),
    "lift_contact_hold": account_buttons.lift_contact_hold,
    "open_follow_up": follow_up_buttons.open_follow_up,
    "comment_follow_up": follow_up_buttons.comment_follow_up,
    "attach_follow_up": follow_up_buttons.attach_follow_up,
    "email_follow_up": follow_up_buttons.email_follow_up,
    "reschedule_follow_up": follow_up_buttons.reschedule_follow_up,
    "reassign_follow_up": follow_up_buttons.reassign_follow_up,
    "resolve_follow_up": follow_up_buttons.resolve_follow_up,
    "create_settlement": settlement_buttons.create_settlement,
    "approve_settlement": settlement_buttons.approve_settlement,
    "set_settlement_state": settlement_buttons.set_settlement_state,
    "remove_settlement": settlement_buttons.remove_settlement,
    "create_offer": offer_buttons.create_offer,
    "offer_action": offer_buttons.offer_action,
    "open_case": case_buttons.open_case,
    "set_case_dates": case_buttons.set_case_dates,
    "add_case_accounts": case_buttons.add_case_accounts,
    "add_defendants": case_buttons.add_defendants,
    "upload_case_document": case_buttons.upload_case_document,
    "request_client_auth": case_buttons.request_client_auth,
    "authorize_account": case_buttons.authorize_account,
    "request_summons": case_buttons.request_summons,
    "serve_defendants": case_buttons.serve_defendants,
    "record_served": case_buttons.record_served,
    "file_case": case_buttons.file_case,
    "dismiss_case": case_buttons.dismiss_case,
    "auto_spread": case_buttons.auto_spread,
    # Its parameters are the request's fields (a scenario's with:, the API's body).
    "render_judgment": taking(JudgmentRequest, judgment_buttons.render_judgment),
    "post_payment": payment_buttons.post_payment,
    "unspread_payment": payment_buttons.unspread_payment,
    "respread_payment": payment_buttons.respread_payment,
}

# Settlement tracking runs after every posted payment and mirror, in the payment's transaction
# (a hook, so posting a payment knows nothing of settlements).
if track_payment not in AFTER_PAYMENT:
    AFTER_PAYMENT.append(track_payment)


def _coerce_dates(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and (key.endswith("date") or key in ("on", "date")):
            try:
                out[key] = date.fromisoformat(value)
                continue
            except ValueError:
                raise DomainError(f"'{key}' must be a date (YYYY-MM-DD), got '{value}'") from None
        out[key] = value
    return out


def invoke(unit: Unit, name: str, params: Mapping[str, Any]) -> Any:
    """Call an operation by name; unknown names and parameters are clear errors."""
    fn = OPERATIONS.get(name)
    if fn is None:
        if name in OPERATION_NAMES:
            raise DomainError(f"operation '{name}' is not available yet in this version")
        raise DomainError(f"unknown operation '{name}'")
    params = _coerce_dates(params)
    try:
        inspect.signature(fn).bind(unit, **params)
    except TypeError as exc:
        raise DomainError(f"operation '{name}': {exc}") from None
    return fn(unit, **params)
