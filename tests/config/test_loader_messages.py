"""The YAML stage's messages: where a problem starts, encodings, limits, and no cascades."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import validate_root
from engine.config.yaml_messages import MAX_FILE_BYTES
from engine.config.yamlload import MAX_VALUES, load_bytes, load_text
from tests.config.helpers import write_root


def _first(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    loaded = load_bytes(data, "rules/x.yaml")
    assert loaded.data is None
    return str(loaded.findings[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'worklists:\n  - {id: A, label: "Alpha}\n  - {id: B, label: Beta}\n',
            "rules/x.yaml:2:20: error: YAML syntax error: the quoted text that starts here "
            "is never closed (the file ends at line 4)",
        ),
        (
            "worklists:\n  - id: A\n    label: 'Alpha\n  - id: B\n",
            "rules/x.yaml:3:12: error: YAML syntax error: the quoted text that starts here "
            "is never closed (the file ends at line 5)",
        ),
        (
            "triggers:\n  - id: t\n    on onCaseFile\n    run: p\n",
            "rules/x.yaml:3:5: error: YAML syntax error: could not find the ':' that should "
            "follow this key (looked up to line 4)",
        ),
        (
            "worklists: [A, B\nlabel: x\n",
            "rules/x.yaml:1:12: error: YAML syntax error: the '[' opened here is never closed "
            "(expected ',' or ']', but got ':' at line 2)",
        ),
        (
            "worklists:\n  - {id: A, label: B\n  - {id: C}\n",
            "rules/x.yaml:2:5: error: YAML syntax error: the '{' opened here is never closed "
            "(expected ',' or '}', but got '{' at line 3)",
        ),
        (
            "worklists: {id: A: B}\n",
            "rules/x.yaml:1:18: error: YAML syntax error: expected ',' or '}', but got ':'",
        ),
        (
            "worklists:\n\t- {id: A}\n",
            "rules/x.yaml:2:1: error: YAML syntax error: found a tab character: YAML is "
            "indented with spaces, never tabs",
        ),
        (
            "triggers:\n  - id: t\n   on: x\n",
            "rules/x.yaml:3:4: error: YAML syntax error: expected <block end>, but found "
            "'<block mapping start>' (check the indentation)",
        ),
        (
            "worklists:\n  - {id: A, label: B\x07eta}\n",
            "rules/x.yaml:2:21: error: YAML syntax error: character U+0007 is not allowed "
            "(a control character)",
        ),
        (
            "worklists: *nothing\n",
            "rules/x.yaml:1:12: error: YAML syntax error: found undefined alias 'nothing'",
        ),
    ],
    ids=[
        "unclosed-double-quote",
        "unclosed-single-quote",
        "missing-colon",
        "unclosed-bracket",
        "unclosed-brace",
        "same-line-flow-error",
        "tab",
        "indentation",
        "control-character",
        "undefined-alias",
    ],
)
def test_a_syntax_error_is_reported_where_the_problem_starts(text: str, expected: str) -> None:
    assert _first(text) == expected


def test_a_byte_that_is_not_utf8_is_placed_by_line_and_column() -> None:
    text = "worklists:\n  - {id: CAFE, label: Caf\u00e9}\n".encode("cp1252")
    assert _first(text) == (
        "rules/x.yaml:2:26: error: not UTF-8 text: byte 0xe9 ('\u00e9' in Windows-1252) "
        "cannot be read; save the file as UTF-8"
    )


def test_a_utf16_file_is_named_for_what_it_is() -> None:
    text = "worklists: []\n".encode("utf-16")
    assert _first(text) == "rules/x.yaml:1:1: error: the file is UTF-16 text: save it as UTF-8"


def test_a_file_over_the_size_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    big = "worklists:\n" + "  - {id: W, label: A worklist with a long label}\n" * 40_000
    root = write_root(tmp_path, {"rules/big.yaml": big})
    result = validate_root(root)
    assert [str(f) for f in result.errors] == [
        "rules/big.yaml:1:1: error: the file is 2.0 MB; a configuration file may hold at "
        "most 1.0 MB: split it into several files"
    ]
    assert len(big) > MAX_FILE_BYTES


def test_a_large_list_without_aliases_is_not_called_an_alias_bomb() -> None:
    text = "worklists: [" + ",".join(["1"] * (MAX_VALUES + 10)) + "]\n"
    assert _first(text) == (
        "rules/x.yaml:1:400007: error: more than 200,000 values in one file: split it into several"
    )


def test_an_alias_bomb_is_refused_where_it_grows_too_large() -> None:
    lines = ["a: &a [x,x,x,x,x,x,x,x,x,x]"]
    lines += [
        f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]" for p, n in zip("abcde", "bcdef", strict=True)
    ]
    lines += ["g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]"]
    assert _first("\n".join(lines) + "\n") == (
        "rules/x.yaml:6:4: error: YAML aliases expand to more than 200,000 values"
    )


def test_an_alias_that_nests_a_structure_too_deep_is_refused() -> None:
    deep = "[" * 60 + "]" * 60
    text = f"a: &a {deep}\nb: {'[' * 50}*a{']' * 50}\n"
    assert _first(text).endswith("values are nested more than 100 levels deep")


@pytest.mark.parametrize("depth", [150, 1_500, 200_000])
def test_deep_nesting_is_reported_where_it_passes_the_limit(depth: int) -> None:
    text = "a: " + "[" * depth + "]" * depth + "\n"
    assert _first(text) == "rules/x.yaml:1:104: error: values are nested more than 100 levels deep"


def test_deep_block_nesting_is_reported_at_its_line() -> None:
    text = "".join(" " * level + f"k{level}:\n" for level in range(300))
    assert _first(text) == (
        "rules/x.yaml:101:101: error: values are nested more than 100 levels deep"
    )


def test_aliases_within_the_limits_still_load() -> None:
    loaded = load_text("a: &x [1, 2]\nb: [*x, *x]\n", "rules/x.yaml")
    assert loaded.findings == []
    assert loaded.data == {"a": [1, 2], "b": [[1, 2], [1, 2]]}


# --- no cascades from a file that did not load ----------------------------------------------

WORKLISTS = """\
worklists:
  - {id: NEW-BUSINESS, label: New business}
  - {id: SUMMONS, label: Summons requested}
  - {id: DISPUTES, label: Disputes}
