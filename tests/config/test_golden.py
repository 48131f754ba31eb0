"""Golden invalid configurations: each folder holds one admin mistake and the exact output.

Set DOCKET_UPDATE_GOLDEN=1 to rewrite the expected.txt files after a deliberate change of
wording (then review the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli.main import _register, cli
from tests.config.helpers import write_root

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "expected.txt").exists())
UPDATE = os.environ.get("DOCKET_UPDATE_GOLDEN") == "1"

_register()


def _validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.stdout


def test_there_are_enough_golden_mistakes() -> None:
    assert len(CASES) >= 45


def _invalid(expected: list[str]) -> bool:
    """The summary line says it: a golden mistake is an error, or a warning that `docket
    validate` lets pass (an unset ${VARIABLE}: run, reload and publish refuse it)."""
    return " — invalid: " in expected[-1]


@pytest.mark.parametrize("case", CASES)
def test_validate_reports_the_mistake_exactly(case: str) -> None:
    root = GOLDEN / case
    code, output = _validate(str(root))
    expected = root / "expected.txt"
    if UPDATE:
        expected.write_text(output, encoding="utf-8")
    lines = expected.read_text(encoding="utf-8").splitlines()
    assert output.splitlines() == lines
    assert code == (1 if _invalid(lines) else 0)


@pytest.mark.parametrize("case", CASES)
def test_validate_json_carries_the_same_findings(case: str) -> None:
    root = GOLDEN / case
    code, output = _validate(str(root), "--json")
    payload = json.loads(output)
    invalid = _invalid((root / "expected.txt").read_text(encoding="utf-8").splitlines())
    assert code == (1 if invalid else 0)
    assert payload["valid"] is not invalid
    assert len(payload["hash"]) == 64
    lines = [
        f"{f['file']}:{f['line']}:{f['col']}: {f['severity']}: {f['message']}"
        for f in payload["findings"]
    ]
    expected = (root / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert lines == expected[:-1]
    assert {f["stage"] for f in payload["findings"]} <= {
        "yaml",
        "schema",
        "references",
        "expressions",
        "durations",
        "graph",
        "connectors",
    }


def test_unsafe_yaml_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    root = write_root(
        tmp_path / "root",
        {
            "rules/triggers.yaml": f"""\
                triggers:
                  - id: t
                    on: onCaseFile
                    run: !!python/object/apply:os.system ["touch {marker}"]
            """
        },
    )
    code, output = _validate(str(root))
    assert code == 1
    assert "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed" in output
    assert not marker.exists()


def test_a_folder_without_rules_is_a_usage_error(tmp_path: Path) -> None:
    code, _ = _validate(str(tmp_path))
    assert code == 2
    code, _ = _validate(str(tmp_path / "missing"))
    assert code == 2
