"""The layers of docs/architecture.md hold: no module imports a layer above its own, connectors
import only the connector API, and only two modules know the batched scope."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BELOW = {
    "config": set(),
    "domain": {"config"},
    "runtime": {"config", "domain"},
    "outbox": {"config", "domain"},
    "scheduler": {"config", "domain", "runtime", "outbox"},
    "distributed": {"config", "domain", "runtime", "outbox", "scheduler"},
    "scenario": {"config", "domain", "runtime", "outbox", "scheduler"},
    "api": {"config", "domain", "runtime", "outbox", "scheduler", "distributed"},
    "cli": {"config", "domain", "runtime", "outbox", "scheduler", "distributed", "scenario", "api"},
}
# The package root: the common error base and the version, which import nothing.
ROOT = {"errors", "__version__"}
# The demo command sends its letters through a built-in connector, as a user's install would.
PLUGINS = {"cli"}
BATCHED_SCOPE = "engine.runtime.batching.scope"


def _imports(path: Path) -> Iterator[str]:
    """Every module an ``import`` or ``from … import`` names, at any depth of the file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _modules(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(BELOW))
def test_no_module_imports_a_layer_above_its_own(layer: str) -> None:
    allowed = {*ROOT, layer, *BELOW[layer]}
    wrong = []
    for path in _modules(f"engine/{layer}"):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "engine" and len(parts) > 1 and parts[1] not in allowed:
                wrong.append(f"{path.relative_to(REPO)} imports {name}")
            if parts[0] == "connectors" and layer not in PLUGINS:
                wrong.append(f"{path.relative_to(REPO)} imports {name}")
    assert wrong == []


def test_connectors_import_only_the_connector_api() -> None:
    wrong = [
        f"{path.relative_to(REPO)} imports {name}"
        for path in _modules("connectors")
        for name in _imports(path)
        if name.startswith("engine") and not name.startswith("engine.outbox.api")
    ]
    assert wrong == []


def test_only_the_drain_and_the_scope_itself_know_the_batched_scope() -> None:
    knowing = {
        str(path.relative_to(REPO))
        for folder in ("engine", "connectors", "bench")
        for path in _modules(folder)
        if any(name.startswith(BATCHED_SCOPE) for name in _imports(path))
        or "BatchScope" in path.read_text(encoding="utf-8")
    }
    assert knowing == {"engine/runtime/batching/drain.py", "engine/runtime/batching/scope.py"}
