"""``docket publish``: a valid configuration becomes the active version; an invalid one is
refused with its errors and the active version stays."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.api.conftest import CONFIG
from tests.distributed.conftest import docket, scalar

ACTIVE = "select count(*) from ruleset_versions where active and hash like :prefix"


def test_publish_switches_the_active_version_and_refuses_an_invalid_one(
    db_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "config"
    shutil.copytree(CONFIG, root)
    first = docket("publish", "--config", str(root), "--db", db_url)
    assert first.returncode == 0, first.stderr
    v1 = first.stdout.split()[1]
    assert first.stdout.strip() == f"version {v1} published"
    assert scalar(db_url, ACTIVE, prefix=f"{v1}%") == 1

    rules = root / "rules" / "agency.yaml"
    good = rules.read_text()
    rules.write_text(good.replace("run: dispute-review", "run: no-such-path"))
    refused = docket("publish", "--config", str(root), "--db", db_url)
    assert refused.returncode == 1
    assert "no-such-path" in refused.stderr and "nothing was run" in refused.stderr
    assert scalar(db_url, ACTIVE, prefix=f"{v1}%") == 1

    rules.write_text(good.replace("run: dispute-review", "run: welcome"))
    second = docket("publish", "--config", str(root), "--db", db_url)
    assert second.returncode == 0, second.stderr
    v2 = second.stdout.split()[1]
    assert v2 != v1
    assert scalar(db_url, ACTIVE, prefix=f"{v2}%") == 1
    assert scalar(db_url, "select count(*) from ruleset_versions where active") == 1
    archived = "select count(*) from scheduler_state where key like 'ruleset.files:%'"
    assert scalar(db_url, archived) == 2
