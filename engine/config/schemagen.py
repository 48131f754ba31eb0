"""Generate Docket's JSON Schemas (draft 2020-12), the single source of truth of the YAML shape.

``generate()`` returns both schemas; ``schemas/*.schema.json`` are its committed output (a
test keeps them equal) and ``docket schema --out DIR`` writes them afresh. The scenario
format (DESIGN §10) is a public interface: ``SCENARIO_VERSIONS`` lists the versions it reads.
"""

from __future__ import annotations

from engine.config.catalogue import OPERATION_HELP, OPERATION_NAMES
from engine.config.schemagen_config import config_schema
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

CONFIG_SCHEMA = "docket-config.schema.json"
SCENARIO_SCHEMA = "docket-scenario.schema.json"
SCHEMA_NAMES: tuple[str, ...] = (CONFIG_SCHEMA, SCENARIO_SCHEMA)
SCENARIO_VERSIONS: tuple[int, ...] = (1,)

ROLES: tuple[str, ...] = (
    "responsible",
    "co_signer",
    "beneficiary",
    "counterparty",
    "attorney",
    "process_server",
)
SETTLEMENT_STATUSES: tuple[str, ...] = ("active", "reached", "inactive", "void")
OFFER_STATUSES: tuple[str, ...] = (
    "Initiated",
    "Offer Generated",
    "Offer Accepted",
    "Offer Declined",
    "Cancelled",
    "Fully Settled",
    "Partially Settled",
    "Not Settled",
)

# An outbox message's status (engine/outbox/admin.py uses this list). In a scenario nothing
# is relayed: a message stays pending unless the contact policy deferred or blocked it.
MESSAGE_STATUSES: tuple[str, ...] = (
    "pending",
    "deferred",
    "sending",
    "sent",
    "in_doubt",
    "dead",
    "blocked",
    "cancelled",
)

# The statuses of a message that is to go out: what `letters`, `emails` and `sms` match
# unless an item names its `status` (scenario expectations, engine/scenario/expect.py).
OUTGOING_STATUSES: tuple[str, ...] = ("pending", "deferred", "sending", "sent", "in_doubt")
# The contact-policy rules that hold a message back (engine/domain/contact_policy.py).
CONTACT_RULES: tuple[str, ...] = ("hold", "stop_contact", "quiet_hours", "cap")

_ON = ref("date", "The simulated day it happened on.")
_COUNT = {"type": "integer", "minimum": 0, "description": "Demand exactly this many matches."}
_TO = text("Recipient: a party id or an address.")
_ACCOUNT = ref("id", "Account id.")
_STATUS = enum(
    "Outbox status (pending until relayed; deferred or blocked by the policy).", MESSAGE_STATUSES
)

_TO_GO_OUT = (
    " Only messages that are to go out ("
    + ", ".join(OUTGOING_STATUSES)
    + ") match unless the item names a status; blocked ones are expected under blocked."
)

