"""Connectors are checked before a version runs: a reload whose connectors cannot start is
refused at their lines and the running version keeps running; the API's validate says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.api import ApiSettings, create_app
from engine.api.tokens import create_token
from engine.config import load_ruleset
from engine.domain.clock import SimulatedClock
from engine.runtime.engine import Engine
from tests.api.conftest import TODAY, bearer

VARIABLE = "DOCKET_TEST_RELOAD_SMTP_PASSWORD"
MAIL = f"""\
connectors:
  - id: mail
    type: smtp
    settings:
      host: 127.0.0.1
      port: 2525
      from: notices@example.test
      username: docket
      password: ${{{VARIABLE}}}
"""


@pytest.fixture
def admin(db_url: str, config_copy: Path) -> Iterator[tuple[Engine, dict[str, str]]]:
    ruleset = load_ruleset(config_copy)
    engine = Engine(ruleset, db_url, clock=SimulatedClock(TODAY, ruleset.agency.timezone))
    with engine.unit("test") as unit:
        text, _ = create_token(unit.session, "admin", "admin", unit.now)
    yield engine, bearer(text)
    engine.close()


def _refusal(answer: object) -> dict[str, object]:
    assert answer.status_code == 422, answer.text  # type: ignore[attr-defined]
    problem: dict[str, object] = answer.json()  # type: ignore[attr-defined]
    assert str(problem["type"]).endswith("/config-invalid")
    return problem


def test_a_reload_with_an_unknown_connector_type_keeps_the_running_version(
    admin: tuple[Engine, dict[str, str]], config_copy: Path
) -> None:
    engine, h = admin
    app = create_app(engine, ApiSettings(token_cache_seconds=0, access_log=False))
    with TestClient(app) as client:
        before = client.get("/config", headers=h).json()["hash"]
        (config_copy / "rules" / "connectors.yaml").write_text(
            "connectors:\n  - id: outbox\n    type: foldr\n    settings: {path: out}\n"
        )
        problem = _refusal(client.post("/config/reload", headers=h))
        assert problem["running"] == before
        assert problem["findings"] == [
            "rules/connectors.yaml:3:11: error: connector 'outbox': unknown connector type "
            "'foldr' (did you mean 'folder'?); installed: folder, print_batch, sms_http, smtp, "
            "webhook"
        ]
        assert client.get("/config", headers=h).json()["hash"] == before
        assert engine.ruleset.hash == before


def test_a_reload_with_bad_settings_names_each_line(
    admin: tuple[Engine, dict[str, str]], config_copy: Path
) -> None:
    engine, h = admin
    app = create_app(engine, ApiSettings(token_cache_seconds=0, access_log=False))
    with TestClient(app) as client:
        before = client.get("/config", headers=h).json()["hash"]
        (config_copy / "rules" / "connectors.yaml").write_text(
            "connectors:\n"
            "  - id: mail\n"
            "    type: smtp\n"
            "    settings: {host: 127.0.0.1, port: 99999, from: a@b.test}\n"
            "  - id: hooks\n"
            "    type: webhook\n"
            "    settings:\n"
            "      url: htp:/not a url\n"
            "      headers: {X-Agency: 7}\n"
        )
        problem = _refusal(client.post("/config/reload", headers=h))
        assert problem["findings"] == [
            "rules/connectors.yaml:4:39: error: connector 'mail': settings: 'port' must be at "
            "most 65535 (got 99999)",
            "rules/connectors.yaml:8:12: error: connector 'hooks': settings: 'url' is not an "
            "http(s) URL (got 'htp:/not a url')",
            "rules/connectors.yaml:9:27: error: connector 'hooks': settings: 'headers.X-Agency' "
            "must be of type string (got 7)",
        ]
        assert client.get("/config", headers=h).json()["hash"] == before


def test_an_unset_variable_refuses_the_reload_until_it_is_set(
    admin: tuple[Engine, dict[str, str]], config_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    engine, h = admin
    app = create_app(engine, ApiSettings(token_cache_seconds=0, access_log=False))
    (config_copy / "rules" / "connectors.yaml").write_text(MAIL)
    unset = (
        "rules/connectors.yaml:9:17: error: connector 'mail': settings 'password' needs the "
        f"environment variable {VARIABLE}, which is unset"
    )
    with TestClient(app) as client:
        before = client.get("/config", headers=h).json()["hash"]
        # The API's validate asks the service's own environment: what a reload would refuse.
        checked = client.post("/config/validate", json={"root": str(config_copy)}, headers=h).json()
        assert checked["valid"] is False
        assert [e["text"] for e in checked["errors"]] == [unset]

        assert _refusal(client.post("/config/reload", headers=h))["findings"] == [unset]
        assert client.get("/config", headers=h).json()["hash"] == before

        monkeypatch.setenv(VARIABLE, "s3cret-value")
        applied = client.post("/config/reload", headers=h)
        assert applied.status_code == 200, applied.text
        assert applied.json()["changed"] is True
        assert client.get("/config", headers=h).json()["hash"] != before
