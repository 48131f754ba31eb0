"""The adversarial corpus: broken configurations an attacker or a careless admin writes.

Each case under ``adversarial/cases/NNN-name/`` holds files laid over a copy of the valid
root ``adversarial/base/`` (a file of the same path replaces the base's), optionally a
``generate.json`` for a file too large to keep in the repository (``head``, ``repeat`` ×
``times``, ``tail``), and ``expected.txt``: the first error's ``file:line:col: fragment``,
then optionally ``errors: N`` (one error unless it says so: a mistake is reported once,
never as a cascade). ``docket validate`` runs in process on every case: exit 1, that error
first, no traceback, and each case within the issue's bounds (5 s, 300 MB).
"""

from __future__ import annotations

import json
import shutil
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.cli.main import _register, cli

HERE = Path(__file__).parent / "adversarial"
BASE = HERE / "base"
CASES = sorted(p.name for p in (HERE / "cases").iterdir() if (p / "expected.txt").exists())
SECONDS = 5.0
MEGABYTES = 300

_register()


@dataclass(frozen=True, slots=True)
class Expected:
    place: str  # file:line:col
    fragment: str
    errors: int

    @classmethod
    def read(cls, path: Path) -> Expected:
        first, *rest = path.read_text(encoding="utf-8").splitlines()
        file, line, col, fragment = first.split(":", 3)
        errors = int(rest[0].removeprefix("errors:")) if rest else 1
        return cls(f"{file}:{line}:{col}", fragment.strip(), errors)


def _generate(spec: dict[str, object], root: Path) -> None:
    target = root / str(spec["file"])
    target.parent.mkdir(parents=True, exist_ok=True)
    repeat = str(spec["repeat"])
    times = int(str(spec["times"]))
    chunk = max(1, 1_000_000 // max(1, len(repeat)))  # written a megabyte at a time
    with target.open("w", encoding="utf-8") as handle:
        handle.write(str(spec.get("head", "")))
        for start in range(0, times, chunk):
            handle.write(repeat * min(chunk, times - start))
        handle.write(str(spec.get("tail", "")))


def _root(case: Path, tmp_path: Path) -> Path:
    root = tmp_path / "root"
    shutil.copytree(BASE, root)
    for path in case.rglob("*"):
        if path.is_file() and path.name not in ("expected.txt", "generate.json"):
            target = root / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    spec = case / "generate.json"
    if spec.exists():
        _generate(json.loads(spec.read_text(encoding="utf-8")), root)
    return root


def _validate(root: Path) -> Result:
    return CliRunner().invoke(cli, ["validate", str(root)])


@pytest.fixture(scope="module", autouse=True)
def _warm() -> Iterator[None]:
    """Imports and compiled schemas are paid once, not by the first case's bounds."""
    _validate(BASE)
    yield


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 80


def test_the_base_root_is_valid() -> None:
    result = _validate(BASE)
    assert result.exit_code == 0, result.output


def _status(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def _peak_of(work: Callable[[], Result]) -> tuple[Result, float]:
    """What ``work`` returns and the memory it added at its peak, in MB.

    Linux resets the resident high-water mark on request: that measures everything (libyaml's
    C allocations too) at no cost. Elsewhere tracemalloc measures Python's allocations.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before = _status("VmRSS")
    except (OSError, LookupError):
        tracemalloc.start()
        try:
            return work(), tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
    result = work()
    return result, _status("VmHWM") - before


@pytest.mark.parametrize("case", CASES)
def test_a_broken_configuration_is_reported_once_at_its_place(case: str, tmp_path: Path) -> None:
    expected = Expected.read(HERE / "cases" / case / "expected.txt")
    root = _root(HERE / "cases" / case, tmp_path)
    started = time.perf_counter()
    result, megabytes = _peak_of(lambda: _validate(root))
    seconds = time.perf_counter() - started
    shutil.rmtree(root)  # a generated file may be 50 MB: not left behind in the temp folder
    assert seconds < SECONDS, f"{case} took {seconds:.1f} s"
    assert megabytes < MEGABYTES, f"{case} added {megabytes:.0f} MB"
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert errors, result.output
    place, message = errors[0].split(": error: ", 1)
    assert (place, expected.fragment in message) == (expected.place, True), errors[0]
    assert len(errors) == expected.errors, errors
