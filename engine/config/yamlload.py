"""Safe YAML loading that remembers where every node was written.

Only YAML's standard scalar, sequence and mapping tags are accepted: a tag that would construct
an object (``!!python/object/apply:os.system``) is a finding, and nothing from the file is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.config.errors import Finding
from engine.config.model import Mark
from engine.config.yaml_messages import MAX_FILE_BYTES, decode, syntax_finding, too_large

PathKey = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as ISO strings, so JSON Schema sees what the admin wrote."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag
        not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# YAML 1.2 booleans only (as editors and check-jsonschema read them): under YAML 1.1 the
# trigger key ``on:`` would load as ``True`` and ``yes``/``off`` would turn into booleans.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
# YAML 1.2 integers: no base-60, so an unquoted ``21:00`` stays the string an admin meant.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)

# libyaml composes nodes about ten times faster; it resolves tags with the same (Python)
# resolver table. Its error texts are terser, so a file that fails is re-read by _Loader.
_FastLoader: type[Any] = _Loader
if hasattr(yaml, "CSafeLoader"):

    class _CLoader(yaml.CSafeLoader):
        pass

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _FastLoader = _CLoader

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(slots=True)
class LoadedFile:
    """Plain data from one YAML file plus the mark of every node, keyed by its JSON path."""

    rel: str
    data: Any
    marks: dict[PathKey, Mark] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def mark(self, path: PathKey) -> Mark:
        """The mark of the node at ``path``, or of its closest ancestor that has one."""
        while path:
            found = self.marks.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return self.marks.get((), Mark(self.rel, 1, 1))


def _mark(rel: str, node: yaml.Node) -> Mark:
    return Mark(rel, node.start_mark.line + 1, node.start_mark.column + 1)


_MAX_DEPTH = 100  # rule files nest a dozen levels; deeper is a mistake or an attack
MAX_VALUES = 200_000  # per file, aliases expanded; 1 MB of rules holds about 100,000


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _refuse(root: yaml.Node) -> tuple[yaml.Node, str] | None:
    """The first node that cannot be loaded safely, and why: an object tag, an alias to its
    own ancestor, or a structure too deep or (through aliases) too large.

    Each distinct node is visited once, its expanded size and height kept: an alias to a
    counted node adds its counts without walking it again, so a "billion laughs" file costs
    as much as its own few lines."""
    size: dict[int, int] = {}  # values below a node and itself, aliases expanded
    height: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, leaving = stack.pop()
        key = id(node)
        if leaving:
            on_path.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(child)] for child in children)
            height[key] = 1 + max((height[id(child)] for child in children), default=0)
            if size[key] > MAX_VALUES:
                return node, f"YAML aliases expand to more than {MAX_VALUES:,} values"
            continue
        if key in on_path:
            return node, "a YAML alias here refers to a node that contains it"
        if key in size:  # an alias to a node counted already: its counts are known
            if depth + height[key] - 1 > _MAX_DEPTH:
                return node, f"values are nested more than {_MAX_DEPTH} levels deep"
            continue
        if depth > _MAX_DEPTH:
            return node, f"values are nested more than {_MAX_DEPTH} levels deep"
        if node.tag not in _SAFE_TAGS:
            return node, (
                f"YAML tag '{node.tag}' is not allowed: only plain YAML values are accepted"
            )
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in reversed(_children(node)))
    return None


def _value_mark(rel: str, node: yaml.Node) -> Mark:
    # A block scalar's text starts on the line after its '|' or '>': an expression or template
    # written there counts its lines from that line (at load time and at run time).
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        return Mark(rel, node.start_mark.line + 2, 1)
    return _mark(rel, node)


def _build(
    rel: str, node: yaml.Node, path: PathKey, marks: dict[PathKey, Mark], scalars: _Loader
) -> Any:
    """Plain data from a checked node tree, recording every node's mark on the way."""
    marks[path] = _value_mark(rel, node)
    if isinstance(node, yaml.MappingNode):
        data: dict[Any, Any] = {}
        for key, value in node.value:
            name = str(key.value)
            child = (*path, name)
            data[_scalar(key, scalars)] = _build(rel, value, child, marks, scalars)
            # The key's own position is where an admin looks for a misspelt key.
            marks[(*child, "__key__")] = _mark(rel, key)
        return data
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(rel, item, (*path, index), marks, scalars)
            for index, item in enumerate(node.value)
        ]
    return _scalar(node, scalars)


