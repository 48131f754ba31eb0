"""Find, read and merge the files of a configuration root.

Stages here: YAML (every file, marks kept), schema (per file, through ``schema.py``), and the
merge of every file's sections into one set of items whose ids are unique across the root.
An item the schema rejected is kept out of the later stages — one bad trigger is reported
once, not again by every check that would trip over its shape — but its id still counts as
defined, so nothing that names it is reported as a dangling reference.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from engine.config.errors import Finding
from engine.config.model import Mark
from engine.config.yaml_messages import MAX_FILE_BYTES, decode, too_large
from engine.config.yamlload import LoadedFile, PathKey, load_bytes

RULE_FOLDERS: tuple[str, ...] = ("rules", "action_paths")
TEMPLATE_FOLDER = "rules/templates"
YAML_SUFFIXES: tuple[str, ...] = (".yaml", ".yml")

# List sections and the key that names their items.
LIST_SECTIONS: dict[str, str] = {
    "status_codes": "code",
    "worklists": "id",
    "triggers": "id",
    "action_paths": "id",
    "clients": "code",
    "spreaders": "id",
    "connectors": "id",
}
SINGLE_SECTIONS: tuple[str, ...] = ("agency", "contact_policy")
# How a duplicate is named: "duplicate action path id 'x'".
ID_LABELS: dict[str, str] = {
    "status_codes": "status code",
    "worklists": "worklist id",
    "triggers": "trigger id",
    "action_paths": "action path id",
    "clients": "client code",
    "spreaders": "spreader id",
    "connectors": "connector id",
}


@dataclass(frozen=True, slots=True)
class Node:
    """A value read from YAML together with where it was written."""

    file: LoadedFile
    path: PathKey
    value: Any

    @property
    def mark(self) -> Mark:
        return self.file.mark(self.path)

    @property
    def key_mark(self) -> Mark:
        """Where this node's key was written (for a misspelt or misplaced key)."""
        return self.file.marks.get((*self.path, "__key__")) or self.mark

    def get(self, key: str) -> Node | None:
        if isinstance(self.value, dict) and key in self.value:
            return Node(self.file, (*self.path, key), self.value[key])
        return None

    def items(self) -> Iterator[Node]:
        """The elements of a list node."""
        if isinstance(self.value, list):
            for index, item in enumerate(self.value):
                yield Node(self.file, (*self.path, index), item)

    def entries(self) -> Iterator[tuple[str, Node]]:
        """The key/value pairs of a mapping node."""
        if isinstance(self.value, dict):
            for key, item in self.value.items():
                yield str(key), Node(self.file, (*self.path, str(key)), item)


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a section (a trigger, a path, the agency…), usable if its schema passed."""

    section: str
    node: Node
    key: str | None
    usable: bool


@dataclass(slots=True)
class Sources:
    """Everything read from a configuration root."""

    root: Path
    files: list[LoadedFile] = field(default_factory=list)
    templates: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (rel, text)
    digest: str = ""
    read: int = 0  # files read, YAML and templates
    findings: list[Finding] = field(default_factory=list)
    unusable: dict[str, set[PathKey]] = field(default_factory=dict)  # rel -> rejected units
    # List sections a file that did not load may define: a name of theirs that is not found
    # is not reported (the file's own error is the one to fix, not 26 "unknown worklist").
    unread_sections: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Merged:
    """The sections of every file, merged: items in file order, ids unique."""

    sections: dict[str, list[Item]] = field(default_factory=dict)
    singles: dict[str, Item] = field(default_factory=dict)
    known: dict[str, set[str]] = field(default_factory=dict)  # ids, rejected items included
    unread: set[str] = field(default_factory=set)  # sections whose ids are not all known
    findings: list[Finding] = field(default_factory=list)


def discover(root: Path) -> tuple[list[Path], list[Path]]:
    """The YAML files below rules/ and action_paths/, and the templates, sorted by path."""
    yaml_files: list[Path] = []
    for folder in RULE_FOLDERS:
        base = root / folder
        if base.is_dir():
            yaml_files.extend(
                p for p in base.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()
            )
    templates_dir = root / TEMPLATE_FOLDER
    templates = (
        [p for p in templates_dir.rglob("*.j2") if p.is_file()] if templates_dir.is_dir() else []
    )
    return sorted(yaml_files, key=lambda p: p.as_posix()), sorted(
        templates, key=lambda p: p.as_posix()
    )


def template_name(path: Path, root: Path) -> str:
    """``rules/templates/letters/final.j2`` is named ``letters/final``."""
    return path.relative_to(root / TEMPLATE_FOLDER).with_suffix("").as_posix()


SchemaStage = Callable[[LoadedFile], list[Finding]]


@cache
def schema_stage() -> SchemaStage | None:
    """Stage 1, per file: ``schema.validate_config_file``, behind a compiled validity check.

    jsonschema (pure Python) takes about a second for a 4,000-rule configuration;
    jsonschema-rs answers "valid?" for the same files in about 10 ms. A file it finds valid
    has no schema findings; any other file (or any doubt) goes to ``validate_config_file``,
    which words the errors — so the messages never depend on the fast validator.
    """
    try:
        from engine.config.schema import load_schema, validate_config_file
        from engine.config.schemagen import CONFIG_SCHEMA
    except ImportError:  # pragma: no cover - only while the schema stage is being written
        return None
    is_valid = _fast_validity(load_schema(CONFIG_SCHEMA))

    def stage(loaded: LoadedFile) -> list[Finding]:
        if is_valid is not None:
            try:
                if is_valid(loaded.data):
                    return []
            except Exception:  # e.g. a value JSON cannot hold: let jsonschema judge it
                pass
        return validate_config_file(loaded)

    return stage


def _fast_validity(schema: dict[str, Any]) -> Callable[[Any], bool] | None:
    try:
        import jsonschema_rs
    except ImportError:  # optional: everything still works, only slower
        return None
    try:
        checker = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    except Exception:  # a schema feature it does not support: use jsonschema alone
        return None
    is_valid: Callable[[Any], bool] = checker.is_valid
    return is_valid


def _unit(path: PathKey) -> PathKey:
    """The item a node belongs to: (section, index) in a list section, else (section,)."""
    if not path:
        return ()
    if path[0] in LIST_SECTIONS and len(path) >= 2 and isinstance(path[1], int):
        return path[:2]
    return path[:1]


def _rejected_units(loaded: LoadedFile, findings: list[Finding]) -> set[PathKey]:
    by_place: dict[tuple[int, int], PathKey] = {}
    for path, mark in loaded.marks.items():
        unit = _unit(path)
        place = (mark.line, mark.col)
        if len(unit) >= len(by_place.get(place, ())):
            by_place[place] = unit
    return {by_place.get((f.mark.line, f.mark.col), ()) for f in findings}


def read_sources(root: Path) -> Sources:
    """Stages yaml and schema: read every file, keep marks, validate each against the schema."""
    sources = Sources(root)
    yaml_files, template_files = discover(root)
    digest = hashlib.sha256()
    blobs: list[tuple[str, bytes]] = []
    validate = schema_stage()
    for path in yaml_files:
        rel = path.relative_to(root).as_posix()
        data = _read(path, rel, sources, blobs)
        if data is None:
            sources.unread_sections.update(LIST_SECTIONS)
            continue
        loaded = load_bytes(data, rel)
        sources.findings.extend(loaded.findings)
        if loaded.findings or loaded.data is None:
            sources.unread_sections.update(declared_sections(data))
            continue
        sources.files.append(loaded)
        if not isinstance(loaded.data, dict):
            sources.findings.append(
                Finding(
                    "a rule file is a mapping of sections (agency, triggers, action_paths, …)",
                    loaded.mark(()),
                    stage="schema",
                )
            )
            sources.unusable[rel] = {()}
            continue
        if validate is not None:
            schema_findings = validate(loaded)
            sources.findings.extend(schema_findings)
            if schema_findings:
                sources.unusable[rel] = _rejected_units(loaded, schema_findings)
    for path in template_files:
        rel = path.relative_to(root).as_posix()
        data = _read(path, rel, sources, blobs)
        if data is None:
            sources.templates[template_name(path, root)] = (rel, "")
            continue
        # Not UTF-8: reported once; the text (with replacement characters) is kept, so the
        # steps and includes that name the template are not reported as well.
        text, undecodable = decode(data, rel)
        if undecodable is not None:
            sources.findings.append(undecodable)
        sources.templates[template_name(path, root)] = (rel, text)
    # Sorted (path, bytes) pairs, length-prefixed: the same files give the same hash anywhere.
    for rel, data in sorted(blobs):
        digest.update(rel.encode("utf-8") + b"\0" + len(data).to_bytes(8, "big") + data)
    sources.digest = digest.hexdigest()
    sources.read = len(blobs)
    return sources


def _read(path: Path, rel: str, sources: Sources, blobs: list[tuple[str, bytes]]) -> bytes | None:
    """A file's bytes, or None (with a finding) when it is too large to read at all."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        sources.findings.append(too_large(size, rel))
        blobs.append((rel, f"{size} bytes, not read".encode()))
        return None
    data = path.read_bytes()
    blobs.append((rel, data))
    return data


