"""Switching the running version (``versions.switch``): refused without a trace, published
and followed by another engine, the daily job moved to the new sweep time."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.config import load_ruleset
from engine.domain import models as m
from engine.runtime.engine import Engine
from engine.scheduler import versions
from engine.scheduler.errors import SwitchRefused
from engine.scheduler.service import DAILY_JOB, SchedulerService
from tests.scheduler.conftest import TIMING, MakeEngine

AGENCY = "rules/agency.yaml"


def running(tmp_path: Path, make_engine: MakeEngine) -> tuple[Path, Engine]:
    root = tmp_path / "config"
    shutil.copytree(TIMING, root)
    return root, make_engine(date(2026, 5, 4), load_ruleset(root))


def edit(root: Path, old: str, new: str) -> None:
    path = root / AGENCY
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def active(engine: Engine) -> list[str]:
    query = select(m.RuleSetVersion.hash).where(m.RuleSetVersion.active.is_(True))
    return engine.read(lambda s: list(s.scalars(query)))


def test_a_timezone_change_is_refused_and_the_running_version_stays_published(
    tmp_path: Path, make_engine: MakeEngine
) -> None:
    root, engine = running(tmp_path, make_engine)
    before = engine.ruleset.hash
    edit(root, "timezone: America/Chicago", "timezone: America/New_York")
    with pytest.raises(SwitchRefused) as refused:
        versions.switch(engine, root)
    assert refused.value.detail == (
        "agency.timezone changed (America/Chicago → America/New_York): that needs a restart; "
        f"version {before[:12]} keeps running"
    )
    assert refused.value.findings == []
    assert engine.ruleset.hash == before
    assert active(engine) == [before]


def test_a_switch_publishes_the_new_version_and_a_follower_takes_it_without_publishing(
    tmp_path: Path, make_engine: MakeEngine, db_url: str
) -> None:
    root, publisher = running(tmp_path, make_engine)
    v1 = publisher.ruleset.hash
    follower = versions.open_published(db_url, clock=publisher.clock)
    try:
        assert follower.ruleset.hash == v1 and versions.follow(follower) is None
        edit(root, "name: Timing Test Agency", "name: Timing Test Agency Two")
        report = versions.switch(publisher, root)
        v2 = report.current
        assert (report.changed, report.previous) == (True, v1) and v2 != v1
        assert report.as_json()["version_change"] == versions.VersionChange().as_json()
        assert active(publisher) == [v2]
        assert versions.follow(follower) == v2
        assert follower.ruleset.hash == v2 and follower.ruleset.agency.name.endswith("Two")
        assert versions.follow(follower) is None
        assert active(publisher) == [v2]
        unchanged = versions.switch(publisher, root)
        assert (unchanged.changed, unchanged.current, unchanged.change) == (False, v2, None)
    finally:
        follower.close()


def test_a_switch_moves_the_running_service_s_daily_job_to_the_new_sweep_time(
    tmp_path: Path, make_engine: MakeEngine
) -> None:
    root, engine = running(tmp_path, make_engine)
    service = SchedulerService(engine)
    try:
        service.start()
        assert str(service.scheduler.get_job(DAILY_JOB).trigger) == "cron[hour='6', minute='0']"
        edit(root, 'sweep_time: "06:00"', 'sweep_time: "07:30"')
        versions.switch(engine, root, hold=service.lock, service=service)
        assert str(service.scheduler.get_job(DAILY_JOB).trigger) == "cron[hour='7', minute='30']"
    finally:
        service.shutdown()
