"""The committed schemas work in third-party tooling: ``check-jsonschema`` (as in editors/CI).

check-jsonschema reads YAML 1.2 with ruamel.yaml and keeps dates as strings (its loader maps
the timestamp tag to str), which is how Docket's own loader reads them too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.config.schema import validate_config_file, validate_scenario_file
from engine.config.yamlload import load_text

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "config" / "fixtures" / "valid"
CONFIG_SCHEMA = REPO / "schemas" / "docket-config.schema.json"
SCENARIO_SCHEMA = REPO / "schemas" / "docket-scenario.schema.json"


def _yaml_files(*folders: Path) -> list[Path]:
    return sorted(
        path
        for folder in folders
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.suffix in (".yaml", ".yml") and path.is_file()
    )


def check_jsonschema(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_sample_agency_and_fixture_configs_pass_check_jsonschema() -> None:
    sample = _yaml_files(REPO / "rules", REPO / "action_paths")
    fixtures = _yaml_files(FIXTURES / "rules", FIXTURES / "action_paths")
    assert fixtures, "the valid fixture configuration is missing"
    result = check_jsonschema(CONFIG_SCHEMA, *sample, *fixtures)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_scenario_fixture_passes_check_jsonschema() -> None:
    scenarios = _yaml_files(FIXTURES / "scenarios")
    assert scenarios
    result = check_jsonschema(SCENARIO_SCHEMA, *scenarios)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_jsonschema_reads_yaml_dates_as_strings(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("scenario: s\nconfig: ../\nstart: 2026-05-01\n", encoding="utf-8")
    assert check_jsonschema(SCENARIO_SCHEMA, good).returncode == 0
    # Not a calendar day: the string passes the pattern and fails the date format check.
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: s\nconfig: ../\nstart: 2026-02-30\n", encoding="utf-8")
    result = check_jsonschema(SCENARIO_SCHEMA, bad)
    assert result.returncode == 1
    assert "$.start" in result.stdout
    loaded = load_text(bad.read_text(encoding="utf-8"), "bad.yaml")
    assert [f.message for f in validate_scenario_file(loaded)] == [
        "'start' in the scenario is not a date: '2026-02-30'; write e.g. 2026-05-01"
    ]


def test_check_jsonschema_and_docket_reject_the_same_config(tmp_path: Path) -> None:
    text = "triggers:\n  - id: t\n    on: onCaseFile\n    run: p\n    ofset: 1 day\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = check_jsonschema(CONFIG_SCHEMA, bad)
    assert result.returncode == 1
    assert "'ofset' was unexpected" in result.stdout
    (finding,) = validate_config_file(load_text(text, "bad.yaml"))
    assert finding.message == "unknown key 'ofset' in trigger 't' (did you mean 'offset'?)"
