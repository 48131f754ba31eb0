"""Turn one jsonschema error into admin-facing messages with the JSON path they are about.

Phrasing: the failing value is named by its key relative to the object that owns it, and the
object by its id (``'offset' in trigger 'court-reminder'``); steps and list items without an
id by their 1-based position. The schema's ``title`` on shared definitions (duration, money,
percentage, date, time…) selects the wording and the example given.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonschema.exceptions import ValidationError

from engine.config.catalogue import CASE_DATE_FIELDS
from engine.config.errors import did_you_mean
from engine.config.schemagen_config import SECTIONS
from engine.config.schemagen_defs import Schema
from engine.config.yamlload import PathKey

# How a list item is called, by the key of its list.
_NOUNS = {
    "triggers": "trigger",
    "action_paths": "action path",
    "status_codes": "status code",
    "worklists": "worklist",
    "clients": "client",
    "spreaders": "spreader",
    "connectors": "connector",
    "caps": "cap",
    "changes": "rate change",
    "steps": "step",
    "parties": "party",
    "accounts": "account",
}
# Top-level mappings that are objects in their own right.
_SECTION_OWNERS = {"agency": "agency", "contact_policy": "contact policy", "expect": "expect"}
_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}
# Wording by the ``title`` of the failing definition: what it is, and an example to copy.
_FORMS = {
    "duration": ("a duration", "'-3 business days'"),
    "money": ("an amount of money", '"5.00"'),
    "percentage": ("a percentage", '40 or "12.5"'),
    "rate": ("a rate", '"9.0"'),
    "date": ("a date", "2026-05-01"),
    "time": ("a time", '"21:00"'),
    "identifier": ("an identifier", "'court-reminder' (letters, digits, '-', '_', '.')"),
    "country code": ("a country code", "US"),
    "date field": ("a date field", "case.court_date or account.next_work_date"),
    "condition": ("a condition", "'account.balance >= 500' or {any: [...]}"),
    "trigger event": ("a trigger event", "onCaseFile"),
}


@dataclass(frozen=True, slots=True)
class Located:
    """A message and the JSON path (``__key__`` last for a key) its mark is taken from."""

    path: PathKey
    message: str
    # For "unknown key" / "missing required key": the object's path and the key meant, so a
    # misspelt required key is reported once (as unknown, with its suggestion).
    about: tuple[PathKey, str] | None = None


def is_required_choice(error: ValidationError) -> bool:
    """True for ``oneOf: [{required: [a]}, {required: [b]}…]``: a choice of keys."""
    branches = error.schema.get(error.validator) if isinstance(error.schema, dict) else None
    return isinstance(branches, list) and all(
        isinstance(b, dict) and set(b) == {"required"} for b in branches
    )


def _got(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def _node(data: Any, path: PathKey) -> Any:
    for seg in path:
        try:
            data = data[seg]
        except (KeyError, IndexError, TypeError):
            return None
    return data


class _Names:
    """Owner and label of a JSON path: ``('triggers', 2, 'offset')`` -> trigger 'x', 'offset'."""

    def __init__(self, data: Any, path: PathKey, scenario: bool) -> None:
        self.top = "the scenario" if scenario else ""
        self.owner = self.top
        start = 0  # where the path below the current owner begins
        node = data
        for index, seg in enumerate(path):
            node = _node(node, (seg,))
            list_key = path[index - 1] if index else None
            if isinstance(seg, int) and isinstance(node, dict) and isinstance(list_key, str):
                self.owner = self._item(list_key, seg, node, path[start:index])
                start = index + 1
            elif index == 0 and isinstance(seg, str) and seg in _SECTION_OWNERS:
                self.owner = _SECTION_OWNERS[seg]
                start = 1
        self.rel: PathKey = path[start:]

    def _item(self, list_key: str, index: int, item: dict[str, Any], between: PathKey) -> str:
        of = f" of {self.owner}" if self.owner and self.owner != self.top else ""
        if list_key in ("then", "else") and self.owner.startswith("step "):
            head, sep, tail = self.owner.partition(" of ")
            return f"{head}.{list_key}.{index + 1}{sep}{tail}"
        if list_key == "steps":
            action = f" ({item['do']})" if isinstance(item.get("do"), str) else ""
            return f"step {index + 1}{action}{of}"
        noun = _NOUNS.get(list_key)
        ident = item.get("id", item.get("code"))
        if noun and isinstance(ident, str | int) and not isinstance(ident, bool) and ident != "":
            return f"{noun} '{ident}'"
        name = f"{noun} {index + 1}" if noun else f"{_quote(between)} item {index + 1}"
        return name + of

    def label(self) -> str:
        return _quote(self.rel)

    def subject(self) -> str:
        """The failing node: ``'offset' in trigger 'x'``, or the owner itself."""
        if not self.rel:
            return self.owner or "the file"
        return f"{self.label()} in {self.owner}" if self.owner else self.label()

    def container(self) -> str:
        """The object a key belongs to: ``trigger 'x'`` or ``'settlement' of client 'A'``."""
        if not self.rel:
            return self.owner or "the file"
        return f"{self.label()} of {self.owner}" if self.owner else self.label()


def _quote(rel: Sequence[str | int]) -> str:
    words: list[str] = []
    keys: list[str] = []
    for seg in rel:
        if isinstance(seg, int):
            if keys:
                words.append("'" + ".".join(keys) + "'")
                keys = []
            words.append(f"item {seg + 1}")
        else:
            keys.append(seg)
    if keys:
        words.append("'" + ".".join(keys) + "'")
    return " ".join(words)


def _kinds(schema: Any, defs: Mapping[str, Any]) -> str:
    """How a schema (or a list of anyOf branches) reads in "must be …"."""
    if isinstance(schema, list):
        parts: list[str] = []
        for branch in schema:
            for part in _kinds(branch, defs).split(" or "):
                if part not in parts:
                    parts.append(part)
        return " or ".join(parts)
    if not isinstance(schema, dict):
        return "something else"
    target = schema.get("$ref", "")
    if isinstance(target, str) and target.startswith("#/$defs/"):
        return _kinds(defs.get(target.removeprefix("#/$defs/"), {}), defs)
    if schema.get("title") in _FORMS:
        return _FORMS[schema["title"]][0]
    if "anyOf" in schema:
        return _kinds(schema["anyOf"], defs)
    if "enum" in schema:
        return "one of " + ", ".join(str(choice) for choice in schema["enum"])
    declared = schema.get("type", "a value")
    types: list[str] = declared if isinstance(declared, list) else [declared]
    return " or ".join(_TYPES.get(t, t) for t in types)


def describe(
    error: ValidationError, data: Any, scenario: bool, defs: Mapping[str, Any]
) -> list[Located]:
    """Messages for one leaf error of the schema stage; ``defs`` are the schema's ``$defs``."""
    path: PathKey = tuple(error.absolute_path)
    names = _Names(data, path, scenario)
    kind = error.validator
    schema: Schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    if kind == "additionalProperties":
        known = list(schema.get("properties", {}))
        top = not path and not scenario
        return [
            Located(
                (*path, str(key), "__key__"),
                f"unknown {'section' if top else 'key'} '{key}'"
                + ("" if top else f" in {names.container()}")
                + _suggest(str(key), SECTIONS if top else known),
                (path, _closest(str(key), known)),
            )
            for key in value
            if key not in known
        ]
    if kind == "required":
        return [
            Located(path, f"missing required key '{key}' in {names.container()}", (path, key))
            for key in schema.get("required", [])
            if isinstance(value, dict) and key not in value
        ]
    if kind == "dependentRequired":
        choice = [b["required"][0] for b in schema.get("oneOf", []) if set(b) == {"required"}]
        if choice and not any(key in value for key in choice):
            return []  # "needs one of 'do', 'down' or 'until'" says it already
        return [
            Located(
                (*path, key, "__key__"),
                f"'{key}' in {names.container()} needs " + " and ".join(f"'{m}'" for m in missing),
            )
            for key, needs in schema.get("dependentRequired", {}).items()
            if key in value and (missing := [n for n in needs if n not in value])
        ]
    if kind in ("anyOf", "oneOf"):
        return [Located(path, _choice(error, names, value, defs))]
    return [Located(path, _value_message(error, names, schema, value, defs))]


