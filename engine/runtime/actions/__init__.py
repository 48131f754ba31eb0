"""Built-in actions, registered in one visible table."""

from __future__ import annotations

from engine.runtime.actions import accounts, data, follow_ups, messages, settlements
from engine.runtime.actions.registry import Action, ActionRegistry

BUILTINS: dict[str, Action] = {
    "set_status": accounts.set_status,
    "move_worklist": accounts.move_worklist,
    "set_flag": accounts.set_flag,
    "clear_flag": accounts.clear_flag,
    "set_field": accounts.set_field,
    "add_note": accounts.add_note,
    "create_task": accounts.create_task,
    "set": data.set_vars,
    "record": data.record,
    "update_claims": data.update_claims,
    "emit": data.emit,
    # An offer letter also generates the account's offer (seed 002).
    "send_letter": settlements.send_letter,
    "send_email": messages.send_email,
    "send_sms": messages.send_sms,
    "call_webhook": messages.call_webhook,
    "report": messages.report,
    "open_follow_up": follow_ups.open_follow_up,
    "resolve_follow_up": follow_ups.resolve_follow_up,
    "create_settlement": settlements.create_settlement,
    "set_settlement_state": settlements.set_settlement_state,
    "offer_action": settlements.offer_action,
    "write_off_remainder": settlements.write_off_remainder,
}


def builtin_registry() -> ActionRegistry:
    """A fresh registry holding every built-in action."""
    registry = ActionRegistry()
    for name, fn in BUILTINS.items():
        registry.register(name, fn)
    return registry
