"""The automation part of the configuration schema: triggers, action paths and their steps.

Trigger names come from ``catalogue.EVENT_NAMES``, step actions and their parameters from
``steps.BUILTIN_ACTIONS`` plus ``ACTION_PARAMS`` below: nothing here is typed twice.
``schemagen_config`` assembles these with the other sections into the configuration schema.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.config import catalogue, steps
from engine.config.schemagen_defs import Schema, enum, flag, list_of, obj, ref, text


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a built-in action, as the schema shows it."""

    kind: str  # text, ref, duration, recipients, money, bool, date, object, any, enum
    description: str
    values: tuple[str, ...] = ()


# Account actions apply to the subject's accounts unless ``account`` names others (on a
# case event, the judgment account is ``{{ judgment.account }}``).
_ACCOUNT = Param(
    "any", "Account id or list of ids to act on (default: the subject's accounts); may hold {{ }}."
)

# The parameters each built-in action accepts. steps.py says which are required, which one a
# scalar shorthand fills and which reference other objects; a test keeps the two in step.
ACTION_PARAMS: dict[str, dict[str, Param]] = {
    "set_status": {
        "code": Param("ref", "Status code to set (from status_codes)."),
        "account": _ACCOUNT,
    },
    "move_worklist": {
        "to": Param("ref", "Worklist id to move to."),
        "next_work": Param("duration", "Next-work date as an offset from today."),
        "account": _ACCOUNT,
    },
    "send_letter": {
        "template": Param("ref", "Letter template name (rules/templates/<name>.j2)."),
        "to": Param("recipients", "Recipients."),
    },
    "send_email": {
        "template": Param("ref", "Email template name (rules/templates/<name>.j2)."),
        "to": Param("recipients", "Recipients."),
    },
    "send_sms": {
        "template": Param("ref", "SMS template name (rules/templates/<name>.j2)."),
        "to": Param("recipients", "Recipients."),
    },
    "call_webhook": {
        "url": Param("text", "URL to call; may hold {{ }} expressions."),
        "method": Param("enum", "HTTP method (default POST).", ("POST", "PUT", "PATCH")),
        "body": Param("any", "JSON body; strings may hold {{ }} expressions."),
        "headers": Param("object", "Extra HTTP headers."),
    },
    "report": {"template": Param("ref", "Report template name (rules/templates/<name>.j2).")},
    "create_task": {
        "title": Param("text", "Task title; may hold {{ }} expressions."),
        "department": Param("text", "Department the task goes to."),
        "assignee": Param("text", "User the task is assigned to."),
        "due": Param("duration", "Due date as an offset from today."),
    },
    "add_note": {
        "text": Param("text", "Note text; may hold {{ }} expressions."),
        "account": _ACCOUNT,
    },
    "set_field": {
        "field": Param("text", "Custom field name."),
        "value": Param("any", "Value: a literal or a {{ }} expression."),
        "account": _ACCOUNT,
    },
    "set_flag": {"flag": Param("text", "Flag name."), "account": _ACCOUNT},
    "clear_flag": {"flag": Param("text", "Flag name."), "account": _ACCOUNT},
    "record": {
        "model": Param("text", "Data model name (disbursement, audit, …)."),
        "fields": Param("object", "Column values; strings may hold {{ }} expressions."),
    },
    "update_claims": {
        "status": Param("text", "New status of the settlement's claims."),
        "where_status": Param("text", "Change only the claims with this status (default: all)."),
    },
    "emit": {
        "event": Param("text", "Event name: a catalogue event (the inbox takes no other)."),
        "data": Param("object", "Event data; strings may hold {{ }} expressions."),
    },
    "create_settlement": {
        "amount": Param("money", "Settlement amount, or a {{ }} expression."),
        "calculate": Param("bool", "Calculate the amount from the client's settlement rules."),
        "inception_date": Param("date", "Inception date (default today), or a {{ }} expression."),
    },
    "set_settlement_state": {
        "state": Param("enum", "New state of the settlement.", ("active", "inactive", "void"))
    },
    "offer_action": {
        "action": Param(
            "enum", "What to do with the offer.", ("generate", "accept", "decline", "cancel")
        )
    },
    "write_off_remainder": {},
    "set": {},  # free-form: keys are variable names
    "open_follow_up": {
        "kind": Param(
            "text",
            "Kind: dispute, legal, installment_plan, internal_validation, credit_note or other.",
        ),
        "title": Param("text", "Title; may hold {{ }} expressions."),
        "owner": Param("text", "User or department that owns the follow-up."),
        "due": Param("duration", "Due date as an offset from today."),
        "stakeholders": Param("any", "Stakeholders: party ids, departments or addresses."),
        "items": Param("any", "Linked items: account:ID, transaction:ID or document:NAME."),
        "suspend": Param("bool", "Take the account out of the standard automation while open."),
    },
    "resolve_follow_up": {
        "outcome": Param("text", "Outcome recorded on the follow-up."),
        "kind": Param("text", "Only the subject's open follow-ups of this kind."),
        "follow_up": Param("text", "This follow-up (default: the event's, else the subject's)."),
    },
}

_RECIPIENTS = (
    "Who receives it: defendants, parties, a role (responsible, co_signer, beneficiary, "
    "counterparty, attorney), a party id, or a literal address; or a list of these."
)


