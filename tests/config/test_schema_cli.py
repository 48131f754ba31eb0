"""``docket schema``: lists the schema names, or writes freshly generated files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main as cli_main
from engine.config.schemagen import SCHEMA_NAMES, generate

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> tuple[int, str]:
    cli_main._register()
    result = CliRunner().invoke(cli_main.cli, ["schema", *args])
    return result.exit_code, result.output


def test_schema_lists_the_schema_names() -> None:
    code, output = _run()
    assert code == 0
    assert output.splitlines() == list(SCHEMA_NAMES)


def test_schema_out_writes_both_files_like_the_committed_ones(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "schemas"
    code, output = _run("--out", str(out))
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(SCHEMA_NAMES)
    for name in SCHEMA_NAMES:
        written = (out / name).read_text(encoding="utf-8")
        assert json.loads(written) == generate()[name]
        assert written == (REPO / "schemas" / name).read_text(encoding="utf-8")
        assert f"wrote {out / name}" in output
