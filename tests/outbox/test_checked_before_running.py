"""What a connector needs is checked before anything runs: `docket run` does not start and
`docket publish` publishes nothing while a connector's type, settings or ${VARIABLES} are
wrong; `docket validate` reports the same at the same lines (an unset variable as a warning)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from engine.cli.main import _register, cli
from tests.api.conftest import CONFIG

_register()

VARIABLE = "DOCKET_TEST_CHECKED_SMTP_PASSWORD"
UNKNOWN_TYPE = "connectors:\n  - id: outbox\n    type: foldr\n"
UNSET = f"""\
connectors:
  - id: mail
    type: smtp
    settings:
      host: 127.0.0.1
      from: notices@example.test
      username: docket
      password: ${{{VARIABLE}}}
"""
UNSET_FINDING = (
    "rules/connectors.yaml:8:17: error: connector 'mail': settings 'password' needs the "
    f"environment variable {VARIABLE}, which is unset"
)


def _root(tmp_path: Path, connectors: str) -> Path:
    root = tmp_path / "config"
    shutil.copytree(CONFIG, root)
    (root / "rules" / "connectors.yaml").write_text(connectors, encoding="utf-8")
    return root


def _published(db: str) -> int:
    engine = create_engine(db)
    try:
        with engine.connect() as connection:
            query = "select count(*) from ruleset_versions where active"
            return int(connection.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("connectors", "finding"),
    [
        (
            UNKNOWN_TYPE,
            "rules/connectors.yaml:3:11: error: connector 'outbox': unknown connector type "
            "'foldr' (did you mean 'folder'?)",
        ),
        (UNSET, UNSET_FINDING),
    ],
    ids=["unknown-type", "unset-variable"],
)
def test_docket_run_refuses_to_start(tmp_path: Path, connectors: str, finding: str) -> None:
    root = _root(tmp_path, connectors)
    env = {k: v for k, v in os.environ.items() if k != VARIABLE}
    command = [sys.executable, "-c", "from engine.cli.main import main; main()", "run"]
    started = subprocess.run(
        [*command, "--port", "0", "--config", str(root), "--db", f"sqlite:///{tmp_path}/d.db"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert started.returncode == 1, started.stderr
    assert finding in started.stderr
    assert f"configuration at {root} is invalid; nothing was run" in started.stderr
    assert "listening" not in started.stderr


def test_docket_publish_refuses_and_the_published_version_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    db = f"sqlite:///{tmp_path / 'docket.db'}"
    root = _root(tmp_path, "connectors: []\n")
    first = CliRunner().invoke(cli, ["publish", "--config", str(root), "--db", db])
    assert first.exit_code == 0, first.output
    version = first.stdout.split()[1]

    (root / "rules" / "connectors.yaml").write_text(UNSET, encoding="utf-8")
    refused = CliRunner().invoke(cli, ["publish", "--config", str(root), "--db", db])
    assert refused.exit_code == 1
    assert UNSET_FINDING in refused.stderr
    assert _published(db) == 1
    shown = CliRunner().invoke(cli, ["validate", str(root), "--json"])
    assert shown.exit_code == 0  # validate only warns: its environment is seldom the service's

    monkeypatch.setenv(VARIABLE, "s3cret-value")
    second = CliRunner().invoke(cli, ["publish", "--config", str(root), "--db", db])
    assert second.exit_code == 0, second.output
    assert second.stdout.split()[1] != version
    assert _published(db) == 1


def _validate(root: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["validate", str(root)])
    return result.exit_code, result.stdout.splitlines()[:-1]


def test_a_value_read_from_an_unset_variable_is_reported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DOCKET_TEST_SMS_URL", raising=False)
    root = _root(
        tmp_path,
        "connectors:\n"
        "  - id: texts\n"
        "    type: sms_http\n"
        "    settings: {url: '${DOCKET_TEST_SMS_URL}', from: NORTHWIND}\n",
    )
    code, lines = _validate(root)
    assert code == 0
    assert lines == [
        "rules/connectors.yaml:4:21: warning: connector 'texts': settings 'url' needs the "
        "environment variable DOCKET_TEST_SMS_URL, which is unset (docket run, reload and "
        "publish refuse it)"
    ]


def test_a_connector_its_constructor_refuses_is_reported(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        "connectors:\n"
        "  - id: mail\n"
        "    type: smtp\n"
        "    settings:\n"
        "      host: 127.0.0.1\n"
        "      from: notices@example.test\n"
        "      ca_file: certs/missing.pem\n",
    )
    code, lines = _validate(root)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(
        "rules/connectors.yaml:5:7: error: connector 'mail': cannot start: FileNotFoundError"
    )


def test_plain_settings_problems_are_reported_at_their_keys(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        "connectors:\n"
        "  - id: mail\n"
        "    type: smtp\n"
        "    settings:\n"
        "      host: 127.0.0.1\n"
        "      security: tls\n"
        "      from: notices@example.test\n"
        "      hots: backup.example.test\n",
    )
    code, lines = _validate(root)
    assert code == 1
    assert lines == [
        "rules/connectors.yaml:6:17: error: connector 'mail': settings: 'security' must be one "
        "of starttls, ssl, none (got 'tls')",
        "rules/connectors.yaml:8:7: error: connector 'mail': settings: unknown setting 'hots' "
        "(did you mean 'host'?)",
    ]
