"""Building blocks shared by the config and scenario JSON Schemas (see ``schemagen``).

Every reusable definition carries a ``title``: the schema stage (``engine/config/schema.py``)
reads it to phrase its messages ("'offset' is not a duration…"), and editors show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from engine.config.model import BUCKETS

Schema = dict[str, Any]

SCHEMA_BASE = "https://docket.example/schemas/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
# The longest id the store keeps (its id columns), and client code (``clients.code``); the
# domain's id rule (``engine.domain.ids``) applies both to every id it is given.
ID_MAX = 64
CLIENT_CODE_MAX = 40
MONEY_PATTERN = r"^\d+(\.\d{1,2})?$"
SIGNED_MONEY_PATTERN = r"^-?\d+(\.\d{1,2})?$"
# 0 to 100 with optional decimals: a string percentage is bounded by its pattern.
PERCENT_PATTERN = r"^(100(\.0+)?|\d{1,2}(\.\d+)?)$"
RATE_PATTERN = r"^\d{1,3}(\.\d+)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
TIME_PATTERN = r"^([01]?\d|2[0-3]):[0-5]\d$"


def _case_insensitive(pattern: str) -> str:
    # ECMA-262 patterns (editors, check-jsonschema) have no inline (?i) flag.
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped or not char.isalpha():
            out.append(char)
        else:
            out.append(f"[{char.lower()}{char.upper()}]")
        escaped = char == "\\" and not escaped
    return "".join(out)


# Mirrors engine/config/durations.py: [+|-]N days|business days|bdays|weeks (any case).
DURATION_PATTERN = _case_insensitive(
    r"^\s*[+-]?\s*\d{1,5}\s*(business\s+days?|bdays?|days?|d|weeks?|w)\s*$"
)


def ref(name: str, description: str | None = None) -> Schema:
    """A ``$ref`` to a shared definition, with the description editors show at this place."""
    schema: Schema = {"$ref": f"#/$defs/{name}"}
    if description:
        schema["description"] = description
    return schema


def text(description: str, **more: Any) -> Schema:
    """A string property."""
    return {"type": "string", "description": description, **more}


def flag(description: str) -> Schema:
    """A boolean property."""
    return {"type": "boolean", "description": description}


def enum(description: str, values: Sequence[str | int], **more: Any) -> Schema:
    """A property limited to ``values``."""
    return {"description": description, "enum": list(values), **more}


def list_of(description: str, items: Schema, **more: Any) -> Schema:
    """An array property."""
    return {"type": "array", "description": description, "items": items, **more}


def obj(
    description: str,
    properties: dict[str, Schema],
    required: Iterable[str] = (),
    *,
    extra: bool = False,
    **more: Any,
) -> Schema:
    """An object; unknown keys are refused unless ``extra``, so a misspelt key is caught."""
    schema: Schema = {"type": "object", "description": description, "properties": properties}
    required = list(required)
    if required:
        schema["required"] = required
    schema["additionalProperties"] = extra
    schema.update(more)
    return schema


def bucket_map(description: str, each: str, value: Schema, *extra_keys: str) -> Schema:
    """An object keyed by balance bucket (plus ``extra_keys``); ``each`` names one value."""
    keys = (*BUCKETS, *extra_keys)
    return obj(description, {key: {**value, "description": f"{each}: {key}."} for key in keys})


def common_defs() -> dict[str, Schema]:
    """Definitions both schemas use: ids, money, percentages, dates, durations, buckets."""
    return {
        "id": {
            "title": "identifier",
            "description": "An identifier: letters, digits, '-', '_' or '.'; no spaces.",
            "type": "string",
            "pattern": ID_PATTERN,
            "examples": ["court-reminder", "LEGAL", "ACME"],
        },
        "money": {
            "title": "money",
            "description": 'An amount of money: a string like "5.00" (preferred) or a number.',
            "type": ["string", "number"],
            "pattern": MONEY_PATTERN,
            "minimum": 0,
            "examples": ["5.00", "1200.00"],
        },
        "signed_money": {
            "title": "money",
            "description": 'An amount of money, possibly negative: "-12.50", "0.00".',
            "type": ["string", "number"],
            "pattern": SIGNED_MONEY_PATTERN,
            "examples": ["0.00", "1187.50"],
        },
        "percentage": {
            "title": "percentage",
            "description": 'A percentage from 0 to 100: a number or a string like "12.5".',
            "type": ["number", "string"],
            "minimum": 0,
            "maximum": 100,
            "pattern": PERCENT_PATTERN,
            "examples": [60, "12.5"],
        },
        "rate": {
            "title": "rate",
            "description": 'A yearly rate as an entered percentage: "9.0" means 9 %.',
            "type": ["number", "string"],
            "minimum": 0,
            "pattern": RATE_PATTERN,
            "examples": ["9.0"],
        },
        "date": {
            "title": "date",
            "description": "A date, YYYY-MM-DD.",
            "type": "string",
            "format": "date",
            "pattern": DATE_PATTERN,
            "examples": ["2026-05-01"],
        },
        "time": {
            "title": "time",
            "description": 'A local time, "HH:MM" in 24-hour form; quote it in YAML.',
            "type": "string",
            "pattern": TIME_PATTERN,
            "examples": ["21:00", "08:00"],
        },
        "duration": {
            "title": "duration",
            "description": (
                "An offset or duration: [+|-]N days, business days or weeks "
                "(a bare number is days). Business days follow the agency calendar."
            ),
            "type": ["string", "integer"],
            "pattern": DURATION_PATTERN,
            "examples": ["-3 business days", "+2 days", "10 days", "2 weeks"],
        },
        "bucket": {
            "title": "bucket",
            "description": "A balance bucket.",
            "type": "string",
            "enum": list(BUCKETS),
        },
    }


def document(name: str, title: str, description: str, body: Schema, defs: Schema) -> Schema:
    """The top of a schema file: dialect, ``$id``, title, then ``body`` and ``$defs``."""
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_BASE + name,
        "title": title,
        "description": description,
        **body,
        "$defs": defs,
    }