# Fields an item of each expectation list may name (every item may also carry count).
_EXPECT_ITEMS: dict[str, tuple[str, dict[str, Schema]]] = {
    "letters": (
        "Letters queued." + _TO_GO_OUT,
        {"template": text("Template."), "to": _TO, "late": flag("Sent late."), "status": _STATUS},
    ),
    "emails": (
        "Emails queued." + _TO_GO_OUT,
        {
            "template": text("Template."),
            "to": _TO,
            "subject": text("Subject."),
            "late": flag("Late."),
            "status": _STATUS,
        },
    ),
    "sms": (
        "SMS queued." + _TO_GO_OUT,
        {"template": text("Template."), "to": _TO, "late": flag("Sent late."), "status": _STATUS},
    ),
    "webhooks": (
        "Webhook calls queued.",
        {
            "url": text("URL."),
            "body": {"type": "object", "description": "Body fields to match."},
            "status": _STATUS,
        },
    ),
    "reports": (
        "Reports rendered (the report action).",
        {
            "template": text("Template."),
            "text": text("Text the rendered report contains (case-insensitive)."),
            "late": flag("Late."),
            "status": _STATUS,
        },
    ),
    "tasks": (
        "Tasks created.",
        {
            "title": text("Title."),
            "department": text("Department."),
            "due": ref("date", "Due date."),
        },
    ),
    "notes": ("Notes added.", {"text": text("Note text.")}),
    "records": (
        "Rows recorded in data models.",
        {"model": text("Data model."), "fields": {"type": "object", "description": "Values."}},
    ),
    "fired": (
        "Triggers that fired.",
        {"trigger": ref("id", "Trigger id."), "case": ref("id", "Case id."), "late": flag("Late.")},
    ),
    "skipped": (
        "Date-trigger firings the sweep recorded as skipped (catch_up), on the day it did.",
        {
            "trigger": ref("id", "Trigger id."),
            "case": ref("id", "Case id."),
            "due": ref("date", "The due day it missed."),
            "reason": text("Why (case-insensitive substring)."),
        },
    ),
    "blocked": (
        "Contacts the contact policy blocked or deferred.",
        {
            "channel": text("Channel."),
            "template": text("Template."),
            "rule": enum("The rule that held it back.", CONTACT_RULES),
            "reason": text("Reason."),
            "to": _TO,
            "status": _STATUS,
        },
    ),
}


def _expect_item(kind: str, with_count: bool) -> Schema:
    fields = _EXPECT_ITEMS[kind][1]
    properties = fields | {"account": _ACCOUNT, "on": _ON}
    if with_count:
        properties["count"] = _COUNT
    return obj(f"One of the {kind} expected.", properties)


def _per_id(description: str, value: Schema) -> Schema:
    return {
        "type": "object",
        "description": description,
        "propertyNames": ref("id"),
        "additionalProperties": value,
    }


def _money_fields(statuses: tuple[str, ...]) -> Schema:
    return obj(
        "Fields expected.",
        {
            "status": enum("Status.", statuses),
            "received": ref("signed_money", "Received since inception or offer."),
            "remaining": ref("signed_money", "Still to pay."),
            "amount": ref("signed_money", "Amount."),
        },
    )


def _expect() -> Schema:
    lists = {
        kind: list_of(_EXPECT_ITEMS[kind][0], _expect_item(kind, True)) for kind in _EXPECT_ITEMS
    }
    not_item = obj(
        "Something that must not exist.",
        {kind: _expect_item(kind, False) for kind in _EXPECT_ITEMS},
        minProperties=1,
    )
    return obj(
        "What must be true at the end of the scenario.",
        {
            "status": _per_id("Status code by account id.", {"type": "string"}),
            "worklist": _per_id("Worklist by account id.", {"type": "string"}),
            "flags": _per_id("Flags set, by account id.", list_of("Flags.", {"type": "string"})),
            "balances": _per_id(
                "Balances by account id.",
                bucket_map("Balances.", "Balance of the bucket", ref("signed_money"), "total"),
            ),
            **lists,
            "settlements": _per_id("Settlements by id.", _money_fields(SETTLEMENT_STATUSES)),
            "offers": _per_id("Offers by id.", _money_fields(OFFER_STATUSES)),
            "case": _per_id("Case fields by case id.", {"type": "object"}),
            "follow_ups": _per_id(
                "Follow-up fields by id; 'history' is its timeline (kind, on, details).",
                {"type": "object"},
            ),
            "not": list_of("Items that must not exist.", not_item),
        },
    )