def _suggest(key: str, known: Sequence[str]) -> str:
    """A "did you mean", else the keys allowed when they are few enough to list."""
    hint = did_you_mean(key, known)
    if hint or not 0 < len(known) <= 6:
        return hint
    return (
        " (expected " + ", ".join(known[:-1]) + (" or " if len(known) > 1 else "") + f"{known[-1]})"
    )


def _closest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return close[0] if close else ""


def _choice(error: ValidationError, names: _Names, value: Any, defs: Mapping[str, Any]) -> str:
    if is_required_choice(error):
        keys = [branch["required"][0] for branch in error.schema[error.validator]]
        options = ", ".join(f"'{k}'" for k in keys[:-1]) + f" or '{keys[-1]}'"
        present = [k for k in keys if k in value]
        if not present:
            return f"{names.subject()} needs one of {options}"
        both = " and ".join(f"'{k}'" for k in present)
        return f"{names.subject()} must have only one of {options} (has {both})"
    title = error.schema.get("title")
    if title in _FORMS:
        what, example = _FORMS[title]
        return f"{names.subject()} is not {what}: {_got(value)}; write e.g. {example}"
    kinds = _kinds(error.schema[error.validator], defs)
    return f"{names.subject()} must be {kinds} (got {_got(value)})"


def _value_message(
    error: ValidationError, names: _Names, schema: Schema, value: Any, defs: Mapping[str, Any]
) -> str:
    kind = error.validator
    title = schema.get("title")
    subject = names.subject()
    if kind in ("enum", "const") and title == "version":
        return f"unsupported scenario format version {_got(value)} (this Docket reads version 1)"
    if kind == "enum":
        choices = [str(c) for c in schema["enum"]]
        hint = did_you_mean(str(value), choices) if isinstance(value, str) else ""
        if len(choices) > 8:
            what = title or "value"
            return f"{subject} is not a known {what}: {_got(value)}{hint}"
        return f"{subject} must be one of {', '.join(choices)} (got {_got(value)}){hint}"
    if kind == "type":
        return _type_message(subject, schema, value, defs)
    if title == "percentage" and kind in ("pattern", "minimum", "maximum"):
        return _percentage_message(names, value)
    negative = isinstance(value, str) and value.startswith("-") and kind == "pattern"
    if title in ("money", "rate") and (kind == "minimum" or negative):
        return f"{subject} must not be negative (got {_got(value)})"
    if title == "date field" and isinstance(value, str):
        hint = did_you_mean(value, [f"case.{f}" for f in CASE_DATE_FIELDS])
        return f"{subject} must be case.<date field> or account.<field> (got {value!r}){hint}"
    if value == "" and kind == "pattern":
        return f"{subject} must not be empty"
    if title in _FORMS and kind in ("pattern", "format"):
        what, example = _FORMS[title]
        return f"{subject} is not {what}: {_got(value)}; write e.g. {example}"
    if kind == "format" and schema.get("format") == "email":
        return f"{subject} is not an email address: {_got(value)}"
    if kind in ("minItems", "minLength", "minProperties") and schema.get(kind) == 1:
        if title == "step":
            return f"{subject} is empty: write an action, if/then, wait, run or stop"
        return f"{subject} must not be empty"
    if kind == "maxProperties" and "any" in schema.get("properties", {}):
        return f"{subject} must have exactly one of any, all, not"
    if kind == "uniqueItems" and isinstance(value, list):
        twice = next((v for i, v in enumerate(value) if v in value[:i]), None)
        return f"{subject} lists {_got(twice)} twice"
    if kind in ("minimum", "maximum"):
        word = "at least" if kind == "minimum" else "at most"
        return f"{subject} must be {word} {schema[kind]} (got {_got(value)})"
    return f"{subject}: {error.message}"


def _type_message(subject: str, schema: Schema, value: Any, defs: Mapping[str, Any]) -> str:
    title = schema.get("title")
    if title == "time" and isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 21:00 as the base-60 number 1260.
        hours, minutes = divmod(value, 60)
        return f'{subject} is not a time: quote it, write "{hours:02d}:{minutes:02d}"'
    if title in _FORMS:
        what, example = _FORMS[title]
        return f"{subject} is not {what}: {_got(value)}; write e.g. {example}"
    return f"{subject} must be {_kinds(schema, defs)} (got {_got(value)})"


def _percentage_message(names: _Names, value: Any) -> str:
    label = names.rel[-1] if names.rel and isinstance(names.rel[-1], str) else ""
    name = f"percentage '{label}'" if label else names.label()
    where = f" in {names.owner}" if names.owner else ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return f'{name}{where} is not a percentage: {_got(value)}; write e.g. 40 or "12.5"'
    if not number.is_finite() or not 0 <= number <= 100:
        return f"{name}{where} must be between 0 and 100 (got {_got(value)})"
    return f'{name}{where} is not a percentage: {_got(value)}; write e.g. 40 or "12.5"'
