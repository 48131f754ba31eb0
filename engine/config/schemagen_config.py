"""The configuration schema (``docket-config.schema.json``), generated from the catalogues.

Trigger names come from ``catalogue.EVENT_NAMES``, step actions and their parameters from
``steps.BUILTIN_ACTIONS`` plus ``ACTION_PARAMS`` below, buckets from ``model.BUCKETS`` and
channels from ``steps.CHANNELS``: nothing here is typed twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.config import catalogue, steps
from engine.config.calendar import WEEKDAYS
from engine.config.schemagen_defs import (
    Schema,
    bucket_map,
    common_defs,
    document,
    enum,
    flag,
    list_of,
    obj,
    ref,
    text,
)

HOLDS: tuple[str, ...] = ("bankruptcy", "deceased", "cease_communication", "dispute")
SECTIONS: tuple[str, ...] = (
    "agency",
    "status_codes",
    "worklists",
    "triggers",
    "action_paths",
    "clients",
    "spreaders",
    "contact_policy",
    "connectors",
)


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
        "event": Param("text", "Event name: a catalogue trigger name or a custom one."),
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


def _step() -> Schema:
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


def _condition() -> Schema:
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


def _agency() -> Schema:
    holidays = {
        "description": "Public holidays: a country code (US), or {country, subdivision}.",
        "anyOf": [
            {"type": "string", "title": "country code", "pattern": r"^[A-Z]{2,3}$"},
            {"type": "null"},
            obj(
                "Country and subdivision.",
                {
                    "country": text("Country code.", pattern=r"^[A-Z]{2,3}$", title="country code"),
                    "subdivision": text("State or province code.", examples=["TX"]),
                },
                ["country"],
            ),
        ],
        "examples": ["US", {"country": "US", "subdivision": "TX"}],
    }
    calendar = obj(
        "Business days for offsets and due dates.",
        {
            "holidays": holidays,
            "weekend": list_of(
                "Weekend days.",
                {"enum": list(WEEKDAYS)},
                uniqueItems=True,
                examples=[["sat", "sun"]],
            ),
            "extra_holidays": list_of(
                "Agency closing days beyond the public holidays.", ref("date")
            ),
        },
    )
    return obj(
        "The agency's own settings.",
        {
            "name": text("Agency name.", examples=["Northwind Recovery"]),
            "timezone": text(
                "IANA time zone of the agency.",
                pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$",
                examples=["America/Chicago"],
            ),
            "calendar": calendar,
            "max_event_depth": {
                "type": "integer",
                "minimum": 1,
                "maximum": 64,
                "description": "How deep derived events may trigger further paths (default 8).",
            },
            "sweep_time": ref(
                "time", 'Local time of the daily date-trigger sweep (default "06:00").'
            ),
        },
        ["name", "timezone"],
    )


def _sections() -> dict[str, Schema]:
    return {
        "agency": _agency(),
        "status_codes": list_of(
            "Account status codes.",
            obj(
                "A status code.",
                {
                    "code": ref("id", "The code, e.g. LEGAL."),
                    "label": text("Name shown to users."),
                    "pill": obj(
                        "The summary pill.",
                        {
                            "text": text("Pill text.", examples=["IN LEGAL"]),
                            "color": text("Pill color.", examples=["green", "purple", "yellow"]),
                        },
                        ["text", "color"],
                    ),
                    "legal": flag("Offered when opening a case."),
                    "closed": flag("The account is closed."),
                    "stop_contact": flag("No letters, emails, SMS or calls in this status."),
                },
                ["code", "label"],
            ),
        ),
        "worklists": list_of(
            "Worklists (collector queues).",
            obj(
                "A worklist.",
                {"id": ref("id", "Worklist id."), "label": text("Name shown to users.")},
                ["id", "label"],
            ),
        ),
        "triggers": list_of("Triggers: events or dates that start action paths.", _trigger()),
        "action_paths": list_of("Action paths: ordered steps.", _action_path()),
        "clients": list_of("Clients (creditors).", _client()),
        "spreaders": list_of(
            "Payment spreaders.",
            obj(
                "How a payment is allocated over buckets and accounts.",
                {
                    "id": ref("id", "Spreader id."),
                    "order": list_of(
                        "Buckets in the order they are paid.",
                        ref("bucket"),
                        minItems=1,
                        uniqueItems=True,
                        examples=[["fees", "interest", "principal"]],
                    ),
                    "across_accounts": enum(
                        "How a payment is shared over several accounts (default one_at_a_time).",
                        ("one_at_a_time", "across_buckets", "proportional", "even"),
                    ),
                    "by": enum(
                        "Account order for one_at_a_time (default age).", ("age", "balance")
                    ),
                    "direction": enum("Ascending or descending (default asc).", ("asc", "desc")),
                },
                ["id", "order"],
            ),
        ),
        "contact_policy": _contact_policy(),
        "connectors": list_of(
            "Connectors (email/SMS gateways, letter vendors, webhooks). A message goes to the "
            "first connector serving its channel that names its client, else the first serving "
            "every client. With none configured, every message is written under ./docket-outbox.",
            obj(
                "A configured connector.",
                {
                    "id": ref("id", "Connector id."),
                    "type": text(
                        "Connector type: a built-in (folder, smtp, sms_http, webhook, "
                        "print_batch) or the name an installed plug-in registers "
                        "(entry-point group docket.connectors).",
                        minLength=1,
                        examples=list(CONNECTOR_TYPES),
                    ),
                    "channels": list_of(
                        "Channels it serves (default: its type's own).",
                        ref("channel"),
                        uniqueItems=True,
                        minItems=1,
                    ),
                    "clients": list_of(
                        "Only these clients' messages (default: every client).",
                        ref("id"),
                        uniqueItems=True,
                    ),
                    "settings": _connector_settings(),
                },
                ["id", "type"],
            ),
        ),
    }


def _trigger() -> Schema:
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


def _action_path() -> Schema:
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


def _client() -> Schema:
    settlement = obj(
        "Settlement authority.",
        {
            "authority": text("The client's instructions, as written."),
            "percentages": bucket_map(
                "Acceptable percentage of each bucket.",
                "Percentage of the bucket",
                ref("percentage"),
            ),
            "include_new_interest": flag("Interest includes interest accrued to the date."),
            "tolerance": obj(
                "How far below the amount still counts as reached.",
                {
                    "percent": ref("percentage", "A percentage of the settlement amount."),
                    "amount": ref("money", "A fixed amount."),
                },
            ),
            "max_term_days": {"type": "integer", "minimum": 1, "description": "Longest term."},
            "on_reached": ref("id", "Action path run when a settlement is reached."),
            "write_off_remainder": flag("Write off the remainder when fully settled."),
        },
    )
    interest = obj(
        "Judgment interest: simple, per annum.",
        {
            "rate": ref("rate", "Yearly rate in percent."),
            "basis": enum("Day-count basis (default 365).", (360, 364, 365)),
            "buckets": list_of(
                "Interest-bearing buckets (default principal).", ref("bucket"), uniqueItems=True
            ),
            "changes": list_of(
                "Rate changes.",
                obj(
                    "A rate change.",
                    {"effective": ref("date", "Effective date."), "rate": ref("rate", "New rate.")},
                    ["effective", "rate"],
                ),
            ),
        },
        ["rate"],
    )
    return obj(
        "A client.",
        {
            "code": ref("id", "Client code."),
            "name": text("Client name."),
            "judgment": flag("A judgment client (owns judgment accounts)."),
            "spreader": ref("id", "Spreader for payments."),
            "judgment_spreader": ref("id", "Spreader mirroring judgment payments."),
            "fee_percent": ref("percentage", "Post-settlement fee percentage."),
            "settlement": settlement,
            "interest": interest,
        },
        ["code"],
    )


CONNECTOR_TYPES = ("folder", "smtp", "sms_http", "webhook", "print_batch")


def _connector_settings() -> Schema:
    # Each type checks its own settings against its JSON Schema when the relay starts (the
    # config layer does not import connectors); only what every connector shares is here.
    retry = obj(
        "How the relay retries this connector's transient failures.",
        {
            "max_attempts": {
                "type": "integer",
                "minimum": 1,
                "description": "Sends before a dead letter (default 5).",
            },
            "backoff_seconds": {
                "type": "number",
                "minimum": 0,
                "description": "First wait; doubles each attempt, with jitter (default 30).",
            },
            "max_backoff_seconds": {
                "type": "number",
                "minimum": 0,
                "description": "Longest wait between attempts (default 3600).",
            },
        },
    )
    return obj(
        "The connector's settings (its own schema). Secrets — keys named password, secret, "
        "token, api_key… — must be an environment variable reference like ${SMTP_PASSWORD}, "
        "never written inline.",
        {"retry": retry},
        extra=True,
    )


def _contact_policy() -> Schema:
    return obj(
        "When and how often parties may be contacted.",
        {
            "quiet_hours": obj(
                "No contact between these times, in the party's time zone.",
                {"from": ref("time", "Start."), "to": ref("time", "End.")},
                ["from", "to"],
            ),
            "caps": list_of(
                "Contact caps per channel.",
                obj(
                    "At most max contacts per per_days days.",
                    {
                        "channel": ref("channel", "Channel capped."),
                        "max": {"type": "integer", "minimum": 0, "description": "Most contacts."},
                        "per_days": {"type": "integer", "minimum": 1, "description": "Window."},
                    },
                    ["channel", "max", "per_days"],
                ),
            ),
            "holds": list_of("Holds that block contact.", {"enum": list(HOLDS)}, uniqueItems=True),
            "when_blocked": enum(
                "Blocked contact: defer or skip (default defer).", ("defer", "skip")
            ),
        },
    )


def config_schema(name: str) -> Schema:
    """The JSON Schema of one configuration file (any subset of the sections)."""
    events = catalogue.EVENTS
    defs = common_defs() | {
        "event": {
            "title": "trigger event",
            "description": "A trigger name from the event catalogue.",
            "type": "string",
            "enum": [spec.name for spec in events],
            "enumDescriptions": [spec.description for spec in events],
        },
        "channel": {
            "title": "channel",
            "description": "An outbox channel.",
            "type": "string",
            "enum": list(steps.CHANNELS),
        },
        "condition": _condition(),
        "step": _step(),
        "steps": list_of("Steps run in order.", ref("step"), minItems=1),
    }
    sections = _sections()
    for section in sections.values():
        if section["type"] == "array":
            # An empty section (every item commented out) is allowed.
            section["type"] = ["array", "null"]
    body = obj("", sections)
    del body["description"]
    return document(
        name,
        "Docket configuration file",
        "A Docket rule file: any of the sections agency, status_codes, worklists, triggers, "
        "action_paths, clients, spreaders, contact_policy, connectors.",
        body,
        defs,
    )
