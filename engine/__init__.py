"""Docket: a rules-and-trigger automation engine for collection agencies.

Public Python API: ``load_ruleset(path)`` and ``Engine(ruleset, db_url)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Engine", "load_ruleset"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from engine.config import load_ruleset
    from engine.runtime import Engine


def __getattr__(name: str) -> Any:
    # Lazy so that ``import engine.config`` never drags the database layers in.
    if name == "load_ruleset":
        from engine.config import load_ruleset

        return load_ruleset
    if name == "Engine":
        from engine.runtime import Engine

        return Engine
    raise AttributeError(name)
