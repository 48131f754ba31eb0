"""Every RuleSet version's files, kept in the store by hash, and compiled again from there.

A run records the hash of the version it started on; a version's files are archived when an
engine starts on it, so that a run can finish on its own version after a reload, and so that
a worker process (the distributed mode) can load the version an API process published. The
hash covers relative paths and bytes only, so the recompiled RuleSet has the same hash.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from engine.config import load_ruleset
from engine.config.loader import discover
from engine.config.model import RuleSet
from engine.domain import models as m

FILES_PREFIX = "ruleset.files:"


def source_files(root: Path) -> dict[str, str]:
    """The text of every file a RuleSet is compiled from, by path relative to the root."""
    yaml_files, templates = discover(root)
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in (*yaml_files, *templates)
    }


def archive(session: Session, ruleset: RuleSet) -> bool:
    """Keep ``ruleset``'s files (once per hash), in the caller's transaction; True if new."""
    key = FILES_PREFIX + ruleset.hash
    if session.get(m.SchedulerState, key) is not None:
        return False
    files = source_files(Path(ruleset.root))
    session.add(m.SchedulerState(key=key, value=json.dumps(files, sort_keys=True)))
    return True


def archived_files(session: Session, ruleset_hash: str) -> dict[str, str] | None:
    row = session.get(m.SchedulerState, FILES_PREFIX + ruleset_hash)
    return None if row is None else dict(json.loads(row.value))


def compile_files(files: dict[str, str], actions: Iterable[str]) -> RuleSet:
    """Compile archived files (written to a temporary root first); ConfigError if invalid."""
    with tempfile.TemporaryDirectory(prefix="docket-version-") as folder:
        root = Path(folder)
        for rel, content in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        return load_ruleset(root, actions=tuple(actions))