"""
PATHS = """\
triggers:
  - {id: placed, on: onAfterAccountInsert, run: placed}
  - {id: disputed, on: onDispute, run: disputed}
action_paths:
  - id: placed
    steps:
      - move_worklist: {to: NEW-BUSINESS}
      - move_worklist: {to: SUMMONS}
  - id: disputed
    steps:
      - move_worklist: {to: DISPUTES}
      - send_letter: {template: notice, to: responsible}
"""


def _root(tmp_path: Path, worklists: bytes) -> Path:
    root = write_root(
        tmp_path,
        {
            "action_paths/paths.yaml": PATHS,
            "rules/templates/notice.j2": "Dear {{ party.name }}\n",
            "rules/codes.yaml": "status_codes:\n  - {code: NEW, label: New}\n",
        },
        codes=False,
    )
    (root / "rules" / "worklists.yaml").write_bytes(worklists)
    return root


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            WORKLISTS.replace("  - {id: SUMMONS", "\t- {id: SUMMONS").encode(),
            "rules/worklists.yaml:3:1: error: YAML syntax error: found a tab character",
        ),
        (
            WORKLISTS.replace("Summons requested", '"Summons requested').encode(),
            "rules/worklists.yaml:3:26: error: YAML syntax error: the quoted text",
        ),
        (
            WORKLISTS.replace("Summons", "Citaci\u00f3n").encode("cp1252"),
            "rules/worklists.yaml:3:32: error: not UTF-8 text: byte 0xf3",
        ),
        (
            (
                WORKLISTS + "  - {id: PAD, label: padding padding padding padding}\n" * 20_000
            ).encode(),
            "rules/worklists.yaml:1:1: error: the file is 1.1 MB",
        ),
    ],
    ids=["tab", "unclosed-quote", "not-utf8", "too-large"],
)
def test_a_broken_file_gives_one_error_not_a_cascade(
    tmp_path: Path, broken: bytes, expected: str
) -> None:
    assert validate_root(_root(tmp_path, WORKLISTS.encode())).valid
    errors = [str(f) for f in validate_root(_root(tmp_path, broken)).errors]
    assert len(errors) == 1, errors
    assert errors[0].startswith(expected)


def test_names_of_sections_a_broken_file_does_not_declare_are_still_checked(
    tmp_path: Path,
) -> None:
    root = _root(tmp_path, b"agency: {name: 'Northwind\n")
    errors = [f.message for f in validate_root(root).errors]
    assert errors[-1].startswith("YAML syntax error: the quoted text")  # rules/ sorts last
    assert "action path 'placed': unknown worklist 'NEW-BUSINESS'" in errors


def test_a_template_that_is_not_utf8_is_one_error(tmp_path: Path) -> None:
    root = _root(tmp_path, WORKLISTS.encode())
    (root / "rules" / "templates" / "notice.j2").write_bytes(
        "Se\u00f1or {{ party.name }}\n".encode("cp1252")
    )
    assert [str(f) for f in validate_root(root).errors] == [
        "rules/templates/notice.j2:1:3: error: not UTF-8 text: byte 0xf1 ('\u00f1' in "
        "Windows-1252) cannot be read; save the file as UTF-8"
    ]
