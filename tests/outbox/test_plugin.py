"""A third-party connector package, installed with pip, found through ``docket.connectors``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.config.errors import ConfigError
from engine.outbox import registry, routing
from engine.outbox.errors import UnknownConnector
from tests.outbox.conftest import MakeDesk

PACKAGE = Path(__file__).with_name("plugin_pkg")


def install_plugin(folder: Path) -> Path:
    """``pip install`` the fax plug-in into ``folder/site`` (a copy: builds write in-tree)."""
    source, target = folder / "source", folder / "site"
    shutil.copytree(PACKAGE, source)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
    )
    return target


@pytest.fixture
def installed(fax_plugin: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(fax_plugin))
    return fax_plugin


def test_without_the_package_there_is_no_fax_connector() -> None:
    assert "fax" not in registry.sources()
    with pytest.raises(UnknownConnector, match="unknown connector type 'fax'"):
        registry.load_type("fax")


def test_the_installed_plugin_is_found_through_the_entry_point_group(installed: Path) -> None:
    found = registry.sources()
    assert found["fax"].origin == "docket-fax-plugin"
    assert {"folder", "smtp", "sms_http", "webhook", "print_batch"} <= set(found)
    assert registry.load_type("fax").__module__ == "docket_fax"


def test_a_plugin_cannot_replace_a_builtin(installed: Path) -> None:
    assert registry.sources()["smtp"].origin == "builtin"


def test_a_configured_plugin_sends_letters(desk: MakeDesk, installed: Path, tmp_path: Path):
    one = desk(
        """
        - id: fax
          type: fax
          settings: {journal: fax.log}
        """
    )
    one.place(send=("letter", "email"))

    report = one.relay()

    assert report.sent == [2]  # the letter; no connector serves email here
    assert (tmp_path / "fax.log").read_text().count('"to": "Dana Reyes"') == 1
    row = one.rows()[1]
    assert row.payload["_delivery"] == {
        "connector": "fax",
        "receipt": "fax-1",
        "detail": "faxed",
    }


def test_a_misspelt_type_suggests_the_plugin(desk: MakeDesk, installed: Path) -> None:
    one = desk(
        """
        - id: fax
          type: fxa
          settings: {journal: fax.log}
        """
    )
    with pytest.raises(ConfigError) as raised:
        routing.router_for(one.ruleset)
    [finding] = raised.value.findings
    assert "connector 'fax': unknown connector type 'fxa' (did you mean 'fax'?)" in str(finding)
    assert str(finding.mark) == "rules/connectors.yaml:3:11"  # the type's value


def test_plugin_settings_are_checked_against_its_own_schema(
    desk: MakeDesk, installed: Path
) -> None:
    one = desk(
        """
        - id: fax
          type: fax
          settings: {jornal: fax.log}
        """
    )
    messages = [f.message for f in routing.check(one.ruleset)]
    assert "connector 'fax': settings: 'journal' is required" in messages
    assert (
        "connector 'fax': settings: unknown setting 'jornal' (did you mean 'journal'?)" in messages
    )
