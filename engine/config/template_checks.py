"""What a template file holds beyond its body: its subject line and the templates it names.

Jinja skips comments, so the ``{# subject: … #}`` line the runtime renders as an email's
subject is read here and checked like any template; ``{% include %}``, ``{% extends %}`` and
``{% import %}`` of a template the root does not hold would fail only when a message is
rendered, so they are findings at load.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from jinja2 import nodes

from engine.config.errors import did_you_mean
from engine.config.expression_checks import Issue, all_nodes

# The runtime reads the same line (engine/runtime/actions/messages.py, and the follow-up
# emails of engine/domain/operations/follow_ups/email.py): ``{# subject: Notice … #}``.
SUBJECT_LINE = re.compile(r"\s*\{#\s*subject:\s*(.*?)\s*#\}")


@dataclass(frozen=True, slots=True)
class SubjectLine:
    """The template text of a subject line and where it starts in its file (1-based)."""

    text: str
    line: int
    col: int


def subject_line(source: str) -> SubjectLine | None:
    """The subject line a template starts with, if any."""
    found = SUBJECT_LINE.match(source)
    if found is None:
        return None
    start = found.start(1)
    line = source.count("\n", 0, start) + 1
    col = start - (source.rfind("\n", 0, start) + 1) + 1
    return SubjectLine(found.group(1), line, col)


_NAMING: dict[type[nodes.Node], str] = {
    nodes.Include: "includes",
    nodes.Extends: "extends",
    nodes.Import: "imports",
    nodes.FromImport: "imports",
}


def missing_templates(root: nodes.Node, known: Collection[str]) -> list[Issue]:
    """Templates named by include/extends/import that the root does not hold."""
    issues: list[Issue] = []
    for node in all_nodes(root):
        verb = _NAMING.get(type(node))
        if verb is None or getattr(node, "ignore_missing", False):
            continue
        target = node.template  # type: ignore[attr-defined]
        if not isinstance(target, nodes.Const) or not isinstance(target.value, str):
            continue  # computed when it renders: nothing to check now
        name = target.value
        if name in known:
            continue
        same_form = sorted(k for k in known if k.endswith(".j2") == name.endswith(".j2"))
        issues.append(
            (node.lineno, f"{verb} unknown template '{name}'{did_you_mean(name, same_form)}")
        )
    return issues


_HTML_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


def is_html_template(name: str, source: str) -> bool:
    """A template file is HTML (autoescaped) when named ``*.html[.j2]`` or writing a tag itself."""
    outside_jinja = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", source, flags=re.DOTALL)
    return name.removesuffix(".j2").endswith(".html") or bool(_HTML_TAG.search(outside_jinja))
