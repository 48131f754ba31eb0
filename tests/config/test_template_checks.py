"""Templates name other templates and carry a subject line: both are checked when the
configuration loads (the golden fixtures hold the plain mistakes; these pin the edges)."""

from __future__ import annotations

from pathlib import Path

from engine.config import validate_root
from tests.config.helpers import write_root

TRIGGER = "triggers:\n  - {id: t, on: onCaseFile, run: p}\n"
PATH = "action_paths:\n  - id: p\n    steps:\n      - send_letter: {step}\n"


def _root(tmp_path: Path, template: str, step: str = "{template: notice, to: defendants}") -> Path:
    return write_root(
        tmp_path,
        {
            "rules/t.yaml": TRIGGER,
            "action_paths/p.yaml": PATH.format(step=step),
            "rules/templates/notice.j2": template,
            "rules/templates/parts/footer.j2": "Northwind Recovery\n",
        },
    )


def _messages(root: Path) -> list[str]:
    return [str(f) for f in validate_root(root).findings]


def test_includes_by_name_with_or_without_the_suffix_are_found(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        "Dear {{ party.name }}\n{% include 'parts/footer' %}\n{% include 'parts/footer.j2' %}\n",
    )
    assert _messages(root) == []


def test_a_computed_or_optional_include_is_left_to_render_time(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        "{% include 'parts/' ~ case.court %}\n{% include 'parts/letterhead' ignore missing %}\n",
    )
    assert _messages(root) == []


def test_an_inline_step_template_is_checked_too(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        "Dear {{ party.name }}\n",
        step="{template: notice, to: defendants}\n"
        "      - add_note: \"{% include 'parts/fotter' %}\"",
    )
    assert _messages(root) == [
        "action_paths/p.yaml:5:19: error: action path 'p': includes unknown template "
        "'parts/fotter' (did you mean 'parts/footer'?)"
    ]


def test_a_subject_line_on_a_later_line_is_not_a_subject(tmp_path: Path) -> None:
    # The runtime reads only the first line as the subject; a comment further down is text.
    root = _root(tmp_path, "Dear {{ party.name }}\n{# subject: {{ nobody }} #}\n")
    assert _messages(root) == []


def test_a_subject_line_may_name_the_recipient_and_use_filters(tmp_path: Path) -> None:
    root = _root(
        tmp_path, "{# subject: {{ party.name }} owes {{ account.balance | money }} #}\nBody\n"
    )
    assert _messages(root) == []
