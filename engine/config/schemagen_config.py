"""The configuration schema (``docket-config.schema.json``), generated from the catalogues.

This module holds the reference sections (agency, status codes, worklists, clients and their
settlement rules, spreaders, contact policy, connectors) and assembles them with the automation
sections of ``schemagen_automation`` (triggers, action paths, steps, conditions). Buckets come
from ``model.BUCKETS`` and channels from ``steps.CHANNELS``: nothing here is typed twice.
"""

from __future__ import annotations

from engine.config import catalogue, steps
from engine.config.calendar import WEEKDAYS
from engine.config.schemagen_automation import (
    action_path_schema,
    condition_schema,
    step_schema,
    trigger_schema,
)
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
            "limits": {
                "type": "object",
                "additionalProperties": False,
                "description": "What one template render or expression evaluation may spend;"
                " going over fails the step with a clear error.",
                "properties": {
                    "render_ms": {
                        "type": "integer",
                        "minimum": 10,
                        "maximum": 60000,
                        "description": "Time per render or evaluation, in ms (default 2000).",
                    },
                    "output_bytes": {
                        "type": "integer",
                        "minimum": 1000,
                        "maximum": 100000000,
                        "description": "Largest text or value a render, an expression or"
                        " set_field may produce, in characters (default 1000000).",
                    },
                },
            },
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
        "triggers": list_of("Triggers: events or dates that start action paths.", trigger_schema()),
        "action_paths": list_of("Action paths: ordered steps.", action_path_schema()),
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
        "condition": condition_schema(),
        "step": step_schema(),
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
