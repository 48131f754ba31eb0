"""The catalogue of built-in step actions: one place for the validator, the schema and docs.

Each entry names the action, the parameter a scalar shorthand fills (``set_status: LEGAL`` is
``set_status: {code: LEGAL}``), required parameters, and which parameters reference other
configuration objects (checked at load time with "did you mean" suggestions). The runtime's
action registry implements every entry; integrators add more through the same registry and
pass their names to ``load_ruleset(..., actions=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

RefKind = Literal["status_code", "worklist", "template", "action_path", "event", "client"]


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str
    description: str
    shorthand: str | None = None  # the parameter a scalar value fills
    required: tuple[str, ...] = ()
    refs: Mapping[str, RefKind] = field(default_factory=dict)
    durations: tuple[str, ...] = ()  # parameters holding offsets such as "+1 business day"
    channel: str | None = None  # outbox channel for side-effect actions


BUILTIN_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "set_status",
        "Change the status code of the subject's accounts.",
        "code",
        ("code",),
        {"code": "status_code"},
    ),
    ActionSpec(
        "move_worklist",
        "Move the subject's accounts to a worklist, with an optional next-work date offset.",
        "to",
        ("to",),
        {"to": "worklist"},
        durations=("next_work",),
    ),
    ActionSpec(
        "send_letter",
        "Queue a letter from a template to recipients (outbox).",
        "template",
        ("template", "to"),
        {"template": "template"},
        channel="letter",
    ),
    ActionSpec(
        "send_email",
        "Queue an email from a template to recipients (outbox).",
        "template",
        ("template", "to"),
        {"template": "template"},
        channel="email",
    ),
    ActionSpec(
        "send_sms",
        "Queue an SMS from a template to recipients (outbox).",
        "template",
        ("template", "to"),
        {"template": "template"},
        channel="sms",
    ),
    ActionSpec(
        "call_webhook",
        "Queue an HTTP webhook call with a JSON body (outbox).",
        "url",
        ("url",),
        channel="webhook",
    ),
    ActionSpec(
        "report",
        "Render a report template and store it (outbox, channel report).",
        "template",
        ("template",),
        {"template": "template"},
        channel="report",
    ),
    ActionSpec(
        "create_task",
        "Create a task for a department, due after an offset.",
        "title",
        ("title",),
        durations=("due",),
    ),
    ActionSpec("add_note", "Add a note to the subject's accounts.", "text", ("text",)),
    ActionSpec("set_field", "Set a custom field on the subject's accounts.", None, ("field",)),
    ActionSpec("set_flag", "Set a flag on the subject's accounts.", "flag", ("flag",)),
    ActionSpec("clear_flag", "Clear a flag on the subject's accounts.", "flag", ("flag",)),
    ActionSpec("set", "Set run variables (``vars``) from values or expressions."),
    ActionSpec(
        "record", "Add a row to a named data model (disbursement, audit…).", None, ("model",)
    ),
    ActionSpec(
        "update_claims",
        "Change the status of the settlement's claims (all, or those with one status).",
        "status",
        ("status",),
    ),
    ActionSpec(
        "emit", "Emit a derived event about the subject.", "event", ("event",), {"event": "event"}
    ),
    # Domain actions (settlements, offers, judgments, follow-ups).
    ActionSpec(
        "create_settlement",
        "Create a settlement on the account (amount, or calculate from the client's rules).",
    ),
    ActionSpec(
        "set_settlement_state",
        "Make the subject's settlement active, inactive or void.",
        "state",
        ("state",),
    ),
    ActionSpec(
        "offer_action",
        "Generate, accept, decline or cancel the subject's active offer.",
        "action",
        ("action",),
    ),
    ActionSpec(
        "write_off_remainder",
        "Write off what remains on the account after a settlement (when the client allows).",
    ),
    ActionSpec(
        "open_follow_up",
        "Open a follow-up workspace on the subject (kind, owner, due date).",
        "kind",
        ("kind",),
        durations=("due",),
    ),
    ActionSpec("resolve_follow_up", "Resolve the subject's follow-up with an outcome.", "outcome"),
)

# Control steps are written with their own keys, not as actions.
CONTROL_KEYS: tuple[str, ...] = ("if", "then", "else", "wait", "until", "run", "stop", "label")

BY_NAME: dict[str, ActionSpec] = {spec.name: spec for spec in BUILTIN_ACTIONS}
ACTION_NAMES: tuple[str, ...] = tuple(BY_NAME)
CHANNELS: tuple[str, ...] = ("letter", "email", "sms", "webhook", "report", "call")
