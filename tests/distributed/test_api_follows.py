"""``docket run --distributed``'s API follows the version another process published, without
publishing it back, and a reload publishes its own root's version again."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from engine.api import ApiSettings, create_app
from tests.api.conftest import CONFIG
from tests.distributed.conftest import docket, fetch


def _active(db_url: str) -> str:
    """The one active version's hash."""
    found = fetch(db_url, "select hash from ruleset_versions where active")
    assert len(found) == 1
    return str(found[0])


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_the_api_follows_a_published_version_and_a_reload_publishes_its_own(
    db_url: str, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient  # here: the warning filter is in place

    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    shutil.copytree(CONFIG, mine)
    shutil.copytree(CONFIG, theirs)
    rules = theirs / "rules" / "agency.yaml"
    rules.write_text(rules.read_text().replace("run: dispute-review", "run: welcome"))
    token = docket("token", "create", "--role", "admin", "--db", db_url).stdout.strip()
    settings = ApiSettings(config_root=mine, db_url=db_url, distributed=True, follow_interval=0.1)
    with TestClient(create_app(settings)) as http:
        http.headers["Authorization"] = f"Bearer {token}"
        v1 = http.get("/config").json()["hash"]
        assert _active(db_url) == v1

        published = docket("publish", "--config", str(theirs), "--db", db_url)
        assert published.returncode == 0, published.stderr
        v2 = _active(db_url)
        assert v2 != v1
        deadline = time.monotonic() + 20
        while http.get("/config").json()["hash"] != v2:
            assert time.monotonic() < deadline, "the API did not follow the published version"
            time.sleep(0.1)
        assert http.get("/config").json()["root"] == str(theirs)  # where it was published
        time.sleep(0.3)  # a few more polls: following must not publish anything
        assert _active(db_url) == v2

        reloaded = http.post("/config/reload")
        assert reloaded.status_code == 200, reloaded.text
        assert reloaded.json()["current"] == v1  # its own root, read again
        assert _active(db_url) == v1
