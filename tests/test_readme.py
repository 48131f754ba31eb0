"""The README's Python API example runs as written on the sample agency."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import REPO


def _python_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API") :]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None, "the README's Python API section has no python block"
    return found.group(1)


def test_the_python_api_example_places_an_account_and_records_the_dispute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("rules", "action_paths"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(_python_example(), "README.md", "exec"), {})
    assert "'failed'" not in printed.getvalue() and "'rejected'" not in printed.getvalue()
    store = create_engine(f"sqlite:///{tmp_path / 'docket.db'}")
    with store.connect() as connection:
        statuses = set(connection.scalars(text("select status from inbox")))
        holds = connection.scalar(text("select holds from accounts where id = 'A1'"))
    store.dispose()
    assert statuses == {"processed"}
    assert "dispute" in str(holds)
