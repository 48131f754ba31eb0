"""Reading a root: discovery, the fast schema pre-check, and the YAML stage's speed path."""

from __future__ import annotations

from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from engine.config.loader import discover, schema_stage, template_name
from engine.config.schema import load_schema, validator
from engine.config.schemagen import CONFIG_SCHEMA
from engine.config.yamlload import _Loader, load_text
from tests.config.helpers import REPO, write_root

GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"


def _config_files() -> list[Path]:
    files: list[Path] = []
    for root in [REPO, *sorted(GOLDEN.iterdir()), *sorted(FIXTURES.glob("*"))]:
        if (root / "rules").is_dir():
            files.extend(discover(root)[0])
    return files


FILES = _config_files()


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_the_fast_validity_check_agrees_with_jsonschema(path: Path) -> None:
    loaded = load_text(path.read_text(encoding="utf-8"), path.name)
    if loaded.data is None:
        return  # a YAML error: no schema stage
    fast = jsonschema_rs.Draft202012Validator(load_schema(CONFIG_SCHEMA), validate_formats=True)
    assert fast.is_valid(loaded.data) == validator(CONFIG_SCHEMA).is_valid(loaded.data)


def test_the_schema_stage_still_words_errors_itself() -> None:
    stage = schema_stage()
    assert stage is not None
    loaded = load_text("triggers:\n  - {id: t, on: onCaseFiel, run: p}\n", "rules/t.yaml")
    assert [f.message for f in stage(loaded)] == [
        "'on' in trigger 't' is not a known trigger event: 'onCaseFiel' "
        "(did you mean 'onCaseFile'?)"
    ]
    assert stage(load_text("triggers:\n  - {id: t, on: onCaseFile, run: p}\n", "x")) == []


def test_discovery_finds_yaml_at_any_depth_and_names_templates(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/a/b/deep.yml": "{}\n",
            "action_paths/x/y.yaml": "{}\n",
            "rules/templates/letters/final.j2": "x\n",
            "rules/notes.txt": "not config\n",
        },
        codes=False,
    )
    yaml_files, templates = discover(root)
    assert [p.relative_to(root).as_posix() for p in yaml_files] == [
        "action_paths/x/y.yaml",
        "rules/a/b/deep.yml",
    ]
    assert [template_name(p, root) for p in templates] == ["letters/final"]


def test_the_fast_yaml_path_builds_the_same_data_as_the_safe_loader() -> None:
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        loaded = load_text(text, path.name)
        if loaded.data is not None:
            assert loaded.data == (yaml.load(text, Loader=_Loader) or {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1, *x]\n", "a YAML alias here refers to a node that contains it"),
        (
            "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
            + "".join(
                f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
                for p, n in zip("abcde", "bcdef", strict=True)
            )
            + "g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
            "YAML aliases expand to more than 200,000 values",
        ),
        ("a: " + "[" * 3000 + "]" * 3000 + "\n", "values are nested more than 100 levels deep"),
    ],
    ids=["recursive-alias", "billion-laughs", "deep-nesting"],
)
def test_hostile_yaml_is_a_finding_not_a_crash(text: str, message: str) -> None:
    loaded = load_text(text, "rules/x.yaml")
    assert loaded.data is None
    assert [f.message for f in loaded.findings] == [message]


def test_plain_aliases_still_load() -> None:
    loaded = load_text("a: &x {k: 1}\nb: *x\n", "rules/x.yaml")
    assert loaded.findings == []
    assert loaded.data == {"a": {"k": 1}, "b": {"k": 1}}