def _scalar(node: yaml.Node, scalars: _Loader) -> Any:
    if node.tag == "tag:yaml.org,2002:str" and isinstance(node, yaml.ScalarNode):
        return node.value
    return scalars.construct_object(node)


def _duplicate_keys(rel: str, node: yaml.Node, findings: list[Finding]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    first = _mark(rel, seen[key.value])
                    findings.append(
                        Finding(
                            f"duplicate key '{key.value}' (first written at line {first.line})",
                            _mark(rel, key),
                            stage="yaml",
                        )
                    )
                seen[key.value] = key
            _duplicate_keys(rel, value, findings)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _duplicate_keys(rel, item, findings)


def _measure(text: str, rel: str, loader: type[Any] = _FastLoader) -> Finding | None:
    """Read the parser's events (no nodes built) up to the first one that makes the file too
    deep or too large; None when neither (a syntax error is left to the loader's report)."""
    depth = values = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            values += 1
            if depth > _MAX_DEPTH:
                message = f"values are nested more than {_MAX_DEPTH} levels deep"
            elif values > MAX_VALUES:
                message = f"more than {MAX_VALUES:,} values in one file: split it into several"
            else:
                depth += isinstance(event, yaml.CollectionStartEvent)
                continue
            where = event.start_mark
            mark = Mark(rel, where.line + 1, where.column + 1) if where else Mark(rel, 1, 1)
            return Finding(message, mark, stage="yaml")
    except yaml.YAMLError as exc:
        # libyaml stops at 1,000 open brackets, before its events reach the limit here;
        # PyYAML's parser has no such stop (and looks ahead only a line): measure with it.
        if "nesting depth" in str(exc) and loader is _FastLoader:
            return _measure(text, rel, _Loader)
        return None
    return None


def _compose(text: str, rel: str) -> yaml.Node | Finding | None:
    """The node tree of ``text`` (None when empty), or the finding that stopped it."""
    # Fewer characters cannot hold more values: only a large file is measured first.
    if len(text) > MAX_VALUES and (refused := _measure(text, rel)) is not None:
        return refused
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_FastLoader)
        return node
    except yaml.YAMLError:
        pass
    # PyYAML recurses once per level and words errors better: measure, then let it explain.
    refused = _measure(text, rel)
    if refused is not None:
        return refused
    try:
        node = yaml.compose(text, Loader=_Loader)
        return node
    except yaml.YAMLError as exc:
        return syntax_finding(exc, text, rel)
    except RecursionError:
        message = f"values are nested more than {_MAX_DEPTH} levels deep"
        return Finding(message, Mark(rel, 1, 1), stage="yaml")


def load_text(text: str, rel: str) -> LoadedFile:
    """Parse YAML text; syntax errors and unsafe tags become findings, never exceptions."""
    result = LoadedFile(rel, None)
    node = _compose(text, rel)
    if isinstance(node, Finding):
        result.findings.append(node)
        return result
    if node is None:
        result.data = {}
        result.marks[()] = Mark(rel, 1, 1)
        return result
    refused = _refuse(node)
    if refused is not None:
        bad, why = refused
        result.findings.append(Finding(why, _mark(rel, bad), stage="yaml"))
        return result
    _duplicate_keys(rel, node, result.findings)
    if result.findings:
        return result
    result.data = _build(rel, node, (), result.marks, _Loader(""))
    return result


def load_bytes(data: bytes, rel: str) -> LoadedFile:
    """Load a file's bytes: too large or not UTF-8 is a finding, like a syntax error."""
    if len(data) > MAX_FILE_BYTES:
        return LoadedFile(rel, None, findings=[too_large(len(data), rel)])
    text, undecodable = decode(data, rel)
    if undecodable is not None:
        return LoadedFile(rel, None, findings=[undecodable])
    return load_text(text, rel)


def load_file(path: Path, root: Path) -> LoadedFile:
    """Load one file; ``rel`` is its path relative to the configuration root."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return LoadedFile(rel, None, findings=[too_large(size, rel)])
        data = path.read_bytes()
    except OSError as exc:
        loaded = LoadedFile(rel, None)
        loaded.findings.append(Finding(f"cannot read file: {exc}", Mark(rel, 1, 1), stage="yaml"))
        return loaded
    return load_bytes(data, rel)
