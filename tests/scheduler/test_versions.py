"""A new RuleSet version: waiting runs finish on theirs, restart on the new one, or cancel."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.config import load_ruleset
from engine.domain import models as m
from engine.runtime import archive
from engine.runtime.engine import Engine
from engine.scheduler import versions
from engine.scheduler.jobs import run_day
from tests.scheduler.conftest import TIMING, MakeEngine, place, set_day

PATHS = "action_paths/paths.yaml"


def version(root: Path, on_change: str | None, finished: str) -> None:
    """Rewrite review-queue: its closing note, and its on_change (None: the default)."""
    text = (TIMING / PATHS).read_text(encoding="utf-8")
    old = "  - id: review-queue\n    mode: queue\n"
    new = old + (f"    on_change: {on_change}\n" if on_change else "")
    text = text.replace(old, new).replace(
        "add_note: queue review finished", f"add_note: {finished}"
    )
    (root / PATHS).write_text(text, encoding="utf-8")


def notes(engine: Engine) -> list[str]:
    return engine.read(lambda s: [n.text for n in s.scalars(select(m.Note).order_by(m.Note.id))])


def start_v1(tmp_path: Path, make_engine: MakeEngine) -> tuple[Path, Engine]:
    root = tmp_path / "config"
    shutil.copytree(TIMING, root)
    version(root, None, "finished on version 1")
    engine = make_engine(date(2026, 5, 4), load_ruleset(root))
    versions.install(engine)  # the scheduler archives the version it runs
    place(engine)
    engine.operate("record_dispute", {"account": "A1"})
    engine.process()
    return root, engine


@pytest.mark.parametrize("on_change", [None, "finish"])
def test_a_waiting_run_finishes_on_the_version_it_started_on(
    tmp_path: Path, make_engine: MakeEngine, on_change: str | None
) -> None:
    root, v1 = start_v1(tmp_path, make_engine)
    version(root, on_change, "finished on version 2")
    v2 = make_engine(date(2026, 5, 5), load_ruleset(root))
    assert v2.ruleset.hash != v1.ruleset.hash
    change = versions.adopt(v2)
    assert len(change.finished) == 1 and change.problems == []
    set_day(v2, date(2026, 5, 9))
    run_day(v2)
    assert notes(v2)[-1] == "finished on version 1"
    run = v2.read(lambda s: s.scalars(select(m.Run).where(m.Run.path_id == "review-queue")).one())
    assert (run.status, run.ruleset_hash) == ("completed", v1.ruleset.hash)


def test_on_change_restart_starts_the_path_again_on_the_new_version(
    tmp_path: Path, make_engine: MakeEngine
) -> None:
    root, _v1 = start_v1(tmp_path, make_engine)
    version(root, "restart", "finished on version 2")
    v2 = make_engine(date(2026, 5, 6), load_ruleset(root))
    change = versions.adopt(v2)
    [(old_id, new_id)] = change.restarted
    set_day(v2, date(2026, 5, 11))
    run_day(v2)
    old, new = (v2.read(lambda s, i=i: s.get(m.Run, i)) for i in (old_id, new_id))
    assert old.status == "cancelled" and "on_change: restart" in (old.error or "")
    assert (new.status, new.ruleset_hash, new.started_on) == (
        "completed",
        v2.ruleset.hash,
        date(2026, 5, 6),
    )
    assert notes(v2).count("queue review started") == 2
    assert notes(v2)[-1] == "finished on version 2"


def test_on_change_cancel_cancels_with_the_reason(tmp_path: Path, make_engine: MakeEngine) -> None:
    root, _v1 = start_v1(tmp_path, make_engine)
    version(root, "cancel", "finished on version 2")
    v2 = make_engine(date(2026, 5, 6), load_ruleset(root))
    change = versions.adopt(v2)
    assert len(change.cancelled) == 1
    set_day(v2, date(2026, 5, 12))
    run_day(v2)
    run = v2.read(lambda s: s.get(m.Run, change.cancelled[0]))
    assert run.status == "cancelled" and "on_change: cancel" in (run.error or "")
    assert not any("finished" in text for text in notes(v2))


def test_a_version_never_archived_is_reported_and_its_run_fails_clearly(
    tmp_path: Path, make_engine: MakeEngine
) -> None:
    root, v1 = start_v1(tmp_path, make_engine)
    with v1.unit() as unit:  # as if the old version had run without the scheduler
        row = unit.session.get(m.SchedulerState, archive.FILES_PREFIX + v1.ruleset.hash)
        unit.session.delete(row)
    version(root, None, "finished on version 2")
    v2 = make_engine(date(2026, 5, 6), load_ruleset(root))
    change = versions.adopt(v2)
    assert "not archived" in change.problems[0] or "were not archived" in change.problems[0]
    set_day(v2, date(2026, 5, 9))
    report = run_day(v2)
    [(_, error)] = report.waits.failed
    assert "not archived" in error