# A section's name written as a key, anywhere (a broken file's structure cannot be trusted).
_SECTION_KEY = re.compile(rb"(?<![\w-])['\"]?([a-z_]+)['\"]?[ \t]*:")


def declared_sections(data: bytes) -> set[str]:
    """The list sections a file that did not load seems to declare; every list section when
    it names none (nor a single section): a file too broken to tell, another encoding."""
    found = {m.group(1).decode() for m in _SECTION_KEY.finditer(data)}
    if not found & (LIST_SECTIONS.keys() | set(SINGLE_SECTIONS)):
        return set(LIST_SECTIONS)
    return found & LIST_SECTIONS.keys()


def _usable(sources: Sources, loaded: LoadedFile, unit: PathKey) -> bool:
    rejected = sources.unusable.get(loaded.rel)
    if not rejected:
        return True
    return () not in rejected and unit[:1] not in rejected and unit not in rejected


def merge(sources: Sources) -> Merged:
    """Merge the sections of every file; a duplicate id or second singleton names both places."""
    merged = Merged()
    merged.sections = {name: [] for name in LIST_SECTIONS}
    merged.known = {name: set() for name in LIST_SECTIONS}
    merged.unread = set(sources.unread_sections)
    first_seen: dict[tuple[str, str], Mark] = {}
    for loaded in sources.files:
        if not isinstance(loaded.data, dict):
            continue
        top = Node(loaded, (), loaded.data)
        for name, section in top.entries():
            if name in SINGLE_SECTIONS:
                item = Item(name, section, None, _usable(sources, loaded, (name,)))
                earlier = merged.singles.get(name)
                if earlier is not None:
                    merged.findings.append(
                        Finding(
                            f"duplicate '{name}' section (also defined at "
                            f"{earlier.node.key_mark}): a root holds one",
                            section.key_mark,
                            stage="references",
                        )
                    )
                    continue
                merged.singles[name] = item
            elif name in LIST_SECTIONS:
                _merge_list(sources, merged, name, section, first_seen)
    return merged