def _param_schema(param: Param) -> Schema:
    kinds: dict[str, Schema] = {
        "text": {"type": "string"},
        "ref": {"type": "string", "minLength": 1},
        "duration": ref("duration"),
        "money": {"type": ["string", "number"]},
        "bool": {"type": ["boolean", "string"]},
        "date": {"type": "string"},
        "object": {"type": "object"},
        "any": {},
        "enum": {"enum": list(param.values)},
        "recipients": {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {"type": "array", "items": {"type": "string"}, "minItems": 1},
            ],
            "examples": ["defendants", "responsible", ["responsible", "co_signer"]],
        },
    }
    description = _RECIPIENTS if param.kind == "recipients" else param.description
    return {**kinds[param.kind], "description": description}


def _action_schema(spec: steps.ActionSpec) -> Schema:
    if spec.name == "set":
        return obj(
            spec.description + " Keys are variable names; values literals or {{ }} expressions.",
            {},
            extra=True,
            propertyNames={"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
        )
    params = ACTION_PARAMS[spec.name]
    full = obj(spec.description, {k: _param_schema(p) for k, p in params.items()}, spec.required)
    forms: list[Schema] = [full]
    if spec.shorthand:
        forms.insert(0, _param_schema(params[spec.shorthand]))
    if not spec.required:
        forms.append({"type": "null"})
    if len(forms) == 1:
        return full
    return {"description": spec.description, "anyOf": forms}


def step_schema() -> Schema:
    """The ``step`` definition: control keys plus one property per built-in action."""
    properties: dict[str, Schema] = {
        "label": text("A name for this step, shown in traces."),
        "if": ref("condition", "Branch: run 'then' when this condition holds, else 'else'."),
        "then": ref("steps", "Steps run when 'if' holds."),
        "else": ref("steps", "Steps run when 'if' does not hold."),
        "wait": ref("duration", "Pause the run (durably) for this long."),
        "until": ref("condition", "Resume the wait early as soon as this becomes true."),
        "run": ref("id", "Run another action path (by id) as a sub-path."),
        "stop": {
            "type": ["string", "boolean", "null"],
            "description": "Stop the run here; the text is recorded as the reason.",
        },
    }
    for spec in steps.BUILTIN_ACTIONS:
        properties[spec.name] = _action_schema(spec)
    return obj(
        "One step: a built-in or registered action, or if/then/else, wait/until, run, stop.",
        properties,
        # Unknown keys pass here: integrators register actions, and the semantic stage
        # reports an unknown action with a suggestion.
        extra=True,
        title="step",
        minProperties=1,
        dependentRequired={
            "then": ["if"],
            "else": ["if"],
            "if": ["then"],
            "until": ["wait"],
        },
    )


def condition_schema() -> Schema:
    """The ``condition`` definition: an expression, a list, or any/all/not."""
    cond = ref("condition")
    return {
        "title": "condition",
        "description": (
            "A condition: a Jinja2 expression, a list (all must hold), "
            "{any: [...]}, {all: [...]} or {not: condition}."
        ),
        "anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "boolean"},
            {"type": "array", "items": cond, "minItems": 1},
            obj(
                "A combination of conditions.",
                {
                    "any": list_of("At least one must hold.", cond, minItems=1),
                    "all": list_of("All must hold.", cond, minItems=1),
                    "not": {**cond, "description": "Must not hold."},
                },
                minProperties=1,
                maxProperties=1,
            ),
        ],
        "examples": ["account.balance >= 500", {"any": ["case.court_date", "case.file_date"]}],
    }


def trigger_schema() -> Schema:
    """One item of the ``triggers`` section: an event or date that starts action paths."""
    date_fields = "|".join(catalogue.CASE_DATE_FIELDS)
    on = {
        "description": "The event (a catalogue name) or {date: case.<field>|account.<field>}.",
        "anyOf": [
            ref("event"),
            obj(
                "A custom date trigger: fires when the date plus the offset arrives.",
                {
                    "date": text(
                        "case.<date field> or account.<field holding an ISO date>.",
                        title="date field",
                        pattern=rf"^(case\.({date_fields})|account\.[A-Za-z_][A-Za-z0-9_]*)$",
                        examples=["case.court_date", "account.next_work_date"],
                    )
                },
                ["date"],
            ),
        ],
    }
    run = {
        "description": "Action path id, or a list of them.",
        "anyOf": [ref("id"), list_of("Action path ids.", ref("id"), minItems=1)],
    }
    return obj(
        "A trigger.",
        {
            "id": ref("id", "Trigger id (unique in the configuration)."),
            "description": text("What the trigger is for."),
            "on": on,
            "if": ref("condition", "Fire only when this condition holds."),
            "unless": ref("condition", "Do not fire when this condition holds."),
            "run": run,
            "offset": ref("duration", "Date triggers: shift from the date, e.g. -3 business days."),
            "catch_up": enum(
                "Date triggers: firings missed while the engine was down (default once).",
                ("once", "skip", "all"),
            ),
            "catch_up_window": ref("duration", "For catch_up: all, how far back to replay."),
            "enabled": flag("Set false to switch the trigger off (default true)."),
        },
        ["id", "on", "run"],
    )


def action_path_schema() -> Schema:
    """One item of the ``action_paths`` section: ordered steps and how reruns behave."""
    return obj(
        "An action path.",
        {
            "id": ref("id", "Action path id (unique in the configuration)."),
            "description": text("What the path does."),
            "mode": enum(
                "A second run on the same subject while one waits (default queue).",
                ("queue", "restart", "skip"),
            ),
            "on_change": enum(
                "A waiting run when a new config version loads (default finish).",
                ("finish", "restart", "cancel"),
            ),
            "steps": ref("steps", "The steps, run in order for one subject."),
        },
        ["id", "steps"],
    )
