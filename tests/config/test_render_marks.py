"""A template that fails at run time is reported at its file and the line that raised."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from engine.config import load_ruleset, validate_root
from engine.config.expressions import RuleEnvironment
from engine.config.model import Mark, RuleSet, Template
from engine.config.render_marks import failure_mark
from tests.config.helpers import write_root

LETTER = """\
{# subject: Account {{ account.id }} for {{ event.data.who.name }} #}
Dear customer,

You owe {{ event.data.amount.value }}.
{% include 'footer' %}
"""
FOOTER = "Regards,\n{{ event.data.signature.name }}\n"
PATHS = """\
triggers:
  - {id: t, on: onCaseFile, run: p}
action_paths:
  - id: p
    steps:
      - send_letter: {template: letter, to: responsible}
      - add_note: "Paid {{ event.data.payment.amount }} today"
      - add_note: |
          Paid today:
          {{ event.data.payment.amount }}
"""


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    root = write_root(
        tmp_path_factory.mktemp("root"),
        {
            "rules/templates/letter.j2": LETTER,
            "rules/templates/footer.j2": FOOTER,
            "action_paths/p.yaml": PATHS,
        },
    )
    return load_ruleset(root)


def _failure(template: Template, data: dict[str, Any]) -> str:
    context = {"account": SimpleNamespace(id="A1"), "event": {"data": data}}
    with pytest.raises(Exception) as raised:
        template.render(context)
    return str(failure_mark(template, raised.value))


def test_a_template_file_fails_at_its_own_line(ruleset: RuleSet) -> None:
    assert _failure(ruleset.templates["letter"], {}) == "rules/templates/letter.j2:4:1"


def test_an_included_template_fails_in_its_own_file(ruleset: RuleSet) -> None:
    data = {"amount": {"value": "10.00"}}
    assert _failure(ruleset.templates["letter"], data) == "rules/templates/footer.j2:2:1"


def test_a_template_in_a_yaml_value_fails_at_the_value(ruleset: RuleSet) -> None:
    note = ruleset.action_paths["p"].steps[1]
    template = next(iter(note.params.values()))
    assert isinstance(template, Template)
    assert _failure(template, {}) == "action_paths/p.yaml:7:19"


def test_a_template_in_a_block_scalar_counts_lines_from_its_first_text_line(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    note = ruleset.action_paths["p"].steps[2]
    template = next(iter(note.params.values()))
    assert isinstance(template, Template)
    assert _failure(template, {}) == "action_paths/p.yaml:10:1"
    # The same lines at load time: an unknown name on the block's second line.
    root = write_root(tmp_path, {"action_paths/p.yaml": PATHS.replace("event.data", "evnt.data")})
    messages = [str(f) for f in validate_root(root).errors]
    assert messages[-1].startswith("action_paths/p.yaml:10:1: error: action path 'p': unknown name")


def test_a_subject_line_fails_at_its_line(ruleset: RuleSet) -> None:
    letter = ruleset.templates["letter"]
    padded = Template("\n\n" + letter.source, letter.mark, letter.render)
    start = padded.source.index("Account")
    subject = RuleEnvironment().from_string(padded.source[start : padded.source.index(" #}")])
    with pytest.raises(Exception) as raised:
        subject.render({"account": SimpleNamespace(id="A1"), "event": {"data": {}}})
    assert str(failure_mark(padded, raised.value, start=start)) == "rules/templates/letter.j2:3:1"


def test_an_error_outside_template_code_keeps_the_template_mark() -> None:
    template = Template("x", Mark("rules/templates/x.j2", 1, 1), lambda context: "x")
    assert failure_mark(template, ValueError("raised by no template")) == template.mark
