"""Validation stage 1: check each loaded YAML file against Docket's JSON Schemas.

Every jsonschema error becomes one ``Finding`` at the file:line:col of the node it is about
(an unknown key points at the key itself), worded for admins: the object is named by its id,
choices are listed, a misspelt key or name gets a "did you mean".
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from engine.config.errors import Finding
from engine.config.schema_messages import Located, describe, is_required_choice
from engine.config.schemagen import CONFIG_SCHEMA, SCENARIO_SCHEMA, SCHEMA_NAMES
from engine.config.yamlload import LoadedFile

_COMBINATORS = ("anyOf", "oneOf")


def schema_dir() -> Traversable:
    """The folder holding the schema files: the wheel's copy, else the repository's."""
    packaged = resources.files("engine") / "_data" / "schemas"
    if packaged.is_dir():
        return packaged
    # An editable install or a checkout: schemas/ sits next to the engine package.
    return Path(__file__).resolve().parents[2] / "schemas"


def load_schema(name: str) -> dict[str, Any]:
    """One of ``SCHEMA_NAMES``, read from ``schema_dir()``."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}; expected one of {', '.join(SCHEMA_NAMES)}")
    schema: dict[str, Any] = json.loads((schema_dir() / name).read_text(encoding="utf-8"))
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    """A cached validator for one schema; formats (dates, emails) are checked too."""
    schema = load_schema(name)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_config_file(loaded: LoadedFile) -> list[Finding]:
    """Schema findings for one configuration file (empty when it conforms)."""
    return _validate(loaded, CONFIG_SCHEMA)


def validate_scenario_file(loaded: LoadedFile) -> list[Finding]:
    """Schema findings for one scenario file; an unknown format version is the only finding."""
    findings = _validate(loaded, SCENARIO_SCHEMA)
    version = [f for f in findings if "scenario format version" in f.message]
    return version or findings


def _validate(loaded: LoadedFile, name: str) -> list[Finding]:
    if loaded.data is None:  # the YAML stage already reported why
        return []
    checker = validator(name)
    defs = checker.schema.get("$defs", {})
    located = [
        where
        for error in checker.iter_errors(loaded.data)
        for leaf in _leaves(error)
        for where in describe(leaf, loaded.data, name == SCENARIO_SCHEMA, defs)
    ]
    # A misspelt required key is one problem: keep "unknown key 'templte' (did you mean
    # 'template'?)" and drop "missing required key 'template'" for the same object.
    meant = {w.about for w in located if w.about and w.path[-1:] == ("__key__",)}
    seen: set[tuple[str, int, int, str]] = set()
    findings: list[Finding] = []
    for where in located:
        if where.about in meant and where.path[-1:] != ("__key__",):
            continue
        finding = _finding(loaded, where)
        if finding.sort_key() not in seen:
            seen.add(finding.sort_key())
            findings.append(finding)
    return sorted(findings, key=Finding.sort_key)


def _finding(loaded: LoadedFile, where: Located) -> Finding:
    return Finding(where.message, loaded.mark(where.path), stage="schema")


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors that explain ``error``: inside anyOf/oneOf, only the branch the value fits."""
    if error.validator not in _COMBINATORS or not error.context:
        yield error
        return
    if is_required_choice(error):
        yield error  # "needs one of 'do', 'down' or 'until'" reads better than any branch
        return
    branches: dict[int, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[int(sub.relative_schema_path[0])].append(sub)
    # A branch whose type the value does not have is not what the admin meant.
    fitting = {
        index: subs
        for index, subs in branches.items()
        if not any(sub.validator == "type" and not sub.relative_path for sub in subs)
    }
    if not fitting:
        yield error  # described as "must be X or Y (got …)"
        return
    if len(fitting) > 1:
        best = best_match(sub for subs in fitting.values() for sub in subs)
        assert best is not None
        while best.parent is not None and best.parent is not error:
            best = best.parent
        fitting = {0: branches[int(best.relative_schema_path[0])]}
    for sub in next(iter(fitting.values())):
        yield from _leaves(sub)