def _merge_list(
    sources: Sources,
    merged: Merged,
    name: str,
    section: Node,
    first_seen: dict[tuple[str, str], Mark],
) -> None:
    usable_section = _usable(sources, section.file, (name,))
    if not isinstance(section.value, list):
        if usable_section and section.value is not None:
            merged.findings.append(Finding(f"'{name}' must be a list", section.mark))
        if section.value is not None:
            merged.unread.add(name)  # its ids are somewhere in a shape not read
        return
    id_key = LIST_SECTIONS[name]
    for node in section.items():
        usable = usable_section and _usable(sources, section.file, node.path)
        id_node = node.get(id_key)
        key = id_node.value if id_node is not None and isinstance(id_node.value, str) else None
        if not key:
            if usable:
                what = ID_LABELS[name].split()[-1]
                merged.findings.append(
                    Finding(f"{name[:-1].replace('_', ' ')} without {what}", node.mark)
                )
            continue
        assert id_node is not None
        merged.known[name].add(key)
        earlier = first_seen.get((name, key))
        if earlier is not None:
            merged.findings.append(
                Finding(
                    f"duplicate {ID_LABELS[name]} '{key}' (also defined at {earlier})",
                    id_node.mark,
                    stage="references",
                )
            )
            continue
        first_seen[(name, key)] = id_node.mark
        merged.sections[name].append(Item(name, node, key, usable))
