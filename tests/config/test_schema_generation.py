"""The generated JSON Schemas: committed files equal the generator, and they follow the code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from engine.config import catalogue, steps
from engine.config.catalogue import OPERATION_NAMES as OPERATIONS
from engine.config.durations import DurationError, parse_duration
from engine.config.model import BUCKETS
from engine.config.schema import load_schema, schema_dir, validate_config_file, validator
from engine.config.schemagen import CONFIG_SCHEMA, SCENARIO_SCHEMA, SCHEMA_NAMES, generate
from engine.config.schemagen_automation import ACTION_PARAMS
from engine.config.schemagen_defs import DURATION_PATTERN
from engine.config.yamlload import load_text
from engine.outbox.admin import STATUSES

REPO = Path(__file__).resolve().parents[2]


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_committed_schema_equals_generated(name: str) -> None:
    committed = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
    assert committed == generate()[name], (
        f"schemas/{name} is stale: run `docket schema --out schemas`"
    )


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_committed_schema_is_pretty_printed(name: str) -> None:
    text = (REPO / "schemas" / name).read_text(encoding="utf-8")
    assert text == json.dumps(generate()[name], indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = generate()[name]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://docket.example/schemas/{name}"


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_property_has_a_description(name: str) -> None:
    missing = [
        f"{path}/{key}"
        for path, node in _walk(generate()[name])
        if path.endswith("/properties") and isinstance(node, dict)
        for key, prop in node.items()
        if "description" not in prop
    ]
    assert missing == []


def test_trigger_names_come_from_the_event_catalogue() -> None:
    event = generate()[CONFIG_SCHEMA]["$defs"]["event"]
    assert event["enum"] == list(catalogue.EVENT_NAMES)
    assert event["enumDescriptions"] == [spec.description for spec in catalogue.EVENTS]


def test_every_builtin_action_is_a_step_property_with_its_parameters() -> None:
    step = generate()[CONFIG_SCHEMA]["$defs"]["step"]
    for name in steps.ACTION_NAMES:
        assert name in step["properties"], name
    assert set(ACTION_PARAMS) == set(steps.ACTION_NAMES)
    for spec in steps.BUILTIN_ACTIONS:
        named = {*spec.required, *spec.refs, *spec.durations}
        if spec.shorthand:
            named.add(spec.shorthand)
        assert named <= set(ACTION_PARAMS[spec.name]), spec.name


def test_action_shorthand_and_object_forms() -> None:
    props = generate()[CONFIG_SCHEMA]["$defs"]["step"]["properties"]
    assert props["set_status"]["anyOf"][0]["type"] == "string"
    assert props["set_status"]["anyOf"][1]["required"] == ["code"]
    assert props["set_field"]["type"] == "object"  # no shorthand: only the object form
    assert props["move_worklist"]["anyOf"][1]["properties"]["next_work"]["$ref"] == (
        "#/$defs/duration"
    )


def test_buckets_channels_and_operations_come_from_code() -> None:
    config = generate()[CONFIG_SCHEMA]["$defs"]
    assert config["bucket"]["enum"] == list(BUCKETS)
    assert config["channel"]["enum"] == list(steps.CHANNELS)
    scenario = generate()[SCENARIO_SCHEMA]["$defs"]["scenario_step"]
    assert scenario["properties"]["do"]["enum"] == list(OPERATIONS)
    for operation in ("approve_settlement", "attach_follow_up", "email_follow_up"):
        assert operation in OPERATIONS
    for operation in ("reassign_follow_up", "upload_case_document", "post_payment"):
        assert operation in OPERATIONS


def test_message_expectations_take_the_outbox_statuses_and_reports_are_a_list() -> None:
    expect = generate()[SCENARIO_SCHEMA]["properties"]["expect"]["properties"]
    for kind in ("letters", "emails", "sms", "webhooks", "reports", "blocked"):
        item = expect[kind]["items"]["properties"]
        assert item["status"]["enum"] == list(STATUSES), kind
    assert set(expect["reports"]["items"]["properties"]) >= {"template", "text", "on", "count"}


@pytest.mark.parametrize(
    "text",
    [
        "-3 business days",
        "+1 business day",
        "2 Business Days",
        "10 days",
        "+2 days",
        "1 day",
        "3d",
        "2 weeks",
        "1w",
        "5 bdays",
        " 4 days ",
        "3 bizdays",
        "three days",
        "3 months",
        "-",
        "",
        "123456 days",
    ],
)
def test_duration_pattern_accepts_what_parse_duration_accepts(text: str) -> None:
    try:
        parse_duration(text)
        parses = True
    except DurationError:
        parses = False
    assert bool(re.search(DURATION_PATTERN, text)) == parses


def test_schema_files_are_found_and_validators_cached() -> None:
    folder = schema_dir()
    assert (folder / CONFIG_SCHEMA).is_file()
    assert load_schema(SCENARIO_SCHEMA) == generate()[SCENARIO_SCHEMA]
    assert validator(CONFIG_SCHEMA) is validator(CONFIG_SCHEMA)
    with pytest.raises(ValueError, match="unknown schema"):
        load_schema("nope.json")


def test_design_example_file_validates() -> None:
    root = REPO / "tests" / "config" / "fixtures" / "valid"
    for path in sorted(root.rglob("*.yaml")):
        if "scenarios" in path.parts:
            continue
        loaded = load_text(path.read_text(encoding="utf-8"), path.name)
        assert loaded.findings == []
        assert validate_config_file(loaded) == [], path