def _given() -> Schema:
    roles = list_of("Roles on every account that lists the party.", {"enum": list(ROLES)})
    party_link = {
        "description": "A party id, or {party, roles}.",
        "anyOf": [
            ref("id"),
            obj(
                "A party with its roles on this account.",
                {"party": ref("id", "Party id."), "roles": roles},
                ["party"],
            ),
        ],
    }
    address = {
        "description": "Postal address: one string, or its parts.",
        "anyOf": [
            {"type": "string"},
            obj(
                "Address parts.",
                {
                    key: text(key.replace("_", " ").capitalize() + ".")
                    for key in ("line1", "line2", "city", "state", "postal_code", "country")
                },
            ),
        ],
    }
    party = obj(
        "A party (person or business).",
        {
            "id": ref("id", "Party id, used in steps and expectations."),
            "name": text("Name."),
            "email": text("Email address.", format="email"),
            "phone": text("Phone number.", examples=["+15550100"]),
            "timezone": text("IANA time zone (quiet hours).", examples=["America/Chicago"]),
            "address": address,
            "roles": roles,
        },
        ["id"],
    )
    account = obj(
        "An account placed by a client.",
        {
            "id": ref("id", "Account id, used in steps and expectations."),
            "client": ref("id", "Client code (must exist in the config)."),
            "parties": list_of("Parties: ids, or {party, roles}.", party_link),
            "status": text("Status code."),
            "worklist": text("Worklist id."),
            "balances": bucket_map("Opening balances.", "Balance of the bucket", ref("money")),
            "placed_date": ref("date", "Placement date."),
            "next_work_date": ref("date", "Next-work date."),
            "fields": {"type": "object", "description": "Custom fields."},
            "flags": list_of("Flags set.", {"type": "string"}),
            "bundle": text("Bundle: the accounts of one consumer handled together."),
        },
        ["id", "client"],
    )
    client = obj("A client of the configuration.", {"code": ref("id", "Client code.")}, ["code"])
    return obj(
        "The starting state.",
        {
            "clients": list_of("Clients used (they must exist in the config).", client),
            "parties": list_of("Parties.", party),
            "accounts": list_of("Accounts.", account),
        },
    )


def _step() -> Schema:
    operation: Schema = {
        "title": "operation",
        "description": "A domain operation (the API's and the CLI's name).",
        "type": "string",
        "enum": list(OPERATION_NAMES),
        "enumDescriptions": list(OPERATION_HELP.values()),
    }
    return obj(
        "One step: an operation on a day, an outage, or a run of the clock.",
        {
            "on": ref("date", "The day the operation happens."),
            "do": operation,
            "with": {"type": "object", "description": "The operation's parameters."},
            "expect_error": text("The operation must be refused with a message containing this."),
            "down": obj(
                "The engine is stopped from one day and restarts on another (catch-up).",
                {"from": ref("date", "First day down."), "to": ref("date", "Restart day.")},
                ["from", "to"],
            ),
            "until": ref("date", "Run the clock day by day to this day."),
        },
        title="scenario step",
        oneOf=[{"required": ["do"]}, {"required": ["down"]}, {"required": ["until"]}],
        dependentRequired={"do": ["on"], "on": ["do"], "with": ["do"], "expect_error": ["do"]},
    )


def scenario_schema(name: str) -> Schema:
    """The JSON Schema of a scenario file (DESIGN §10)."""
    body = obj(
        "",
        {
            "version": {
                "title": "version",
                "description": "Scenario format version (default 1).",
                "enum": list(SCENARIO_VERSIONS),
            },
            "scenario": text("What the scenario shows, in one line."),
            "description": text("Longer notes."),
            "config": text("Configuration root, relative to this file.", examples=["../"]),
            "start": ref("date", "The simulated clock starts here (agency time zone)."),
            "given": _given(),
            "steps": list_of("Steps in order.", ref("scenario_step")),
            "expect": _expect(),
        },
        ["scenario", "config", "start"],
    )
    del body["description"]
    return document(
        name,
        "Docket scenario",
        "A Docket scenario: a rule test or simulation (docket test, docket simulate).",
        body,
        common_defs() | {"scenario_step": _step()},
    )


def generate() -> dict[str, Schema]:
    """Both schemas by file name, built from the catalogues."""
    return {
        CONFIG_SCHEMA: config_schema(CONFIG_SCHEMA),
        SCENARIO_SCHEMA: scenario_schema(SCENARIO_SCHEMA),
    }
