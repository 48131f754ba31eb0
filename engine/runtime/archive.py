"""Every RuleSet version kept in the store: its files by hash, and which one is published.

A run records the hash of the version it started on; a version's files are archived when an
engine starts on it, so that a run can finish on its own version after a reload, and so that
a worker process (the distributed mode) can load the version an API process published. The
hash covers relative paths and bytes only, so the recompiled RuleSet has the same hash.

The engine writes here when it records the version it runs (it needs that at start-up, below
the scheduler); ``engine.scheduler.versions`` decides when it switches and reads it back.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
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


def record(session: Session, ruleset: RuleSet, now: datetime, *, publish: bool) -> None:
    """Archive ``ruleset``'s files (once per hash) and, with ``publish``, make it the active
    version, in the caller's transaction."""
    key = FILES_PREFIX + ruleset.hash
    if session.get(m.SchedulerState, key) is None:
        files = source_files(Path(ruleset.root))
        session.add(m.SchedulerState(key=key, value=json.dumps(files, sort_keys=True)))
    if not publish:
        return
    row = session.get(m.RuleSetVersion, ruleset.hash)
    for other in session.scalars(select(m.RuleSetVersion).where(m.RuleSetVersion.active.is_(True))):
        other.active = False
    if row is None:
        row = m.RuleSetVersion(hash=ruleset.hash, root=str(ruleset.root), loaded_at=now)
        session.add(row)
    row.active = True


def active_hash(session: Session) -> str | None:
    """The published version's hash (None: nothing is published)."""
    query = select(m.RuleSetVersion.hash).where(m.RuleSetVersion.active.is_(True))
    return session.scalars(query.order_by(m.RuleSetVersion.loaded_at.desc())).first()


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
